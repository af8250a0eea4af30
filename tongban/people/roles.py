"""三权分立: what each administrator's role may do in the admin, and who assigns roles.

The system administrator keeps accounts (creates them, names them) and the offices; the
security administrator gives an account its role, office, department, agent point and active flag,
unlocks it and resets its authenticator; the auditor reads the audit trail. None of them
handles cases (desk.access lets only the case roles in), none changes their own role, and
only the security administrator assigns any. An account's admin permissions come from its
role (`role_group`), never from a page: Django's superuser flag, groups and permissions are
not on the user page."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib.errors import Conflict, Forbidden, InvalidInput

from .models import Role, User

# role: (app labels or app.model, "view" for view permissions only or "change" for all,
#        extra (app, codename) pairs)
ADMIN_PERMISSIONS = {
    Role.CATALOG_ADMIN: (["catalog", "workdays", "consultations"], "change", []),
    Role.SYSADMIN: (["people.user", "offices"], "change", []),
    Role.SECADMIN: (
        ["people.user", "people.apitoken", "audit"], "view",
        [("people", "change_user"), ("people", "delete_apitoken")],
    ),
    Role.AUDITOR: (["audit", "cases.caseevent"], "view", []),
}  # fmt: skip
ADMIN_ROLES = set(ADMIN_PERMISSIONS)
# What only the security administrator changes on an account.
ASSIGNED_FIELDS = ("role", "office", "department", "agent_point", "is_active")


def role_group(role: str) -> Group | None:
    """The group holding `role`'s admin permissions, created or brought up to date; None for
    a role without admin work."""
    if role not in ADMIN_PERMISSIONS:
        return None
    labels, level, extra = ADMIN_PERMISSIONS[role]
    group, _created = Group.objects.get_or_create(name=Role(role).label)
    perms = Permission.objects.none()
    for label in labels:
        app, _dot, model = label.partition(".")
        qs = Permission.objects.filter(content_type__app_label=app)
        if model:
            qs = qs.filter(content_type__model=model)
        if level == "view":
            qs = qs.filter(codename__startswith="view_")
        perms |= qs
    for app, codename in extra:
        perms |= Permission.objects.filter(content_type__app_label=app, codename=codename)
    group.permissions.set(perms)
    return group


def role_privileges_apply(user: User) -> None:
    """Give `user` (saved) the admin entry and permissions of its role, and nothing else."""
    group = role_group(user.role)
    user.groups.set([group] if group else [])
    staff = user.role in ADMIN_ROLES
    if user.is_staff != staff or user.is_superuser:
        user.is_staff, user.is_superuser = staff, False
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def user_assign(*, user: User, by: User, ip: str | None = None, **changes) -> User:
    """The security administrator sets `user`'s role, office, department or active flag
    (ASSIGNED_FIELDS). The admin entry and permissions follow the role (role_privileges_apply);
    each change is audited: `people.role_changed` with the old and new role, and
    `people.account_assigned` for the rest. The account's API tokens die with a new role.

    Raises Forbidden unless `by` is a security administrator, or if they change their own
    role; InvalidInput for an unknown field or role."""
    if by.role != Role.SECADMIN:
        raise Forbidden(_("只有安全管理员可以分配角色、机构和启用状态"), code="not_secadmin")
    unknown = set(changes) - set(ASSIGNED_FIELDS)
    if unknown:
        raise InvalidInput(_("不能在此修改 %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "role" in changes and changes["role"] not in Role.values:
        raise InvalidInput(_("没有这个角色：%(role)r") % {"role": changes["role"]}, field="role")
    user = User.objects.select_for_update().get(pk=user.pk)
    old = {f: getattr(user, f) for f in changes}
    changed = {f: v for f, v in changes.items() if old[f] != v}
    if "role" in changed and user.pk == by.pk:
        raise Forbidden(_("不能修改自己的角色，须由另一位安全管理员分配"), code="own_role")
    if not changed:
        return user
    for field, value in changed.items():
        setattr(user, field, value)
    if user.agent_point_id is not None:  # a 代办点's agents: agents, or its office's clerks
        if user.role not in (Role.AGENT, Role.CLERK):
            raise InvalidInput(_("只有帮办代办员或窗口受理员可以驻代办点"), field="agent_point")
        if user.role == Role.CLERK and user.agent_point.office_id != user.office_id:
            raise InvalidInput(_("窗口受理员只能驻本机构的代办点"), field="agent_point")
    user.save(update_fields=list(changed))
    if "role" in changed:
        role_privileges_apply(user)
        record(event="people.role_changed", user=by, ip=ip, target=user.pk,
               account=user.username, old=old["role"], new=user.role)  # fmt: skip
    rest = {f: [str(old[f]), str(v)] for f, v in changed.items() if f != "role"}
    if rest:
        record(event="people.account_assigned", user=by, ip=ip, target=user.pk,
               account=user.username, changed=rest)  # fmt: skip
    return user


@transaction.atomic
def secadmin_bootstrap(*, username: str, password: str) -> User:
    """The first security administrator, from the console (`tongban bootstrap-secadmin`): the
    way into a new installation instead of `createsuperuser` or default accounts. They then
    assign every other role. Audited (`people.secadmin_bootstrapped`).

    Raises Conflict once any active security administrator exists; InvalidInput for a taken
    username or a password the rules refuse (AUTH_PASSWORD_VALIDATORS)."""
    if User.objects.filter(role=Role.SECADMIN, is_active=True).exists():
        raise Conflict(_("已有安全管理员；其他账户和角色由安全管理员在管理后台分配"),
                       code="secadmin_exists")  # fmt: skip
    username = (username or "").strip()
    if not username or User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("用户名为空或已被使用：%(name)r") % {"name": username},
                           field="username")  # fmt: skip
    user = User(username=username, role=Role.SECADMIN)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), code="weak_password", field="password") from None
    user.set_password(password)
    user.save()
    role_privileges_apply(user)
    record(event="people.secadmin_bootstrapped", user=user, target=user.pk, face="console")
    return user

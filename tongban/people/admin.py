from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.lib.admin import ReadOnlyAdminMixin, SealedSearchMixin
from tongban.lib.http import client_ip

from .forms import AdminSignInForm
from .models import ApiToken, Applicant, Role, User
from .passwords import password_set_audit
from .roles import ASSIGNED_FIELDS, user_assign
from .services import applicant_number_q, sign_in_unlock, tokens_revoke, user_save
from .totp import totp_reset

# /admin/login/ signs in under the same rule as every other door (lock-out, audit). Its page
# posts to the desk's sign-in, which asks for the steps after the password (a TOTP code...);
# the admin's own form refuses an account that has any (people.forms.SignInForm).
admin.site.login_form = AdminSignInForm
admin.site.login_template = "people/admin_login.html"

# What an account may do is its role (三权分立): Django's superuser flag, groups and
# permissions are not on the page, so nobody can grant them to anyone, themselves included.
_PRIVILEGES = {"is_superuser", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "office", "is_active", "last_login"]
    list_filter = ["role", "office", "is_active"]
    list_select_related = ["office"]
    raw_id_fields = ["applicant"]
    fieldsets = tuple(
        (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in _PRIVILEGES)})
        for name, opts in BaseUserAdmin.fieldsets
    ) + (("通办", {"fields": ("role", "office", "department", "agent_point", "applicant")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("通办", {"fields": ("role", "office", "department", "agent_point")}),
    )

    actions = ["unlock", "reset_totp"]

    # 三权分立 (people.roles): the system administrator keeps accounts; only the security
    # administrator assigns role, office, department and active flag, never their own role;
    # admin entry and permissions follow the role. Whatever a group may say, by role here.
    def _secadmin(self, request) -> bool:
        return request.user.role == Role.SECADMIN

    def has_secadmin_permission(self, request):
        return self._secadmin(request)

    def has_change_permission(self, request, obj=None):
        allowed = request.user.role in (Role.SYSADMIN, Role.SECADMIN)
        return allowed and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.role == Role.SYSADMIN and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # an account is deactivated (its audit trail names it), not deleted

    def get_readonly_fields(self, request, obj=None):
        fields = ["is_staff", "last_login", "date_joined"]  # is_staff follows the role
        if not self._secadmin(request):
            fields += ASSIGNED_FIELDS
        elif obj is not None and obj.pk == request.user.pk:
            fields.append("role")
        return fields

    def save_model(self, request, obj, form, change):
        assigned = {f: getattr(obj, f) for f in ASSIGNED_FIELDS if f in form.changed_data}
        if change and assigned:  # saved by user_assign, checked and audited
            old = User.objects.get(pk=obj.pk)
            for field in assigned:
                setattr(obj, field, getattr(old, field))
        user_save(user=obj, by=request.user, ip=client_ip(request),
                  changed=[f for f in form.changed_data if f not in assigned])  # fmt: skip
        if assigned:
            user_assign(user=obj, by=request.user, ip=client_ip(request), **assigned)
            obj.refresh_from_db()

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password would let the setter sign in as them: the security
        # administrator's work, for others' accounts (one's own: the desk's password page).
        if not self._secadmin(request) or str(request.user.pk) == str(id):
            raise PermissionDenied(_("只有安全管理员可以为他人设置密码"))
        with transaction.atomic():  # the new password and its audit entry, or neither
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                password_set_audit(user=User.objects.get(pk=id), by=request.user,
                                   ip=client_ip(request), reason="admin_set")  # fmt: skip
        return response

    @admin.action(description="解除登录锁定", permissions=["secadmin"])
    def unlock(self, request, queryset):
        for user in queryset:
            sign_in_unlock(user, by=request.user, ip=client_ip(request))
        self.message_user(request, f"已解除 {len(queryset)} 个账号的登录锁定")

    @admin.action(description="重置动态口令（需重新绑定）", permissions=["secadmin"])
    def reset_totp(self, request, queryset):
        count = sum(totp_reset(user=u, by=request.user, ip=client_ip(request)) for u in queryset)
        self.message_user(request, f"已重置 {count} 个账号的动态口令")


@admin.register(Applicant)
class ApplicantAdmin(SealedSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A person's identity changes through the applicant services (checked, audited), never
    here."""

    list_display = ["name", "kind", "insured_region", "created_at"]
    list_filter = ["kind", "insured_region"]
    # Sealed: found by the exact ID number or full name (lib.admin.SealedSearchMixin).
    search_fields = ["=pk"]
    sealed_search = (applicant_number_q, (Applicant, "name", ""))
    list_select_related = ["insured_region"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The security administrator sees every API token (never the token itself: only its
    SHA-256 is stored) and revokes one by deleting it."""

    list_display = ["user", "created_at", "last_used_at"]
    list_filter = ["user__role"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request, obj=None):
        return False  # tokens come from signing in

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        tokens_revoke(ApiToken.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request, queryset):
        tokens_revoke(queryset, by=request.user)

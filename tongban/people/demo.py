"""The demo city's people (README.md, "Using it"): one user per role at each office it
applies to, named <role>-<office code>, plus the administrators and two applicants."""

import secrets
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import Office

from .models import Applicant, Role, User

OFFICE_ROLES = (Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR, Role.AGENT)
ADMINS = {
    "catalog-admin": (Role.CATALOG_ADMIN, ["catalog", "workdays", "consultations"], "change"),
    "sysadmin": (Role.SYSADMIN, ["people", "offices"], "change"),
    "secadmin": (Role.SECADMIN, ["people.apitoken", "audit"], "view"),
    "auditor": (Role.AUDITOR, ["audit", "cases.caseevent"], "view"),
}
# Beyond their level: the security administrator revokes API tokens.
EXTRA_PERMISSIONS = {"secadmin": [("people", "delete_apitoken")]}
APPLICANTS = {
    "applicant-1": ("371581", "张三（演示）", date(1968, 5, 12), 1),
    "applicant-2": ("371502", "李四（演示）", date(1990, 9, 3), 2),
}


def demo_password() -> str:
    return "Tb-" + secrets.token_urlsafe(9)


def _group(role: str, labels: list[str], level: str) -> Group:
    group, _ = Group.objects.get_or_create(name=Role(role).label)
    perms = Permission.objects.none()
    for label in labels:
        app, _, model = label.partition(".")
        qs = Permission.objects.filter(content_type__app_label=app)
        if model:
            qs = qs.filter(content_type__model=model)
        if level == "view":
            qs = qs.filter(codename__startswith="view_")
        perms |= qs
    group.permissions.set(perms)
    return group


@transaction.atomic
def people_demo(*, password: str) -> list[User]:
    """Create or reset the demo users, every one with `password`."""
    users = []
    # One hash for every demo user: PBKDF2 costs half a second, fifty times over.
    hashed = make_password(password)

    def user(username, role, office=None, applicant=None, staff=False):
        u, _ = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "office": office, "applicant": applicant, "is_staff": staff,
                      "is_active": True, "first_name": ""},
        )  # fmt: skip
        u.password = hashed
        u.save(update_fields=["password"])
        users.append(u)
        return u

    for office in Office.objects.filter(
        external=False, level__in=[Office.Level.CITY, Office.Level.COUNTY]
    ):
        for role in OFFICE_ROLES:
            user(f"{role.replace('_', '-')}-{office.code}", role, office)
    for username, (role, labels, level) in ADMINS.items():
        u = user(username, role, staff=True)
        group = _group(role, labels, level)
        for app, codename in EXTRA_PERMISSIONS.get(username, []):
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app, codename=codename)
            )
        u.groups.set([group])
    for username, (region, name, birth, seq) in APPLICANTS.items():
        applicant, _ = Applicant.objects.update_or_create(
            id_number=synthetic_resident_id(region=region, birth=birth, seq=seq),
            defaults={"kind": Applicant.Kind.PERSON, "name": name, "phone": f"1350635000{seq}",
                      "insured_region": Office.objects.get(code=region)},
        )  # fmt: skip
        user(username, Role.APPLICANT, applicant=applicant)
    return users

"""The demo city's people (README.md, "Using it"): one user per role at each office it
applies to, named <role>-<office code>, plus the administrators and two applicants. The
agents of 莘县 and 临清 work at agent points (offices.demo), and clerk-dd-371522 is a 莘县
clerk stationed at the 燕店 market point, who may act as an agent there."""

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tongban.lib.errors import Forbidden
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.demo import agent_points_demo
from tongban.offices.models import Office

from .models import Applicant, PasswordHistory, Role, User
from .roles import role_privileges_apply
from .services import applicant_by_number

OFFICE_ROLES = (Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR, Role.AGENT)
# Their admin permissions come with the role (people.roles.ADMIN_PERMISSIONS).
ADMINS = {
    "catalog-admin": Role.CATALOG_ADMIN,
    "sysadmin": Role.SYSADMIN,
    "secadmin": Role.SECADMIN,
    "auditor": Role.AUDITOR,
}
# Who works at which agent point: {username: point code}.
STATIONED = {"agent-371522": "DD371522-01", "agent-371581": "DD371581-01",
             "clerk-dd-371522": "DD371522-01", "agent-371526": "DD371526-01"}  # fmt: skip
APPLICANTS = {
    "applicant-1": ("371581", "张三（演示）", date(1968, 5, 12), 1),
    "applicant-2": ("371502", "李四（演示）", date(1990, 9, 3), 2),
}


def demo_password() -> str:
    return "Tb-" + secrets.token_urlsafe(9)


# Offices where other departments' staff review their items (重点项目全程帮办: a project's
# approvals cross departments); each department gets a reviewer and a second reviewer there.
DEPARTMENT_OFFICES = ("371581", "371522")
DEPARTMENT_ROLES = (Role.REVIEWER, Role.SECOND_REVIEWER)


@transaction.atomic
def people_demo(*, password: str, departments: dict[str, str] | None = None) -> list[User]:
    """Create or reset the demo users, every one with `password`. `departments` (a short
    name: the department, as catalog items name it) adds, at each of DEPARTMENT_OFFICES, a
    reviewer and a second reviewer of that department, named <role>-<office code>-<short>
    (reviewer-371581-ny), who take the review steps of that department's items. Refused in the
    production profile: known accounts with one password are for trying tongban only."""
    if settings.TONGBAN_PROFILE == "production":
        raise Forbidden("演示账户不能在生产环境（TONGBAN_PROFILE=production）中创建",
                        code="production")  # fmt: skip
    users = []
    # One hash for every demo user: PBKDF2 costs half a second, fifty times over.
    hashed = make_password(password)

    points = agent_points_demo()

    def user(username, role, office=None, applicant=None, staff=False, department=""):
        point = points.get(STATIONED.get(username, ""))
        u, _ = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "office": office, "applicant": applicant, "is_staff": staff,
                      "is_active": True, "first_name": "", "department": department,
                      "agent_point": point, "verified_at": timezone.now() if applicant else None},
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
    if "DD371522-01" in points:
        user("clerk-dd-371522", Role.CLERK, points["DD371522-01"].office)
    for office in Office.objects.filter(code__in=DEPARTMENT_OFFICES):
        for short, department in (departments or {}).items():
            for role in DEPARTMENT_ROLES:
                user(f"{role.replace('_', '-')}-{office.code}-{short.lower()}", role, office,
                     department=department)  # fmt: skip
    for username, role in ADMINS.items():
        role_privileges_apply(user(username, role, staff=True))
    for username, (region, name, birth, seq) in APPLICANTS.items():
        number = synthetic_resident_id(region=region, birth=birth, seq=seq)
        applicant = applicant_by_number(number) or Applicant(id_number=number)
        applicant.kind, applicant.name, applicant.phone = (
            Applicant.Kind.PERSON,
            name,
            f"1350635000{seq}",
        )
        applicant.insured_region = Office.objects.get(code=region)
        applicant.save()
        user(username, Role.APPLICANT, applicant=applicant)
    # The password is new today: it ages from now (people.passwords.password_expired). A
    # demo reset starts each history again.
    PasswordHistory.objects.filter(user__in=users).delete()
    PasswordHistory.objects.bulk_create(PasswordHistory(user=u, password=hashed) for u in users)
    return users

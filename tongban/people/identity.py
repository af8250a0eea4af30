"""实名核验: whether a person or employer is who an account says. The city plugs in its
identity service (公安人口库 for people, 市场监管 for employers) through
settings.TONGBAN_IDENTITY_BACKEND, the dotted path of a class with the IdentityService
interface; "demo" accepts what the database already holds.

A service raises IdentityUnavailable when it cannot answer now; the account stays unverified
and its owner may try again from their account page."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tongban.lib.sealed import blind_q


class IdentityUnavailable(Exception):
    pass


class IdentityService:
    def verify(self, *, kind: str, id_number: str, name: str, operator_name: str = "",
               phone: str = "") -> bool:  # pragma: no cover  # fmt: skip
        """Whether `id_number` (a resident ID number for kind "person", a unified social
        credit code for "employer", both already valid in form) belongs to `name`. For an
        employer the number and the name are public (every business licence shows them): a
        real service must also confirm that `operator_name`, reached at `phone`, acts for it
        (the legal representative's authorisation through 电子营业执照, say)."""
        raise NotImplementedError


class DemoIdentityService(IdentityService):
    """The people and employers the demo city holds, by number and name: its applicants that
    staff recorded (seeded, or seen at a window), not those that sign-up itself made."""

    def verify(self, *, kind: str, id_number: str, name: str, operator_name: str = "",
               phone: str = "") -> bool:  # fmt: skip
        from .models import Applicant

        return Applicant.objects.filter(
            blind_q(Applicant, "id_number", id_number), blind_q(Applicant, "name", name),
            kind=kind, self_registered=False,
        ).exists()  # fmt: skip


def identity_service() -> IdentityService:
    name = settings.TONGBAN_IDENTITY_BACKEND
    if name == "demo":
        return DemoIdentityService()
    try:
        return import_string(name)()
    except ImportError as e:
        raise ImproperlyConfigured(
            f"TONGBAN_IDENTITY_BACKEND must be demo or a class path, not {name!r}"
        ) from e

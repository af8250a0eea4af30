from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.models import AuditEntry
from tongban.audit.services import record
from tongban.lib import sql
from tongban.lib.errors import InvalidInput
from tongban.lib.identifiers import IdentifierError, resident_id_validate, uscc_validate
from tongban.lib.text import text_clean
from tongban.offices.selectors import office_by_code

from .models import ApiToken, Applicant
from .selectors import token_forget_digest, tokens_cache_clear


def applicant_identify(id_number: str, kind: str | None = None) -> tuple[str, str]:
    """(kind, normalized number) of a resident ID number or a unified social credit code.

    Raises InvalidInput (field "applicant.id_number") naming what is wrong."""
    if not isinstance(id_number, str) or not id_number.strip():
        raise InvalidInput(_("证件号码必填"), code="required", field="applicant.id_number")
    if kind not in (None, "", "person", "employer"):
        raise InvalidInput(
            _("申请人类型应为 person 或 employer，而不是 %(kind)r") % {"kind": kind},
            field="applicant.kind",
        )
    try:
        if kind == "employer":
            return "employer", uscc_validate(id_number)
        return "person", resident_id_validate(id_number)
    except IdentifierError as person_error:
        if kind == "person":
            raise InvalidInput(
                person_error.message, code=person_error.code, field="applicant.id_number"
            ) from None
        try:
            return "employer", uscc_validate(id_number)
        except IdentifierError:
            raise InvalidInput(
                person_error.message, code=person_error.code, field="applicant.id_number"
            ) from None


def applicant_upsert(*, id_number: str, name: str, phone: str = "", insured_region: str,
                     kind: str | None = None) -> Applicant:  # fmt: skip
    """The one record of a person or employer, created or brought up to date.

    Raises InvalidInput naming the field for a bad number, name, phone or region."""
    kind, number = applicant_identify(id_number, kind)
    name = text_clean(
        name, field="applicant.name", label=_("姓名/单位名称"), max_length=100, required=True
    )
    phone = (phone or "").strip() if isinstance(phone, str) else None
    if phone is None or (
        phone and (not phone.replace("-", "").isdigit() or not 7 <= len(phone) <= 20)
    ):
        raise InvalidInput(
            _("联系电话格式不正确: %(phone)r") % {"phone": phone},
            code="invalid_phone",
            field="applicant.phone",
        )
    region = office_by_code(insured_region) if isinstance(insured_region, str) else None
    if region is None:
        raise InvalidInput(
            _("参保地 %(region)r 不是已知的区划代码") % {"region": insured_region},
            code="unknown_region",
            field="applicant.insured_region",
        )
    values = {"kind": kind, "name": name, "phone": phone, "insured_region": region}
    # Every application at a window or by an agent comes here: prepared statements, and an
    # insert that cannot fail on a concurrent request's insert (so needs no savepoint).
    applicant = sql.get(Applicant, "id_number", number)
    if applicant is None:
        applicant = Applicant(id_number=number, **values)
        if sql.save_new(applicant, unless_exists=("id_number",)):
            return applicant
        applicant = sql.get(Applicant, "id_number", number)  # a concurrent request's
    if applicant.name != name and applicant.kind == Applicant.Kind.PERSON:
        # An ID number names one person: a different name is a typo or the wrong card,
        # never a reason to rename them on every case they have.
        raise InvalidInput(_("姓名与证件号码不符：该证件号码已登记为另一姓名，请核对证件"),
                           code="id_name_mismatch", field="applicant.name")  # fmt: skip
    # The region by key: reading applicant.insured_region would cost a query every time.
    same_region = applicant.insured_region_id == region.pk
    changed = [
        k
        for k, v in values.items()
        if (not same_region if k == "insured_region" else getattr(applicant, k) != v)
        and (k != "phone" or v)
    ]
    if changed:
        record(event="people.applicant_updated", target=applicant.pk,
               changed={k: [str(getattr(applicant, k)), str(values[k])] for k in changed})  # fmt: skip
        for k in changed:
            setattr(applicant, k, values[k])
        applicant.save(update_fields=changed)
    return applicant


def user_save(*, user) -> None:
    """Save a change to an account (its role, office, active flag): what this process knew of
    its API tokens is forgotten at once, so a deactivation or a new role counts from the next
    request here, and within TONGBAN_TOKEN_CACHE_SECONDS in every other process."""
    user.save()
    tokens_cache_clear()


def token_revoke(key: str, *, ip: str | None = None) -> bool:
    """Sign an API client out: its token stops working here at once and in every other server
    process within TONGBAN_TOKEN_CACHE_SECONDS. Returns whether there was such a token."""
    tokens = ApiToken.objects.filter(digest=ApiToken.hash(key))
    return tokens_revoke(tokens, by=None, ip=ip, face="api") > 0


def tokens_revoke(tokens, *, by, ip: str | None = None, face: str = "admin") -> int:
    """Revoke `tokens` (a queryset of ApiToken), each audited; `by` is who did it (None: the
    token's own user signing out). Returns how many."""
    revoked = 0
    with transaction.atomic():
        for token in tokens.select_related("user"):
            token_forget_digest(token.digest)
            token.delete()
            record(event="auth.token_revoked", user=by or token.user, ip=ip, face=face,
                   token_user=token.user.username)  # fmt: skip
            revoked += 1
    return revoked


SIGN_IN_EVENTS = ("auth.login", "auth.token_issued")


def login_locked(username: str, *, now=None) -> bool:
    """等保 lock-out: TONGBAN_LOCKOUT_FAILURES failed sign-ins for `username` within
    TONGBAN_LOCKOUT_MINUTES, counted since its last successful sign-in (pages or API)."""
    if not username:
        return False
    since = (now or timezone.now()) - timedelta(minutes=settings.TONGBAN_LOCKOUT_MINUTES)
    entries = AuditEntry.objects.filter(username=username, at__gte=since)
    last_success = entries.filter(event__in=SIGN_IN_EVENTS).aggregate(at=Max("at"))["at"]
    failures = entries.filter(event="auth.login_failed")
    if last_success:
        failures = failures.filter(at__gt=last_success)
    limit = settings.TONGBAN_LOCKOUT_FAILURES
    return failures[:limit].count() >= limit

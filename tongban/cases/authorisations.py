"""委托书: the written authorisation under which an agent acts for a person or an employer.

An agent applies, hands in supplements, withdraws and follows cases only for someone who
authorised them, for the items authorised, while the authorisation is in force
(cases.access.authorisation_refusal says why not, with an `authorisation_` code). One is made
at a window by a clerk who saw both identity documents, or by the applicant on the portal; the
signed letter is kept as a file, checked and stored as material files are; the applicant sees
and revokes theirs on the portal. Every step is audited.

An agent names the person they act for by ID number and name, and changes nothing on the
person's record: a new phone number or insured region is the person's to confirm."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.audit.services import record
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.lib.text import name_clean
from tongban.people.models import Applicant, Role, User
from tongban.people.services import (
    applicant_by_number,
    applicant_identify,
    applicant_may_apply,
    applicant_upsert,
    contact_code_send,
)

from .access import authorisation_refusal, authorisation_refused
from .attachments import upload_checked, upload_store, uploads_atomic
from .models import Authorisation

MAX_DAYS = 3 * 366  # an authorisation longer than three years is a typo


def authorisation_make(*, applicant: Applicant | dict, agent: str | User, items: list[str],
                       valid_from: date, valid_to: date, letter, by: User,
                       identities_checked: bool = False, ip: str | None = None) -> Authorisation:  # fmt: skip
    """Record that `applicant` authorises `agent` (a user name or a user with the agent role)
    for `items` (item codes; none: every item) from `valid_from` to `valid_to`, with the signed
    `letter` (PDF, JPEG or PNG). `by` is a clerk at a window, who must have checked both
    identity documents (`identities_checked`) and may give the applicant's details
    (applicant_upsert's, in the same transaction), or the applicant's own verified account.

    Raises InvalidInput naming the field, Forbidden for anyone else; nothing is stored then."""
    if by.role == Role.CLERK:
        if not identities_checked:
            raise InvalidInput(_("请核验委托人和代办人的身份证件后勾选确认"),
                               code="identities_not_checked", field="identities_checked")  # fmt: skip
        channel = Authorisation.Channel.WINDOW
    elif (
        by.role == Role.APPLICANT
        and isinstance(applicant, Applicant)
        and by.applicant_id == applicant.pk
    ):
        applicant_may_apply(by)  # a real-name verified account only
        channel = Authorisation.Channel.WEB
    else:
        raise Forbidden(_("委托书由窗口受理员或申请人本人办理"), code="authorisation_forbidden")
    agent = _agent(agent)
    if valid_to < valid_from:
        raise InvalidInput(_("截止日期不能早于生效日期"), code="invalid_period", field="valid_to")
    if valid_to < timezone.localdate():
        raise InvalidInput(_("截止日期已过"), code="invalid_period", field="valid_to")
    if (valid_to - valid_from).days > MAX_DAYS:
        raise InvalidInput(_("委托期限最长三年"), code="invalid_period", field="valid_to")
    codes = list(dict.fromkeys(items or []))
    found = {i.code: i for i in ServiceItem.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(_("没有这些事项: %(codes)s") % {"codes": ", ".join(unknown[:10])},
                           code="unknown_item", field="items")  # fmt: skip
    content_type, ext, sha256, name = upload_checked(letter, field="letter")
    with uploads_atomic():
        if isinstance(applicant, dict):
            applicant = applicant_upsert(**applicant, by=by)
        authorisation = Authorisation(
            applicant=applicant, agent=agent, valid_from=valid_from, valid_to=valid_to,
            letter_name=name, letter_sha256=sha256, channel=channel, made_by=by,
        )  # fmt: skip
        upload_store(authorisation.letter, letter, ext)
        authorisation.save()
        authorisation.items.set(found.values())
        record(event="authorisation.made", user=by, ip=ip, target=authorisation.pk,
               agent=agent.username, applicant=applicant.pk, items=codes or "all",
               valid_from=valid_from, valid_to=valid_to, channel=channel)  # fmt: skip
    return authorisation


def may_be_agent(user: User) -> bool:
    """Who may be named as an agent: an active user with the agent role, or a clerk stationed
    at an agent point (代办点) in use, who acts as an agent there."""
    if not user.is_active:
        return False
    if user.role == Role.AGENT:
        return True
    return user.role == Role.CLERK and user.agent_point_id is not None and user.agent_point.active


def _agent(agent: str | User) -> User:
    if isinstance(agent, str):
        agent = User.objects.filter(username=agent.strip(), is_active=True).first()
    if agent is None or not may_be_agent(agent):
        raise InvalidInput(_("代办人应为在用的帮办代办员账号，或驻代办点的窗口受理员"),
                           code="unknown_agent", field="agent")  # fmt: skip
    return agent


@transaction.atomic
def authorisation_revoke(*, authorisation: Authorisation, by: User,
                         ip: str | None = None) -> Authorisation:  # fmt: skip
    """The applicant (or a clerk at a window, for them) ends an authorisation now: from the
    next request its agent can no longer act or follow its cases. Raises NotFound for anyone
    else, Conflict when it was revoked already."""
    authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if not authorisation_visible(by, authorisation) or by.role == Role.AGENT:
        raise NotFound(_("没有这份委托书"), code="authorisation_not_found")
    if authorisation.revoked_at is not None:
        raise Conflict(_("委托书已于 %(at)s 撤销") % {
                           "at": timezone.localtime(authorisation.revoked_at).strftime("%Y-%m-%d %H:%M")},
                       code="authorisation_revoked")  # fmt: skip
    authorisation.revoked_at, authorisation.revoked_by = timezone.now(), by
    authorisation.save(update_fields=["revoked_at", "revoked_by"])
    record(event="authorisation.revoked", user=by, ip=ip, target=authorisation.pk,
           agent=authorisation.agent.username, applicant=authorisation.applicant_id)  # fmt: skip
    return authorisation


STATES = {
    "in_force": gettext_lazy("有效"),
    "not_yet_valid": gettext_lazy("尚未生效"),
    "expired": gettext_lazy("已过期"),
    "revoked": gettext_lazy("已撤销"),
}


def authorisations_stated(rows, *, on: date | None = None) -> list[Authorisation]:
    """`rows` with `state` (a key of STATES: "in_force", or the refusal's code without its
    prefix), `state_label` and `in_force` set, as the pages and the API show them."""
    on = on or timezone.localdate()
    rows = list(rows)
    for a in rows:
        refusal = authorisation_refusal(a, on=on)
        a.state = refusal.removeprefix("authorisation_") if refusal else "in_force"
        a.state_label, a.in_force = STATES[a.state], refusal is None
    return rows


def authorisation_visible(user: User, authorisation: Authorisation) -> bool:
    """The applicant's own, the agent's own, and clerks' (who make them at the window and may
    hold them as agents at an agent point)."""
    if user.role == Role.APPLICANT:
        own = user.own_applicant_id
        return own is not None and authorisation.applicant_id == own
    if user.role == Role.AGENT:
        return authorisation.agent_id == user.pk
    return user.role == Role.CLERK


def authorisations_visible(user: User):
    """The authorisations `user` may list: their own as applicant or agent; a clerk's, those
    made at their office's windows; newest first."""
    qs = Authorisation.objects.select_related("applicant", "agent").prefetch_related("items")
    if user.role == Role.APPLICANT:
        own = user.own_applicant_id
        qs = qs.filter(applicant_id=own) if own else qs.none()
    elif user.role == Role.AGENT:
        qs = qs.filter(agent=user)
    elif user.role == Role.CLERK:
        qs = qs.filter(Q(made_by__office_id=user.office_id) | Q(agent=user))
    else:
        qs = qs.none()
    return qs.order_by("-made_at", "-pk")


def authorisation_for(*, agent: User, applicant: Applicant, item_code: str,
                      on: date | None = None) -> Authorisation:  # fmt: skip
    """The authorisation under which `agent` may apply for `applicant` for item `item_code`
    on day `on` (today). Raises Forbidden with the code that says why not: missing, revoked,
    not yet valid, expired, out of scope (the most telling of them when several exist)."""
    on = on or timezone.localdate()
    found = Authorisation.objects.filter(agent=agent, applicant=applicant).prefetch_related("items")
    refusals = []
    for authorisation in found.order_by("-valid_to", "-pk"):
        refusal = authorisation_refusal(authorisation, on=on, item_code=item_code)
        if refusal is None:
            return authorisation
        refusals.append(refusal)
    for code in ("authorisation_out_of_scope", "authorisation_expired",
                 "authorisation_not_yet_valid", "authorisation_revoked"):  # fmt: skip
        if code in refusals:
            raise authorisation_refused(code)
    raise authorisation_refused("authorisation_missing")


def applicant_for_agent(given: dict, *, by: User) -> Applicant:
    """The person or employer an agent (`by`) names by ID number and name: their record as it
    is. A phone number or insured region that differs from the record changes it only with
    the person's confirmation, the code sent to the number on record (`contact_code`, see
    people.services.contact_code_send); without it the change is refused, never written
    silently."""
    if not isinstance(given, dict):
        raise InvalidInput(_("applicant 应为对象"), code="invalid", field="applicant")
    _kind, number = applicant_identify(given.get("id_number"), given.get("kind") or None)
    name = name_clean(given.get("name"), field="applicant.name", label=_("姓名/单位名称"))
    applicant = applicant_by_number(number)
    if applicant is None:
        raise authorisation_refused("authorisation_missing")
    if name != applicant.name:
        raise InvalidInput(_("姓名与证件号码不符：该证件号码已登记为另一姓名，请核对证件"),
                           code="id_name_mismatch", field="applicant.name")  # fmt: skip
    phone = str(given.get("phone") or "").strip()
    region = str(given.get("insured_region") or "").strip()
    if (phone and phone != applicant.phone) or (region and region != applicant.insured_region.code):
        if given.get("contact_code"):
            return applicant_upsert(id_number=number, name=name, phone=phone or applicant.phone,
                                    insured_region=region or applicant.insured_region.code,
                                    kind=applicant.kind, by=by,
                                    contact_code=given["contact_code"])  # fmt: skip
        raise InvalidInput(
            _("代办人更改申请人的联系电话或参保地，须填写发送到申请人原手机号码的验证码，"
              "或由申请人在窗口核验身份后更改"),
            code="contact_change_not_allowed",
            field="applicant.phone"
            if phone and phone != applicant.phone
            else "applicant.insured_region",
        )
    return applicant


def contact_code_request(*, id_number: str, phone: str = "", insured_region: str = "",
                         by: User, ip: str | None = None) -> str:  # fmt: skip
    """Send the person whose number is `id_number` the code that confirms a change of their
    phone and/or insured region (people.services.contact_code_send): a clerk for anyone on
    record; an agent only for someone whose authorisation to them is in force. An unknown
    number and someone who did not authorise the agent get one and the same answer (404), so
    that nobody probes who is on record. Returns the number it went to, masked."""
    if by.role not in (Role.CLERK, Role.AGENT):
        raise Forbidden(_("由窗口受理员或帮办代办员为申请人发送"), code="contact_code_forbidden")
    _kind, number = applicant_identify(id_number)
    applicant = applicant_by_number(number)
    if applicant is not None and by.role == Role.AGENT:
        today = timezone.localdate()
        held = Authorisation.objects.filter(agent=by, applicant=applicant, revoked_at__isnull=True,
                                            valid_from__lte=today, valid_to__gte=today)  # fmt: skip
        applicant = applicant if held.exists() else None
    if applicant is None:
        raise NotFound(_("没有该证件号码的申请人记录"), code="applicant_not_found")
    return contact_code_send(applicant=applicant, phone=phone, insured_region=insured_region,
                             by=by, ip=ip)  # fmt: skip

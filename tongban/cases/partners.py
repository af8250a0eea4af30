"""A case's part in 异地代收代办 (跨区通办): forwarded to a partner platform, or received from one.

Collecting side (收件地): a clerk takes a window application for an item the partner decides,
checks form and identity, uploads the materials and forwards it (case_forward). From then on
the partner decides; this case follows what the partner reports (case_mirror) and its window
answers the partner's supplement notices with the normal `supplement` action, whose change
goes out as a message (services._partner_report).

Deciding side (办理地): the forwarded application becomes a case in the city-wide intake
(case_receive), which the clerks take, accept, ask to supplement and decide with the normal
actions; each step goes back as a message. A supplement that the collecting window took is
applied here (case_partner_supplement).

The messages themselves — their signatures, checks, outbox and delivery — are
tongban.exchange's and tongban.crossregion's.
"""

from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog.models import Agreement, Channel
from tongban.catalog.selectors import item_version_current
from tongban.catalog.services import form_clean
from tongban.exchange.services import outbox_put
from tongban.lib import sql
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.offices.models import Office
from tongban.people.models import Role, User
from tongban.people.services import applicant_upsert

from . import access
from .attachments import attachment_add, upload_checked, upload_store, uploads_atomic
from .models import Action, Attachment, Case, Notice, PartnerRole, Result, Status
from .selectors import case_by_number
from .services import (
    _HANDLERS,
    Act,
    _check_materials,
    _event,
    _next_number,
    _prereview_end,
    _prereview_start,
)


def agreements_for_case(case: Case, *, today=None) -> list[Agreement]:
    """The agreements in force under which `case` could be forwarded: of its office, covering
    its item, with the partner's platform connected."""
    today = today or timezone.localdate()
    rows = (
        Agreement.objects.select_related("partner")
        .filter(office_id=case.handling_office_id, items=case.item_id, valid_from__lte=today)
        .exclude(partner_url="")
        .exclude(partner_key="")
        .exclude(code=None)
        .order_by("partner__code")
    )
    return [a for a in rows if a.in_force(today)]


def case_forward(*, number: str, agreement: Agreement | int | str, actor: User,
                 reason: str = "", files=(), ip: str | None = None) -> Case:  # fmt: skip
    """Forward window application `number` to the partner of `agreement` (its id or code),
    which will decide it: the collecting window has checked form and identity and uploaded the
    materials. The forward message is queued in the same transaction.

    Raises NotFound (a case the actor may not see), Forbidden (not a clerk of the case's
    office), Conflict (not a window application still waiting here, or already forwarded),
    InvalidInput naming `agreement` (unknown, not in force, not covering the item, the
    partner's platform not connected, not of the case's office) or `materials` (a main
    material not handed in)."""
    with uploads_atomic():
        case = case_by_number(number, lock=True, history=True)
        if case is None or not access.case_visible(actor, case):
            raise NotFound(_("办件 %(number)s 不存在") % {"number": number}, code="case_not_found")
        if actor.role != Role.CLERK or actor.office_id != case.handling_office_id:
            raise Forbidden(_("只有本办件所在经办机构的窗口受理员可以转交办理地"),
                            code="action_forbidden")  # fmt: skip
        if case.partner_role:
            raise Conflict(_("办件已在跨区通办中（%(role)s）") % {"role": case.get_partner_role_display()},
                           code="already_forwarded")  # fmt: skip
        if case.channel != Channel.WINDOW or case.status != Status.SUBMITTED:
            raise Conflict(_("只有尚未受理的窗口申请可以转交办理地（当前: %(status)s）") % {
                               "status": case.get_status_display()}, code="transition_not_allowed")  # fmt: skip
        agreement = _agreement_of(agreement)
        if agreement.pk not in {a.pk for a in agreements_for_case(case)}:
            raise InvalidInput(_("协议 %(code)s 不能用于此办件：须为本机构生效中的协议、含事项“%(item)s”、"
                                 "且已接通对方平台") % {"code": agreement.code, "item": case.item.name},
                               code="agreement_not_applicable", field="agreement")  # fmt: skip
        version = case.item_version
        missing_main = [c for c in version.main_material_codes if c not in case.supplied_materials]
        if missing_main:
            raise InvalidInput(_("主要材料未收齐，请先一次性告知补正再转交"),
                               code="main_materials_missing", field="materials")  # fmt: skip
        for material, file in files:
            attachment_add(case=case, material=material, file=file, user=actor)
        now = timezone.now()
        case.agreement, case.partner_role = agreement, PartnerRole.COLLECTING
        case.version += 1
        # The §32 pre-review clock is the deciding office's from here on, not this window's.
        sql.update(case, ("agreement", "partner_role", "version", "updated_at",
                          *_prereview_end(case)))  # fmt: skip
        office = actor.office
        _event(case, Action.FORWARD, case.status, actor=actor, office=office, at=now, ip=ip,
               reason=reason or _("转交%(partner)s办理") % {"partner": agreement.partner.name},
               data={"agreement": agreement.code, "partner": agreement.partner.code})  # fmt: skip
        applicant = case.applicant
        outbox_put(
            agreement_id=agreement.pk, kind="case.forward", case_number=case.number, now=now,
            body={
                "case": case.number, "item": case.item.code,
                "applicant": {"id_number": applicant.id_number, "name": applicant.name,
                              "phone": applicant.phone, "kind": applicant.kind,
                              "insured_region": case.insured_region.code},
                "form": case.form, "materials": case.supplied_materials,
                "submitted_at": case.submitted_at.isoformat(), "forwarded_at": now.isoformat(),
                "office": office.name, "clerk": actor.get_full_name() or actor.username,
            },
        )  # fmt: skip
    return case


def _agreement_of(agreement) -> Agreement:
    if isinstance(agreement, Agreement):
        return agreement
    query = Agreement.objects.select_related("partner")
    found = None
    if isinstance(agreement, int) or (isinstance(agreement, str) and agreement.isdigit()):
        found = query.filter(pk=int(agreement)).first()
    if found is None and isinstance(agreement, str):
        found = query.filter(code=agreement).first()
    if found is None:
        raise InvalidInput(_("没有这个跨区通办协议: %(value)r") % {"value": agreement},
                           code="unknown_agreement", field="agreement")  # fmt: skip
    return found


# --- The deciding side ------------------------------------------------------------------------


def platform_user(agreement: Agreement) -> User:
    """The account that stands for the partner's platform on its cases here (who submitted a
    received application, who handed in its supplements): no password, cannot sign in."""
    user, created = User.objects.get_or_create(
        username=f"platform-{agreement.partner.code}",
        defaults={"role": Role.AGENT, "is_active": False,
                  "first_name": agreement.partner.name[:150]},
    )  # fmt: skip
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def case_receive(*, agreement: Agreement, origin: str, body: dict, files: list[dict]) -> Case:
    """A case forwarded from the partner's window (case.forward), entered into the city-wide
    intake like an online application; `files` are its materials ({material, name,
    content_type, data: bytes}). Call inside the transaction that records the message.
    Raises InvalidInput for what this platform cannot take (an unknown item, a bad applicant,
    a form or a material the item does not have)."""
    if Case.objects.filter(agreement=agreement, partner_number=origin).exists():
        raise Conflict(
            _("对方办件 %(number)s 已经转来过") % {"number": origin}, code="already_received"
        )
    by = platform_user(agreement)
    version = item_version_current(code=body.get("item", ""))
    given = body.get("applicant") or {}
    region = given.get("insured_region", "")
    if not Office.objects.filter(code=region).exists():
        region = agreement.partner.code  # the partner's own region: an external office here
    applicant = applicant_upsert(
        id_number=given.get("id_number", ""), name=given.get("name", ""),
        phone=given.get("phone", ""), insured_region=region, kind=given.get("kind"), by=by,
        identity_shown=True,  # the collecting window checked it: a duty of the agreement
    )  # fmt: skip
    materials = _check_materials(version, body.get("materials") or [])
    form = form_clean(version=version, form=body.get("form") or {})
    now = timezone.now()
    case = Case(
        item=version.item, item_version=version, applicant=applicant,
        insured_region_id=applicant.insured_region_id, submitted_by=by, channel=Channel.WEB,
        submitted_at=now, form=form, supplied_materials=materials,
        agreement=agreement, partner_role=PartnerRole.DECIDING, partner_number=origin[:30],
    )  # fmt: skip
    _prereview_start(case, timezone.localdate(now))
    case.number = _next_number(settings.TONGBAN_CITY_CODE, timezone.localdate(now))
    sql.save_new(case)
    case.history_rows = []
    _event(case, Action.SUBMIT, "", actor=by, office=None, at=now,
           reason=_("%(office)s窗口异地代收，经跨区通办转来（对方办件 %(number)s）") % {
               "office": body.get("office", agreement.partner.name), "number": origin},
           data={"materials": materials, "agreement": agreement.code,
                 "partner_case": origin})  # fmt: skip
    for f in files:
        _attachment_store(case, f, by, known=version.material_codes)
    return case


def _attachment_store(case: Case, f: dict, by: User, *, known) -> Attachment:
    if f.get("material") not in known:
        raise InvalidInput(_("转来的文件所属材料 %(material)r 不是该事项的材料") % {
                               "material": f.get("material")}, code="unknown_material", field="files")  # fmt: skip
    upload = ContentFile(f["data"], name=f.get("name") or "material")
    content_type, ext, sha256, name = upload_checked(upload, field="files")
    attachment = Attachment(case=case, material=f["material"], original_name=name,
                            content_type=content_type, size=upload.size, sha256=sha256,
                            uploaded_by=by)  # fmt: skip
    upload_store(attachment.file, upload, ext)
    attachment.save(force_insert=True)
    return attachment


def case_partner_supplement(*, agreement: Agreement, origin: str, body: dict,
                            files: list[dict]) -> Case:  # fmt: skip
    """The supplement the collecting window took for the notice this side sent: its files are
    stored and the normal `supplement` action runs, by the partner's platform account."""
    case = _deciding_case(agreement, origin)
    by = platform_user(agreement)
    for f in files:
        _attachment_store(case, f, by, known=case.item_version.material_codes)
    materials = (body.get("data") or {}).get("materials") or []
    _HANDLERS[Action.SUPPLEMENT](Act(case=case, actor=by, now=timezone.now()),
                                 materials=materials, reason=body.get("reason", ""))  # fmt: skip
    return case


def _deciding_case(agreement: Agreement, origin: str) -> Case:
    pk = (
        Case.objects.filter(agreement=agreement, partner_number=origin)
        .values_list("number", flat=True)
        .first()
    )
    case = case_by_number(pk, lock=True, history=True) if pk else None
    if case is None:
        raise NotFound(_("本平台没有对方办件 %(number)s 转来的办件") % {"number": origin},
                       code="case_not_found")  # fmt: skip
    return case


# --- The collecting side ----------------------------------------------------------------------


def case_mirror(*, agreement: Agreement, origin: str, body: dict,
                notice: dict | None = None) -> Case:  # fmt: skip
    """A step the partner took on a case this window forwarded (case.event): the case shows
    the partner's status, result and review step, and its history the step, with who did it
    where; a notice the partner issued is kept with its PDF, so the window hands over the
    partner's own document. Raises NotFound for a case not forwarded under `agreement`."""
    case = case_by_number(origin, lock=True, history=True)
    if (
        case is None
        or case.agreement_id != agreement.pk
        or case.partner_role != PartnerRole.COLLECTING
    ):
        raise NotFound(_("本平台没有转交对方的办件 %(number)s") % {"number": origin},
                       code="case_not_found")  # fmt: skip
    to = body.get("to")
    if to not in Status.values:
        raise InvalidInput(_("未知的办件状态 %(status)r") % {"status": to}, field="to")
    at = _when(body.get("at"))
    from_status = case.status
    case.status = to
    result = body.get("result") or ""
    case.result = result if result in Result.values else ""
    case.step = int(body.get("step") or 0)
    case.partner_number = (body.get("partner_case") or case.partner_number)[:30]
    case.missing_materials = [c for c in body.get("missing_materials") or []
                              if c in case.item_version.material_codes]  # fmt: skip
    case.reason = body.get("reason") or case.reason
    case.version += 1
    fields = ["status", "result", "step", "partner_number", "missing_materials", "reason",
              "version", "updated_at"]  # fmt: skip
    if to == Status.ACCEPTED and case.accepted_at is None:
        case.accepted_at = at
        fields.append("accepted_at")
    if to in (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN):
        case.completed_at = at
        fields.append("completed_at")
    sql.update(case, tuple(fields))
    action = body.get("action") if body.get("action") in Action.values else Action.FORWARD
    office = body.get("office") or agreement.partner.name
    _event(case, action, from_status, actor=None, office=None, at=at,
           reason=body.get("reason", ""),
           data={"partner": agreement.partner.code, "partner_office": office,
                 "partner_actor": body.get("actor", ""), "partner_case": case.partner_number,
                 "missing_materials": case.missing_materials})  # fmt: skip
    if notice:
        _notice_keep(case, agreement, notice, at)
    return case


def _when(value) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.now()
    return at if timezone.is_aware(at) else timezone.now()


def _notice_keep(case: Case, agreement: Agreement, notice: dict, at: datetime) -> None:
    """The partner's notice on this side: its content as issued, and its PDF as the partner
    rendered it (cases.notices.notice_pdf_stored serves that file for it)."""
    kind = notice.get("kind")
    if kind not in Notice.Kind.values:
        return
    data = dict(notice.get("data") or {})
    pdf = notice.get("pdf")
    if pdf and pdf[:5] == b"%PDF-":
        name = default_storage.save(f"notices/partner/{case.number}-{kind}.pdf", ContentFile(pdf))
        data["partner_pdf"] = name
    data["partner"] = agreement.partner.code
    Notice.objects.create(case=case, kind=kind, issued_at=at, issued_by=None,
                          office=agreement.partner, data=data)  # fmt: skip

"""The case lifecycle (docs/domain.md, "Case lifecycle"). Every write to a case goes through here.

Each action is one transaction: lock the case row, check who acts and from which status,
change it, write its CaseEvent (and Notice where the law wants a written one). Two people
acting at once queue on the row lock; the second finds the status moved and gets a Conflict.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.catalog.models import ONLINE_CHANNELS, Channel, ItemVersion
from tongban.catalog.selectors import item_version_current
from tongban.catalog.services import (
    bundle_material_names,
    bundle_spec,
    bundle_split,
    decision_clean,
    fields_shown,
    fields_total,
    form_clean,
)
from tongban.exchange.services import outbox_put
from tongban.lib import sql
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.lib.text import date_clean, text_clean
from tongban.offices.models import Office, Window
from tongban.offices.selectors import office_window
from tongban.people.models import Applicant, Role, User
from tongban.people.services import applicant_may_apply, applicant_upsert, contact_code_checked
from tongban.workdays import services as workdays

from . import access, authorisations
from .models import (
    IN_INTAKE,
    Action,
    BundleApplication,
    BundleNotice,
    Case,
    CaseCounter,
    CaseEvent,
    ClockStop,
    Extension,
    Notice,
    PartnerRole,
    SpecialProcedure,
    Status,
    action_open,
)
from .selectors import broken_promises, case_by_number, history_append

APPEAL_NOTE = (
    "如对本决定不服，可自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"
)


# --- Numbers -------------------------------------------------------------------------------


def _next_number(prefix: str, day: date) -> str:
    """`<prefix>-<yyyymmdd>-<sequence>`, the sequence counted per prefix (an office's division
    code for cases) and day.

    One upsert statement on both databases; the counter row stays locked until commit, so
    numbers are never handed out twice."""
    table = CaseCounter._meta.db_table
    with sql.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix, day],
        )
        (sequence,) = cursor.fetchone()
    return f"{prefix}-{day:%Y%m%d}-{sequence:06d}"


# --- Submitting ----------------------------------------------------------------------------


def _check_materials(version: ItemVersion, codes, field: str = "materials") -> list[str]:
    if codes is None:
        return []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput(
            _("%(field)s 应为材料编码的列表") % {"field": field},
            code="invalid_materials",
            field=field,
        )
    known = set(version.material_codes)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(
            _("事项“%(item)s”没有这些材料: %(unknown)s；可用的材料编码: %(codes)s")
            % {
                "item": version.item.name,
                "unknown": ", ".join(unknown),
                "codes": ", ".join(version.material_codes) or _("无"),
            },
            code="unknown_material",
            field=field,
        )
    return [c for c in version.material_codes if c in set(codes)]  # catalog order, no repeats


def _material_names(version: ItemVersion, codes) -> list[dict]:
    by_code = {m["code"]: m for m in version.materials}
    return [{"code": c, "name": by_code[c]["name"]} for c in codes if c in by_code]


def idempotency_key_clean(key) -> str:
    """An Idempotency-Key as given (HTTP header, form field), stripped: "" for none.

    Raises InvalidInput for one over 100 characters."""
    key = (key or "").strip() if isinstance(key, str) else ""
    if len(key) > 100:
        raise InvalidInput(_("Idempotency-Key 最长 100 个字符"), code="invalid_idempotency_key",
                           field="Idempotency-Key")  # fmt: skip
    return key


def _acting_as_agent(submitted_by: User, as_agent: bool) -> bool:
    """Whether the submitter applies as an agent, under an authorisation: an agent always; a
    clerk stationed at an agent point (代办点) when they say so (the person is not there)."""
    if submitted_by.role == Role.AGENT:
        return True
    if not as_agent:
        return False
    if submitted_by.role != Role.CLERK or not authorisations.may_be_agent(submitted_by):
        raise InvalidInput(_("只有驻代办点的窗口受理员可以作为代办人申请"),
                           code="not_at_agent_point", field="as_agent")  # fmt: skip
    return True


def _applicant_of(submitted_by: User, given: Applicant | dict | None,
                  as_agent: bool = False) -> Applicant:  # fmt: skip
    """Who applies. An applicant account applies as itself and names nobody; staff and agents
    name the applicant: a record, or the details applicant_upsert() takes, which create or
    bring up to date the person's one record (call inside the application's transaction, so
    that a refused application leaves no record behind)."""
    if submitted_by.role == Role.APPLICANT:
        if given is not None and not (
            isinstance(given, Applicant) and given.pk == submitted_by.applicant_id
        ):
            raise InvalidInput(_("申请人本人申请时不填 applicant"),
                               code="applicant_not_allowed", field="applicant")  # fmt: skip
        if submitted_by.applicant is None:
            raise Forbidden(_("此账号没有关联申请人信息"), code="no_applicant_record")
        applicant_may_apply(submitted_by)
        return submitted_by.applicant
    if given is None:
        raise InvalidInput(_("代他人申请时必填 applicant"), field="applicant")
    if isinstance(given, Applicant):
        return given
    if as_agent:  # under an authorisation: the record as it is
        return authorisations.applicant_for_agent(given, by=submitted_by)
    if not isinstance(given, dict):
        raise InvalidInput(_("applicant 应为对象"), code="invalid", field="applicant")
    return applicant_upsert(**given, by=submitted_by)


def case_submit(*, item: str, channel: str, submitted_by: User,
                applicant: Applicant | dict | None = None, office: Office | None = None,
                window: Window | None = None, materials: list[str] | None = None,
                form: dict | None = None, idempotency_key: str = "",
                bundle_application: BundleApplication | None = None, as_agent: bool = False,
                ip: str | None = None) -> tuple[Case, bool]:  # fmt: skip
    """Apply for item `item` (a code); every face applies through here.

    Who the applicant is follows _applicant_of(): an applicant account for itself, or the
    person staff or an agent name (a record, or details that create or update it, in the same
    transaction as the case). An agent who applies is the case's agent, and so is a clerk
    stationed at an agent point who applies `as_agent` (_acting_as_agent); either needs the
    applicant's authorisation; the case records the submitter's agent point. Online applications
    (web, mobile) enter the city-wide intake queue and are numbered under the city; window
    applications are numbered under, and held by, the clerk's office, at its 通办 window unless
    `window` names another. Returns (case, created): a retried call with the same
    idempotency key returns the first case and False. Raises InvalidInput naming the field at
    fault, Forbidden when the submitter's role may not apply so."""
    idempotency_key = idempotency_key_clean(idempotency_key)
    as_agent = _acting_as_agent(submitted_by, as_agent)
    if isinstance(applicant, dict):
        applicant = contact_code_checked(applicant)  # before the transaction: tries count
        with transaction.atomic():
            return _submit(item=item, channel=channel, submitted_by=submitted_by,
                           applicant=_applicant_of(submitted_by, applicant, as_agent),
                           office=office, window=window, materials=materials, form=form,
                           idempotency_key=idempotency_key, bundle_application=bundle_application,
                           as_agent=as_agent, ip=ip)  # fmt: skip
    return _submit(item=item, channel=channel, submitted_by=submitted_by,
                   applicant=_applicant_of(submitted_by, applicant, as_agent), office=office,
                   window=window, materials=materials, form=form, idempotency_key=idempotency_key,
                   bundle_application=bundle_application, as_agent=as_agent, ip=ip)  # fmt: skip


def _submit(*, item: str, channel: str, submitted_by: User, applicant: Applicant,
            office: Office | None, window: Window | None, materials, form, idempotency_key: str,
            bundle_application: BundleApplication | None, as_agent: bool,
            ip: str | None) -> tuple[Case, bool]:  # fmt: skip
    if idempotency_key:
        existing = _case_by_key(submitted_by, idempotency_key)
        if existing:
            return _replay(existing, item=item, applicant=applicant, channel=channel), False
    if channel not in Channel.values:
        raise InvalidInput(_("渠道应为 web、mobile 或 window，而不是 %(channel)r") % {"channel": channel},
                           code="invalid_channel", field="channel")  # fmt: skip
    version = item_version_current(code=item)
    if channel not in version.channels:
        allowed = "、".join(str(Channel(c).label) for c in version.channels)
        raise InvalidInput(_("事项“%(item)s”不能通过%(channel)s申请，可用渠道: %(allowed)s") % {
                               "item": version.item.name, "channel": Channel(channel).label, "allowed": allowed},
                           code="channel_not_allowed", field="channel")  # fmt: skip
    if applicant.kind not in version.applicant_kinds:
        raise InvalidInput(_("事项“%(item)s”不接受%(kind)s申请") % {
                               "item": version.item.name, "kind": applicant.get_kind_display()},
                           code="applicant_kind_not_allowed", field="applicant")  # fmt: skip
    if channel == Channel.WINDOW:
        if submitted_by.role != Role.CLERK or submitted_by.office_id is None:
            raise Forbidden(_("只有窗口受理员可以登记窗口申请"), code="window_clerks_only")
        office = office or submitted_by.office
        if office.pk != submitted_by.office_id:
            raise InvalidInput(
                _("窗口申请只能登记在本人所在的经办机构"), code="wrong_office", field="office"
            )
        if not version.citywide and office.pk != version.item.home_office_id:
            raise InvalidInput(_("事项“%(item)s”仅限%(office)s属地办理") % {
                                   "item": version.item.name, "office": version.item.home_office.name},
                               code="item_not_citywide", field="item")  # fmt: skip
    elif submitted_by.role not in (Role.APPLICANT, Role.AGENT):
        raise Forbidden(_("网上申请由申请人本人或帮办代办员提交"), code="online_applicants_only")
    elif office is not None:
        raise InvalidInput(_("只有窗口申请（channel 为 window）填写 office"), field="office")
    materials = _check_materials(version, materials)
    form = form_clean(version=version, form=form)

    now = timezone.now()
    today = timezone.localdate(now)
    online = channel in ONLINE_CHANNELS
    number_office = settings.TONGBAN_CITY_CODE if online else office.code
    if not online and window is None:
        window = office_window(office.pk)
    agent = authorisation = None
    if as_agent:
        agent = submitted_by
        authorisation = authorisations.authorisation_for(agent=agent, applicant=applicant,
                                                         item_code=version.item.code)  # fmt: skip
    case = Case(
        item=version.item, item_version=version, applicant=applicant,
        insured_region_id=applicant.insured_region_id, agent=agent, authorisation=authorisation,
        agent_point_id=submitted_by.agent_point_id, submitted_by=submitted_by,
        channel=channel, window=window, bundle_application=bundle_application,
        submitted_at=now, form=form, supplied_materials=materials, idempotency_key=idempotency_key,
        amount_claimed=fields_total(version.form, form),
        owner=None if online else submitted_by, handling_office=None if online else office,
    )  # fmt: skip
    # §32 holds on every channel: an application the window does not decide on the spot (in
    # the same transaction, which clears this again) waits no longer than an online one.
    _prereview_start(case, today)
    try:
        with transaction.atomic():
            case.number = _next_number(number_office, today)
            sql.save_new(case)
            case.history_rows = []  # a new case's history: the event below
            _event(case, Action.SUBMIT, "", actor=submitted_by, office=None if online else office, ip=ip,
                   data={"materials": materials})  # fmt: skip
    except IntegrityError:
        if idempotency_key:  # a concurrent retry with the same key won the race
            existing = _case_by_key(submitted_by, idempotency_key)
            if existing:
                return _replay(existing, item=item, applicant=applicant, channel=channel), False
        raise
    return case, True


def _case_by_key(submitted_by: User, key: str) -> Case | None:
    """The case `submitted_by` made with Idempotency-Key `key`. Every keyed application asks,
    and nearly always finds none: a prepared statement first, the ORM for a find."""
    with sql.cursor() as cursor:
        cursor.execute(_BY_KEY_SQL, [submitted_by.pk, key])
        row = cursor.fetchone()
    return Case.objects.select_related("item").get(pk=row[0]) if row else None


# `<> ''` lets even a generic plan use the partial unique index (case_unique_idempotency_key).
_BY_KEY_SQL = (
    f"SELECT id FROM {sql.table(Case)} "
    "WHERE submitted_by_id = %s AND idempotency_key = %s AND idempotency_key <> ''"
)


def _replay(case: Case, *, item: str, applicant: Applicant, channel: str) -> Case:
    """A retry returns the case its key made; the same key for another request is a mistake."""
    if (case.item.code, case.applicant_id, case.channel) != (item, applicant.pk, channel):
        raise Conflict(
            _("Idempotency-Key 已用于办件 %(number)s（另一事项、申请人或渠道），请为新申请换一个键")
            % {"number": case.number},
            code="idempotency_key_reused", field="Idempotency-Key",
        )  # fmt: skip
    return case


# --- Acting on a case ----------------------------------------------------------------------


@dataclass
class Act:
    """What every action knows: the locked case, who acts, when, and from where."""

    case: Case
    actor: User | None
    now: datetime
    ip: str | None = None

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    @property
    def office(self) -> Office | None:
        return self.actor.office if self.actor and self.actor.office_id else None


def case_act(*, number: str, action: str, actor: User, expected_version: int | None = None,
             ip: str | None = None, **params) -> Case:  # fmt: skip
    """Take `action` on case `number` as `actor`; `params` are the action's own arguments.

    Raises NotFound when the actor may not see the case, Forbidden when their role may not
    take the action, Conflict when its status does not allow it or `expected_version` is
    stale, InvalidInput for bad arguments. Nothing is written unless it all succeeds."""
    handler = _HANDLERS.get(action)
    if handler is None:
        raise NotFound(
            _("没有这个办理动作: %(action)r") % {"action": action}, code="unknown_action"
        )
    with transaction.atomic():
        case = case_by_number(number, lock=True, history=True)
        if case is None:
            raise NotFound(_("办件 %(number)s 不存在") % {"number": number}, code="case_not_found")
        if not access.case_visible(actor, case):
            if access.case_just_taken(actor, case, action):
                raise Conflict(
                    _("该申请刚被其他窗口认领或受理（首问负责），请刷新受理队列"),
                    code="taken_by_other",
                )
            raise NotFound(_("办件 %(number)s 不存在") % {"number": number}, code="case_not_found")
        if actor.role == Role.AGENT:
            access.agent_authorised(actor, case)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(
                _("办件已被他人更新（当前版本 %(current)s，提交的是 %(given)s），请刷新后重试")
                % {"current": case.version, "given": expected_version},
                code="stale_version",
            )
        if not action_open(case, action):
            raise Conflict(_("办件当前状态为“%(status)s”，不能执行“%(action)s”") % {
                               "status": case.get_status_display(), "action": Action(action).label},
                           code="transition_not_allowed")  # fmt: skip
        if not access.action_permitted(actor, case, action):
            if case.agent_id == actor.pk and action in access.AGENT_RECUSES:
                raise Forbidden(_("您是本件的代办人，受理和决定须由本机构其他受理员办理（回避）"),
                                code="own_agency")  # fmt: skip
            raise Forbidden(_("%(role)s不能对此办件执行“%(action)s”") % {
                                "role": actor.get_role_display(), "action": Action(action).label},
                            code="action_forbidden")  # fmt: skip
        if "reason" in params:
            params["reason"] = text_clean(params["reason"], field="reason", label=_("理由"))
        unknown = set(params) - set(ACTION_PARAMS[action])
        if unknown:
            raise InvalidInput(_("“%(action)s”不接受参数 %(names)s") % {
                                   "action": Action(action).label, "names": ", ".join(sorted(unknown))},
                               code="unknown_field", field=sorted(unknown)[0])  # fmt: skip
        with sql.batch():  # its writes reach the database together
            handler(Act(case=case, actor=actor, now=timezone.now(), ip=ip), **params)
    return case


def urged_this_workday(case: Case, today: date) -> bool:
    """Whether `case` was pressed (催办) since the current working day began: no working day
    has begun since its last press. One query."""
    last = (
        CaseEvent.objects.filter(case=case, action=Action.URGE)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return last is not None and workdays.between(timezone.localdate(last), today) < 1


def case_urge(*, number: str, by: User, ip: str | None = None) -> Case:
    """催办: an applicant (or their agent) presses a case that is past its deadline; the
    handling office's supervisors are told (supervision.notifications, case.urged) and the
    figures count the case (stats COUNTERS["urged"]).

    Once per case per working day: another press needs a working day to have begun since the
    last one. The case's status and version do not change; the press is an event in its
    history. Raises NotFound when `by` may not see the case or is not its applicant's side,
    Conflict (`not_overdue`, `urged_already`) otherwise."""
    with transaction.atomic():
        case = case_by_number(number, lock=True, history=True)
        if (case is None or by.role not in (Role.APPLICANT, Role.AGENT)
                or not access.case_visible(by, case)):  # fmt: skip
            raise NotFound(_("办件 %(number)s 不存在") % {"number": number}, code="case_not_found")
        if by.role == Role.AGENT:
            access.agent_authorised(by, case)
        now = timezone.now()
        today = timezone.localdate(now)
        if not case.is_overdue(today):
            raise Conflict(_("办件未超过办结期限，还不能催办"), code="not_overdue")
        if urged_this_workday(case, today):
            raise Conflict(
                _("已催办过：每个办件每个工作日可催办一次，经办机构已收到提醒"),
                code="urged_already",
            )
        Case.objects.filter(pk=case.pk).update(urged=F("urged") + 1)
        case.urged += 1
        with sql.batch():
            _event(case, Action.URGE, case.status, actor=by, office=None, ip=ip, at=now)
    return case


def _move(act: Act, to: str, action: str, *, reason: str = "", data: dict | None = None,
          fields: tuple[str, ...] = ()) -> None:  # fmt: skip
    """Change the case's status to `to` (checked against Case.TRANSITIONS), save the given
    fields with it and write the event."""
    case = act.case
    if to not in Case.TRANSITIONS.get(case.status, ()):
        raise Conflict(
            _("不能从“%(from)s”变为“%(to)s”")
            % {"from": case.get_status_display(), "to": Status(to).label},
            code="transition_not_allowed",
        )
    from_status = case.status
    case.status = to
    case.version += 1
    if reason:
        case.reason = reason
    sql.update(case, ("status", "version", "reason", "updated_at", *fields))
    _event(case, action, from_status, actor=act.actor, office=act.office, reason=reason, ip=act.ip,
           data=data or {}, at=act.now)  # fmt: skip
    if case.partner_role:  # 跨区通办: the partner hears of it, in this same transaction
        _partner_report(act, action, from_status, reason, data or {})


def _partner_report(act: Act, action: str, from_status: str, reason: str, data: dict) -> None:
    """The outbox message of a forwarded case's change: on the deciding side every step goes
    back to the collecting window; on the collecting side, the supplement its window took.
    (A change made by a message from the partner is not sent back: exchange.receiving().)"""
    case = act.case
    collecting = case.partner_role == PartnerRole.COLLECTING
    office = act.office
    outbox_put(
        agreement_id=case.agreement_id,
        kind="case.supplement" if collecting else "case.event",
        case_number=case.number,
        body={
            "case": case.number if collecting else case.partner_number,
            "partner_case": case.partner_number if collecting else case.number,
            "item": case.item.code,
            "action": action, "from": from_status, "to": case.status, "result": case.result,
            "step": case.step, "reason": reason, "at": act.now.isoformat(),
            "office": office.name if office else "",
            "actor": (act.actor.get_full_name() or act.actor.username) if act.actor else "",
            "deadline": _iso(case.deadline), "missing_materials": case.missing_materials,
            "data": data,
        },
        now=act.now,
    )  # fmt: skip


def _event(case: Case, action: str, from_status: str, *, actor, office, reason: str = "",
           data: dict | None = None, ip=None, at=None) -> None:  # fmt: skip
    at = at or case.submitted_at
    sql.insert(CaseEvent,
        case=case, action=action, from_status=from_status, to_status=case.status, step=case.step,
        at=at, actor=actor, office=office, reason=reason, data=data or {}, ip=ip,
    )  # fmt: skip
    history_append(case, (case.pk, action, from_status, case.status, at,
                          actor.username if actor else None, office.code if office else None,
                          reason, case.step))  # fmt: skip


def _notice(act: Act, kind: str, **data) -> None:
    case = act.case
    if kind == Notice.Kind.SUPPLEMENT and _ONE_BUNDLE_NOTICE.get():
        return  # the bundle's one notice names this case's materials with the others'
    office = case.handling_office or act.office
    content = {
        "number": case.number,
        "item": case.item.name,
        "item_code": case.item.code,
        "applicant": case.applicant.name,
        "applicant_id": case.applicant.masked_id,
        "applicant_kind": case.applicant.kind,
        "item_kind": case.item.kind,
        "department": case.item.department,
        "legal_basis": case.item_version.legal_basis,
        **({"agent": case.agent.get_full_name() or case.agent.username} if case.agent_id else {}),
        **({"agent_point": case.agent_point.name} if case.agent_point_id else {}),
        "office": office.name if office else "",
        "submitted_at": timezone.localtime(case.submitted_at).isoformat(),
        **data,
    }
    sql.insert(Notice, case=case, kind=kind, issued_at=act.now, issued_by=act.actor,
                                 office=office, data=content)  # fmt: skip


def _require_reason(reason, what: str) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(
            _("%(what)s必须写明理由") % {"what": what}, code="required", field="reason"
        )
    if len(reason) > 2000:
        raise InvalidInput(_("理由最多 2000 字"), code="too_long", field="reason")
    return reason


def _take(act: Act) -> None:
    """首问负责: the first clerk to act on an online application owns it, and it leaves the
    city-wide intake for their office's queue; others get Conflict."""
    case = act.case
    if case.channel not in ONLINE_CHANNELS:
        return  # a window application belongs to its office from the start
    if case.owner_id is None:
        case.owner, case.handling_office, case.taken_at = act.actor, act.office, act.now
        if case.bundle_application_id:
            _bundle_take(act)
    elif case.owner_id != act.actor.pk:
        raise Conflict(_("该申请已由 %(name)s 认领（首问负责）") % {
                           "name": case.owner.get_full_name() or case.owner.username},
                       code="owned_by_other")  # fmt: skip


def _claim(act: Act) -> None:
    _take(act)
    _move(act, Status.SUBMITTED, Action.CLAIM, fields=("owner", "handling_office", "taken_at"))


# --- Dates counted in working days -----------------------------------------------------------
# Each is stored with its provisional flag (a guess into a year whose calendar is not loaded)
# and what it is counted from, so that case_dates_recompute() can count it again.

PREREVIEW_FIELDS = ("prereview_due", "prereview_due_provisional", "prereview_started_on")
SUPPLEMENT_FIELDS = ("supplement_due", "supplement_due_provisional", "supplement_asked_on")
CLOCK_FIELDS = ("clock_started_on", "workdays_used", "deadline", "deadline_provisional")


def _prereview_start(case: Case, day: date) -> tuple[str, ...]:
    """行政许可法 §32: the office answers within TONGBAN_PREREVIEW_DAYS working days of `day`."""
    due = workdays.add(day, settings.TONGBAN_PREREVIEW_DAYS)
    case.prereview_due, case.prereview_due_provisional = due.date, due.provisional
    case.prereview_started_on = day
    return PREREVIEW_FIELDS


def _prereview_end(case: Case) -> tuple[str, ...]:
    case.prereview_due, case.prereview_due_provisional, case.prereview_started_on = (
        None,
        False,
        None,
    )
    return PREREVIEW_FIELDS


def _supplement_start(case: Case, day: date) -> tuple[str, ...]:
    due = workdays.add(day, settings.TONGBAN_SUPPLEMENT_DAYS)
    case.supplement_due, case.supplement_due_provisional = due.date, due.provisional
    case.supplement_asked_on = day
    return SUPPLEMENT_FIELDS


def _supplement_end(case: Case) -> tuple[str, ...]:
    case.supplement_due, case.supplement_due_provisional, case.supplement_asked_on = (
        None,
        False,
        None,
    )
    return SUPPLEMENT_FIELDS


def clock_due(
    *, limit: int, used: int, first: date, span: workdays.Span | None = None
) -> workdays.Due:
    """The deadline of a clock that counts from `first` (that day included) with `used` of its
    `limit` working days spent: the day before `first` (the day it resumed) when none is left."""
    left = limit - used
    if left <= 0:
        return workdays.Due(first - timedelta(days=1), provisional=False)
    return (span.count_from(first, left) if span else None) or workdays.count_from(first, left)


def _start_clock(act: Act, accepted_at: datetime) -> None:
    """Acceptance starts the time limit: counted from the next day (or the day itself under
    TONGBAN_COUNT_FROM same_day). An instant item is due when it was handed in (即办件), and
    its clock counts no day of its own."""
    case = act.case
    day = timezone.localdate(accepted_at)
    case.workdays_used = 0
    if case.item_version.is_instant:
        case.clock_started_on = day + timedelta(days=1)
        due = workdays.instant_due(case.submitted_at)
    else:
        case.clock_started_on = workdays.first_counted_day(day)
        due = clock_due(limit=case.item_version.limit_days, used=0, first=case.clock_started_on)
    case.deadline, case.deadline_provisional = due.date, due.provisional


def _stop_clock(act: Act, reason: str) -> ClockStop:
    """Stand the clock still from today (补正 in review, a special procedure): the working days
    counted so far are kept, the deadline waits until _resume_clock()."""
    case = act.case
    case.workdays_used += workdays.days_counted(case.clock_started_on, act.today)
    case.deadline = None
    return ClockStop.objects.create(case=case, reason=reason, started_on=act.today)


def _resume_clock(act: Act, stop: ClockStop | None) -> tuple[str, ...]:
    """The clock counts again from tomorrow (docs/domain.md, "Clock stops")."""
    case = act.case
    if stop is not None:
        stop.ended_on = act.today
        stop.save(update_fields=["ended_on"])
    case.clock_started_on = act.today + timedelta(days=1)
    due = clock_due(limit=case.item_version.limit_days + case.extended_days,
                    used=case.workdays_used, first=case.clock_started_on)  # fmt: skip
    case.deadline, case.deadline_provisional = due.date, due.provisional
    return CLOCK_FIELDS


def _accept(act: Act, materials: list | None = None, promised_supplement_by: str | None = None,
            reason: str = "") -> None:  # fmt: skip
    """Accept: every main material must be there; a missing secondary one is 容缺, accepted on a
    signed promise to supply it by a date within the time limit. An instant item with every
    material is finished on the spot (即到即办)."""
    case, version = act.case, act.case.item_version
    _take(act)
    supplied = set(case.supplied_materials) | set(_check_materials(version, materials))
    missing = [c for c in version.material_codes if c not in supplied]
    missing_main = [
        m for m in _material_names(version, missing) if m["code"] in version.main_material_codes
    ]
    if missing_main:
        raise InvalidInput(
            _("主要材料不齐，不能受理，请一次性告知补正: %(names)s")
            % {"names": "、".join(m["name"] for m in missing_main)},
            code="main_materials_missing", field="materials",
        )  # fmt: skip
    if not version.citywide and act.actor.office_id != case.item.home_office_id:
        raise Forbidden(
            _("事项“%(item)s”仅限%(office)s属地办理")
            % {"item": case.item.name, "office": case.item.home_office.name},
            code="item_not_citywide",
        )
    if missing:
        _rongque_check(case, missing)
    case.supplied_materials = [c for c in version.material_codes if c in supplied]
    case.missing_materials = missing
    case.accepting_office = case.handling_office = act.office
    case.accepted_at = act.now
    case.step = 0
    _start_clock(act, act.now)
    promised = None
    if missing:  # 容缺受理: the promise never outlives the time limit
        promised = date_clean(promised_supplement_by, field="promised_supplement_by", required=True)
        if not act.today <= promised <= case.deadline:
            raise InvalidInput(_("容缺材料承诺补齐日期应在今天到办结期限 %(deadline)s 之间") % {
                               "deadline": case.deadline},
                               code="invalid_promise_date", field="promised_supplement_by")  # fmt: skip
    case.promised_supplement_by = promised
    _move(act, Status.ACCEPTED, Action.ACCEPT, reason=reason, data={"missing_materials": missing},
          fields=("owner", "taken_at", "supplied_materials", "missing_materials", "accepting_office", "handling_office",
                  "accepted_at", "step", *_prereview_end(case), *CLOCK_FIELDS, "promised_supplement_by"))  # fmt: skip
    if version.is_instant:  # 即办件 (never 容缺): finished on the spot, one notice says both
        _complete(act, Case.Result.APPROVED)
        return
    _notice(act, Notice.Kind.ACCEPTANCE, deadline=_iso(case.deadline),
            deadline_provisional=case.deadline_provisional,
            missing_materials=_material_names(version, missing), promised_supplement_by=_iso(promised))  # fmt: skip
    if missing:  # the applicant's signed promise, kept with the case (容缺受理承诺书)
        _notice(act, Notice.Kind.PROMISE, missing_materials=_material_names(version, missing),
                promised_supplement_by=_iso(promised), deadline=_iso(case.deadline))  # fmt: skip


def _rongque_check(case: Case, missing: list[str]) -> None:
    """Whether a case may be accepted with secondary materials missing (容缺受理).

    Not an instant item: it is finished on the spot and has no time limit for a promise to run
    inside (承诺 0 个工作日). 容缺 lets a promised item's clock start while a secondary material
    is on its way; an instant item missing one is asked for it in one notice (一次性告知) and
    finished the moment it comes, so no instant case waits half-done, gets a red card the next
    day or counts as late. And, where TONGBAN_RONGQUE_EXCLUDE_BROKEN_PROMISES is on, not for an
    applicant who has let a 容缺 promise lapse before."""
    if case.item_version.is_instant:
        raise InvalidInput(_("即办件不适用容缺受理：请一次性告知补正，材料补齐后即时办结"),
                           code="rongque_not_for_instant", field="materials")  # fmt: skip
    if settings.TONGBAN_RONGQUE_EXCLUDE_BROKEN_PROMISES:
        broken = broken_promises(applicant_id=case.applicant_id)
        if broken:
            raise InvalidInput(_("申请人有 %(n)s 次容缺承诺未兑现，按规定不适用容缺受理") % {"n": broken},
                               code="rongque_excluded", field="materials")  # fmt: skip


def _wind_up(act: Act) -> tuple[str, ...]:
    """A case ends (finished, refused, withdrawn): nothing it waited for goes on. Its pending
    limits go, a stopped clock's stop and a special procedure end today, a pending extension
    is refused. Costs no query for a case that waits for none of them."""
    case = act.case
    fields = (*_prereview_end(case), *_supplement_end(case))
    if case.status == Status.AWAITING_SUPPLEMENT or case.in_procedure:
        case.clock_stops.filter(ended_on__isnull=True).update(ended_on=act.today)
        case.special_procedures.filter(ended_on__isnull=True).update(
            ended_on=act.today, outcome=_("办件已结束"), ended_by=act.actor
        )
    if case.extension_pending:
        case.extensions.filter(status=Extension.Status.PENDING).update(
            status=Extension.Status.REFUSED, decided_at=act.now, decision_note=_("办件已结束")
        )
        case.extension_pending = False
        fields += ("extension_pending",)
    return fields


def _complete(act: Act, result: str, reason: str = "", data: dict | None = None,
              decision: dict | None = None) -> None:  # fmt: skip
    """Finish the case. An approval carries its decision (办结结果: the amount approved, the
    account paid to…), checked against the item version's decision fields; a denial none."""
    case = act.case
    case.result = result
    case.completed_at = act.now
    fields = ("result", "completed_at", *_wind_up(act))
    if result == Case.Result.APPROVED and (decision or case.item_version.decision):
        case.decision = _decision_clean(case, decision)
        case.amount_paid = fields_total(case.item_version.decision, case.decision)
        fields += ("decision", "amount_paid")
    elif decision:
        raise InvalidInput(_("不予批准不填写办结结果"), code="invalid_decision", field="decision")
    _move(act, Status.COMPLETED, Action.APPROVE if result == Case.Result.APPROVED else Action.DENY,
          reason=reason, data=data, fields=fields)  # fmt: skip
    _notice(act, Notice.Kind.COMPLETION, result=result, reason=reason,
            appeal=APPEAL_NOTE if result == Case.Result.DENIED else "",
            instant=case.item_version.is_instant and case.accepted_at == act.now,
            decision=_in_chinese(fields_shown, case.item_version.decision, case.decision))  # fmt: skip


def _in_chinese(fn, *args):
    """What a notice's content takes from words the pages translate (元, a date), written in
    Chinese whatever the language of whoever issues it: a notice is a Chinese document."""
    with translation.override("zh-hans"):
        return fn(*args)


def _decision_clean(case: Case, decision) -> dict:
    """decision_clean(), and what one case adds: no more approved than was claimed."""
    version = case.item_version
    values = decision_clean(version=version, decision=decision)
    paid = fields_total(version.decision, values)
    if paid is not None and case.amount_claimed is not None and paid > case.amount_claimed:
        name = next(f["name"] for f in version.decision if f.get("total"))
        raise InvalidInput(_("核准支付金额 %(paid)s 元超过申请金额 %(claimed)s 元") % {
                               "paid": paid, "claimed": case.amount_claimed},
                           code="invalid_decision", field=f"decision.{name}")  # fmt: skip
    return values


def _reject(act: Act, reason: str = "") -> None:
    reason = _require_reason(reason, _("不予受理"))
    case = act.case
    _take(act)
    case.handling_office = act.office
    case.completed_at = act.now
    _move(act, Status.REJECTED, Action.REJECT, reason=reason,
          fields=("owner", "handling_office", "taken_at", "completed_at", *_wind_up(act)))  # fmt: skip
    _notice(act, Notice.Kind.REFUSAL, reason=reason, appeal=APPEAL_NOTE)


def _request_supplement(act: Act, missing_materials: list | None = None, reason: str = "") -> None:
    """一次性告知: one notice naming every material to supplement. Before acceptance the list
    must include every material not yet handed in; in review it names what the reviewer
    needs, and the clock stops until it arrives."""
    case, version = act.case, act.case.item_version
    missing = _check_materials(version, missing_materials, "missing_materials")
    if not missing:
        raise InvalidInput(
            _("请列出需要补正的全部材料"), code="required", field="missing_materials"
        )
    accepted = case.accepted_at is not None
    if not accepted:
        _take(act)
        left_out = [
            c
            for c in version.material_codes
            if c not in case.supplied_materials and c not in missing
        ]
        if left_out:
            names = "、".join(m["name"] for m in _material_names(version, left_out))
            raise InvalidInput(_("一次性告知须列出所有未提交的材料，漏列: %(names)s") % {"names": names},
                               code="incomplete_notice",
                               field="missing_materials")  # fmt: skip
    case.missing_materials = missing
    case.supplied_materials = [c for c in case.supplied_materials if c not in missing]
    fields = ["owner", "handling_office", "taken_at", "missing_materials", "supplied_materials",
              *_supplement_start(case, act.today)]  # fmt: skip
    if accepted:  # stop the clock: the days used so far are kept, the deadline waits
        _stop_clock(act, reason or "补正材料")
        fields += CLOCK_FIELDS
    else:
        fields += _prereview_end(case)
    _move(act, Status.AWAITING_SUPPLEMENT, Action.REQUEST_SUPPLEMENT, reason=reason,
          data={"missing_materials": missing}, fields=tuple(fields))  # fmt: skip
    _notice(act, Notice.Kind.SUPPLEMENT, missing_materials=_material_names(version, missing), reason=reason,
            supplement_due=_iso(case.supplement_due),
            deadline_note="补正期间不计入办理时限" if accepted else "")  # fmt: skip


def _supplement(act: Act, materials: list | None = None, reason: str = "") -> None:
    """The applicant hands in what was asked. Everything asked must come at once; the clock
    resumes the next day (or the pre-review starts again)."""
    case, version = act.case, act.case.item_version
    given = _check_materials(version, materials)
    still = [c for c in case.missing_materials if c not in given]
    if still:
        names = "、".join(m["name"] for m in _material_names(version, still))
        raise InvalidInput(
            _("仍缺少: %(names)s") % {"names": names},
            code="materials_still_missing",
            field="materials",
        )
    case.supplied_materials = [
        c for c in version.material_codes if c in set(case.supplied_materials) | set(given)
    ]
    case.missing_materials = []
    fields = ["supplied_materials", "missing_materials", *_supplement_end(case)]
    if case.status == Status.ACCEPTED:  # a 容缺 promise kept
        case.promised_supplement_by = None
        _move(act, Status.ACCEPTED, Action.SUPPLEMENT, reason=reason, data={"materials": given},
              fields=(*fields, "promised_supplement_by"))  # fmt: skip
        return
    if case.accepted_at is not None:
        stop = case.clock_stops.filter(ended_on__isnull=True).order_by("-started_on").first()
        fields += _resume_clock(act, stop)
        to = Status.ACCEPTED
    else:
        fields += _prereview_start(case, act.today)
        to = Status.SUBMITTED
    _move(
        act, to, Action.SUPPLEMENT, reason=reason, data={"materials": given}, fields=tuple(fields)
    )


def _approve(act: Act, reason: str = "", decision: dict | None = None) -> None:
    """Pass the current review step; the last one finishes the case with its `decision`
    (the item version's decision fields). An earlier step takes none."""
    case = act.case
    if case.step + 1 < len(case.item_version.steps):
        if decision:
            raise InvalidInput(_("办结结果由最后一个审核环节填写"), code="invalid_decision",
                               field="decision")  # fmt: skip
        case.step += 1
        _move(act, Status.ACCEPTED, Action.APPROVE, reason=reason, fields=("step",))
        return
    if case.missing_materials:
        raise Conflict(
            _("容缺材料尚未补齐，办结结果须待材料补齐后出具"), code="secondary_materials_pending"
        )
    _complete(act, Case.Result.APPROVED, reason, decision=decision)


def _deny(act: Act, reason: str = "") -> None:
    _complete(act, Case.Result.DENIED, _require_reason(reason, _("不予批准")))


def _withdraw(act: Act, reason: str = "") -> None:
    case = act.case
    case.completed_at = act.now
    fields = _wind_up(act)
    case.deadline = None
    _move(act, Status.WITHDRAWN, Action.WITHDRAW, reason=reason,
          fields=("completed_at", "deadline", *fields))  # fmt: skip


def _transfer(act: Act, office: str | None = None, reason: str = "") -> None:
    """转办: hand an accepted case to another office of the city. The deadline does not restart."""
    case = act.case
    reason = _require_reason(reason, _("转办"))
    target = Office.objects.filter(code=office).first() if isinstance(office, str) else None
    if target is None or target.external:
        raise InvalidInput(
            _("%(office)r 不是本市的经办机构") % {"office": office},
            code="unknown_office",
            field="office",
        )
    if target.pk == case.handling_office_id:
        raise InvalidInput(_("不能转办给当前经办机构"), code="same_office", field="office")
    if not case.item_version.citywide and target.pk != case.item.home_office_id:
        raise InvalidInput(
            _("事项“%(item)s”仅限属地办理") % {"item": case.item.name},
            code="item_not_citywide",
            field="office",
        )
    from_office = case.handling_office_id
    case.handling_office = target
    _move(act, Status.ACCEPTED, Action.TRANSFER, reason=reason,
          data={"from_office": from_office, "to_office": target.code}, fields=("handling_office",))  # fmt: skip


def _days(value, *, field: str, most: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidInput(_("%(field)s 应为 1 到 %(most)s 的整数") % {"field": field, "most": most},
                           code="invalid_days", field=field)  # fmt: skip
    return value


def _request_extension(act: Act, days=None, reason: str = "") -> None:
    """延期: the reviewer asks the handling office's supervisor for `days` more working days,
    with a reason, no later than the deadline (行政许可法 §42)."""
    case = act.case
    reason = _require_reason(reason, _("延期"))
    days = _days(days, field="days", most=settings.TONGBAN_EXTENSION_MAX_DAYS)
    if case.deadline < act.today:
        raise Conflict(_("已超过办结期限 %(deadline)s，不能再申请延期") % {"deadline": case.deadline},
                       code="extension_too_late")  # fmt: skip
    Extension.objects.create(case=case, days=days, reason=reason, requested_by=act.actor,
                             requested_at=act.now, deadline_before=case.deadline)  # fmt: skip
    case.extension_pending = True
    _move(act, Status.ACCEPTED, Action.REQUEST_EXTENSION, reason=reason, data={"days": days},
          fields=("extension_pending",))  # fmt: skip


def _decide_extension(act: Act, approve=None, reason: str = "") -> None:
    """The supervisor decides a pending extension. Approved, the deadline moves on by its
    working days and the applicant gets a 延期办理告知书, which the law wants before the old
    deadline: an approval after it is refused (the request may still be turned down)."""
    case = act.case
    if not isinstance(approve, bool):
        raise InvalidInput(_("请选择批准或不予批准 (approve: true 或 false)"), code="required",
                           field="approve")  # fmt: skip
    extension = case.extensions.get(status=Extension.Status.PENDING)  # the case row is locked
    fields = ["extension_pending"]
    if approve:
        if case.deadline is None or case.deadline < act.today:
            raise Conflict(_("已超过原办结期限，不能再批准延期（须在期限届满前告知申请人）"),
                           code="extension_too_late")  # fmt: skip
        case.extended_days += extension.days
        due = clock_due(limit=case.item_version.limit_days + case.extended_days,
                        used=case.workdays_used, first=case.clock_started_on)  # fmt: skip
        case.deadline, case.deadline_provisional = due.date, due.provisional
        extension.status = Extension.Status.APPROVED
        extension.deadline_after, extension.deadline_after_provisional = due.date, due.provisional
        fields += ["extended_days", "deadline", "deadline_provisional"]
    else:
        reason = _require_reason(reason, _("不予批准延期"))
        extension.status = Extension.Status.REFUSED
    extension.decided_by, extension.decided_at, extension.decision_note = act.actor, act.now, reason
    extension.save()
    case.extension_pending = False
    _move(act, Status.ACCEPTED, Action.DECIDE_EXTENSION, reason=reason,
          data={"approved": approve, "days": extension.days}, fields=tuple(fields))  # fmt: skip
    if approve:
        _notice(act, Notice.Kind.EXTENSION, days=extension.days, reason=extension.reason,
                deadline_before=_iso(extension.deadline_before), deadline=_iso(case.deadline),
                deadline_provisional=case.deadline_provisional)  # fmt: skip


def _start_procedure(act: Act, kind=None, reason: str = "") -> None:
    """特别程序 (听证、检验检测、鉴定、专家评审、现场核查): the clock stands still from today until the
    procedure ends; the applicant is told in a 特别程序告知书."""
    case = act.case
    if kind not in SpecialProcedure.Kind.values:
        raise InvalidInput(_("特别程序应为 %(kinds)s 之一") % {"kinds": ", ".join(SpecialProcedure.Kind.values)},
                           code="invalid_procedure", field="kind")  # fmt: skip
    reason = _require_reason(reason, _("特别程序"))
    with translation.override("zh-hans"):  # kept in the record and on the Chinese notice
        label = str(SpecialProcedure.Kind(kind).label)
    stop = _stop_clock(act, f"{label}：{reason}")
    SpecialProcedure.objects.create(case=case, kind=kind, reason=reason, started_on=act.today,
                                    started_by=act.actor, clock_stop=stop)  # fmt: skip
    case.procedures += 1
    _move(act, Status.ACCEPTED, Action.START_PROCEDURE, reason=reason, data={"kind": kind},
          fields=(*CLOCK_FIELDS, "procedures"))  # fmt: skip
    _notice(act, Notice.Kind.PROCEDURE, procedure=kind, kind_label=label, reason=reason,
            started_on=_iso(act.today), workdays_used=case.workdays_used)  # fmt: skip


def _end_procedure(act: Act, outcome: str = "") -> None:
    """The procedure ends with its outcome; the clock counts again from tomorrow."""
    case = act.case
    outcome = text_clean(outcome, field="outcome", label=_("特别程序结果"), required=True)
    procedure = case.special_procedures.select_related("clock_stop").get(ended_on__isnull=True)
    procedure.ended_on, procedure.ended_by, procedure.outcome = act.today, act.actor, outcome
    procedure.save(update_fields=["ended_on", "ended_by", "outcome"])
    fields = _resume_clock(act, procedure.clock_stop)
    _move(act, Status.ACCEPTED, Action.END_PROCEDURE, reason=outcome,
          data={"kind": procedure.kind, "started_on": _iso(procedure.started_on)}, fields=fields)  # fmt: skip


_HANDLERS = {
    Action.CLAIM: _claim,
    Action.ACCEPT: _accept,
    Action.REJECT: _reject,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUPPLEMENT: _supplement,
    Action.APPROVE: _approve,
    Action.DENY: _deny,
    Action.WITHDRAW: _withdraw,
    Action.TRANSFER: _transfer,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.START_PROCEDURE: _start_procedure,
    Action.END_PROCEDURE: _end_procedure,
}
# The arguments each action takes, read from its handler: the API's description, the desk's
# forms and case_act()'s check of unknown arguments all come from here.
ACTION_PARAMS: dict[str, tuple[str, ...]] = {
    action: fn.__code__.co_varnames[1 : fn.__code__.co_argcount] for action, fn in _HANDLERS.items()
}


# --- Jobs ----------------------------------------------------------------------------------


def case_deem_accepted(*, case: Case, now: datetime | None = None) -> bool:
    """行政许可法 §32: an application left without an answer past its pre-review limit counts
    as accepted on the day it was received. The office lost its chance to ask for materials
    before acceptance: nothing is recorded as missing (the notice says what was not handed
    in), and the handling office reviews what it has and decides, approving or denying with
    reasons, or starts a special procedure. Never on a provisional limit: the job waits for
    the calendar. Idempotent; returns whether it changed."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("item_version", "item",
                                                                           "owner__office").get(pk=case.pk)  # fmt: skip
        if (
            case.status != Status.SUBMITTED
            or not case.prereview_due
            or case.prereview_due_provisional
            or case.prereview_due >= timezone.localdate(now)
        ):
            return False
        office = (
            case.handling_office
            or (case.owner.office if case.owner_id else None)
            or _default_office(case)
        )
        act = Act(case=case, actor=None, now=now)
        case.accepting_office = case.handling_office = office
        case.accepted_at = case.submitted_at
        version = case.item_version
        not_supplied = [c for c in version.material_codes if c not in case.supplied_materials]
        case.missing_materials = []
        _start_clock(act, case.submitted_at)
        _move(act, Status.ACCEPTED, Action.DEEM_ACCEPTED,
              reason=f"预审超过 {settings.TONGBAN_PREREVIEW_DAYS} 个工作日未答复，依法自收到申请之日起视为受理",
              data={"not_supplied": not_supplied},
              fields=("accepting_office", "handling_office", "accepted_at", "missing_materials",
                      *_prereview_end(case), *CLOCK_FIELDS))  # fmt: skip
        _notice(act, Notice.Kind.ACCEPTANCE, deadline=_iso(case.deadline), deemed=True,
                deadline_provisional=case.deadline_provisional,
                not_supplied=_material_names(version, not_supplied))  # fmt: skip
    return True


def _lapse(case_pk: int, now: datetime, check, finish) -> bool:
    """Lock the case, re-check the lapse rule under the lock, and apply it once."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item_version", "item", "applicant", "handling_office", "owner__office")
            .get(pk=case_pk)
        )
        if not check(case, timezone.localdate(now)):
            return False
        finish(Act(case=case, actor=None, now=now))
    return True


def case_promise_lapse(*, case: Case, now: datetime | None = None) -> bool:
    """容缺: a secondary material not supplied by its promised date ends the case, denied.
    Idempotent; returns whether it changed."""

    def check(c: Case, today: date) -> bool:
        return (c.status == Status.ACCEPTED and bool(c.missing_materials)
                and c.promised_supplement_by is not None and c.promised_supplement_by < today)  # fmt: skip

    def finish(act: Act) -> None:
        promised = act.case.promised_supplement_by
        # data["lapse"] marks a broken promise (cases.selectors.broken_promises reads it).
        _complete(act, Case.Result.DENIED, f"容缺材料未在承诺日期 {promised} 前补齐，办件终止",
                  data={"lapse": "promise"})  # fmt: skip

    return _lapse(case.pk, now or timezone.now(), check, finish)


def case_supplement_lapse(*, case: Case, now: datetime | None = None) -> bool:
    """A requested supplement not handed in by its due date: before acceptance the
    application is refused, in review the case ends denied. Never on a provisional due date.
    Idempotent."""

    def check(c: Case, today: date) -> bool:
        return (
            c.status == Status.AWAITING_SUPPLEMENT
            and c.supplement_due is not None
            and not c.supplement_due_provisional
            and c.supplement_due < today
        )

    def finish(act: Act) -> None:
        case = act.case
        reason = f"申请人未在补正期限 {case.supplement_due} 前补正材料"
        if case.accepted_at is None:
            case.handling_office = case.handling_office or (
                case.owner.office if case.owner_id else None
            )
            case.completed_at = act.now
            _move(act, Status.REJECTED, Action.REJECT, reason=reason,
                  fields=("handling_office", "completed_at", *_wind_up(act)))  # fmt: skip
            _notice(act, Notice.Kind.REFUSAL, reason=reason, appeal=APPEAL_NOTE)
            return
        _complete(act, Case.Result.DENIED, reason)

    return _lapse(case.pk, now or timezone.now(), check, finish)


def cases_lapse_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Apply both lapse rules to every case they may concern; returns how many per rule."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    promises = Case.objects.filter(status=Status.ACCEPTED, promised_supplement_by__lt=today).only(
        "pk"
    )
    supplements = Case.objects.filter(
        status=Status.AWAITING_SUPPLEMENT,
        supplement_due__lt=today,
        supplement_due_provisional=False,
    ).only("pk")
    return {
        "promise_lapsed": sum(case_promise_lapse(case=c, now=now) for c in promises.iterator()),
        "supplement_lapsed": sum(
            case_supplement_lapse(case=c, now=now) for c in supplements.iterator()
        ),
    }


def _default_office(case: Case) -> Office:
    """The office that answers for an unowned application: the applicant's insured county,
    or the city bureau for one insured elsewhere."""
    region = case.insured_region
    if not region.external and region.level == Office.Level.COUNTY:
        return region
    return Office.objects.get(code=settings.TONGBAN_CITY_CODE)


def cases_deem_accepted_overdue(*, now: datetime | None = None) -> int:
    """Deem accepted every application past its pre-review limit; returns how many."""
    now = now or timezone.now()
    due = Case.objects.filter(
        status=Status.SUBMITTED,
        prereview_due__lt=timezone.localdate(now),
        prereview_due_provisional=False,
    ).exclude(partner_role=PartnerRole.COLLECTING)  # forwarded: the partner's limit runs
    return sum(case_deem_accepted(case=c, now=now) for c in due.only("pk").iterator())


def case_dates_recompute(*, year: int | None = None) -> int:
    """Count again every open case's working-day dates after a calendar year is loaded or
    changed (from `year` - 1 on; all with None): the deadline of a running clock, the
    pre-review limit (§32) and the supplement limit. Provisional dates become firm once their
    year is known. Returns how many cases' dates moved.

    A moved date is a change like any other: the case's version goes up and its history gets
    a `recompute` event with the old and new values. Whether a case is overdue stays the
    deadline scan's to flag (supervision.services.deadlines_scan). A case someone is acting on
    at this moment (its version moved) is left to the next pass (the 6-hourly job)."""
    open_dates = (
        Q(status=Status.ACCEPTED, deadline__isnull=False)
        | Q(status=Status.SUBMITTED, prereview_due__isnull=False)
        | Q(status=Status.AWAITING_SUPPLEMENT, supplement_due__isnull=False)
    )
    cases = Case.objects.filter(open_dates).select_related("item_version")
    if year is not None:
        cases = cases.filter(
            Q(deadline__year__gte=year - 1)
            | Q(prereview_due__year__gte=year - 1)
            | Q(supplement_due__year__gte=year - 1)
        )
    cases = list(cases.only(
        "pk", "version", "step", "status", "submitted_at", *CLOCK_FIELDS, "extended_days",
        *PREREVIEW_FIELDS, *SUPPLEMENT_FIELDS, "item_version__handling_type",
        "item_version__promised_days",
    ))  # fmt: skip
    if not cases:
        return 0
    now = timezone.now()
    starts = [d for c in cases for d in (c.clock_started_on, c.prereview_started_on,
                                         c.supplement_asked_on) if d]  # fmt: skip
    # One calendar query for the whole pass; a count that runs past it asks again.
    days = workdays.span(min(starts, default=now.date()), max(starts, default=now.date())
                         + timedelta(days=400))  # fmt: skip
    events = []
    for case in cases:
        changes = {}
        if case.status == Status.ACCEPTED:
            if case.item_version.is_instant:
                due = workdays.instant_due(case.submitted_at)
            else:
                due = clock_due(limit=case.item_version.limit_days + case.extended_days,
                                used=case.workdays_used, first=case.clock_started_on, span=days)  # fmt: skip
            changes = _changed(case, "deadline", due)
        elif case.status == Status.SUBMITTED and case.prereview_started_on:
            n = settings.TONGBAN_PREREVIEW_DAYS
            due = days.add(case.prereview_started_on, n) or workdays.add(
                case.prereview_started_on, n
            )
            changes = _changed(case, "prereview_due", due)
        elif case.status == Status.AWAITING_SUPPLEMENT and case.supplement_asked_on:
            n = settings.TONGBAN_SUPPLEMENT_DAYS
            due = days.add(case.supplement_asked_on, n) or workdays.add(case.supplement_asked_on, n)
            changes = _changed(case, "supplement_due", due)
        if not changes:
            continue
        if Case.objects.filter(pk=case.pk, version=case.version).update(
            version=case.version + 1, updated_at=now,
            **{k: new for k, (_old, new) in changes.items()},
        ):  # fmt: skip
            events.append(CaseEvent(
                case_id=case.pk, action=Action.RECOMPUTE, from_status=case.status,
                to_status=case.status, step=case.step, at=now,
                reason="国务院节假日安排变更，重算期限：" + "；".join(
                    f"{k} {old} → {new}" for k, (old, new) in changes.items() if not k.endswith("_provisional")),
                data={k: [_iso(old) if isinstance(old, date) else old,
                          _iso(new) if isinstance(new, date) else new] for k, (old, new) in changes.items()},
            ))  # fmt: skip
    CaseEvent.objects.bulk_create(events)
    return len(events)


def _changed(case: Case, field: str, due) -> dict:
    """{field: (old, new), field_provisional: (old, new)} when `due` differs from the case's."""
    old = (getattr(case, field), getattr(case, f"{field}_provisional"))
    if due is None or (due.date, due.provisional) == old:
        return {}
    return {field: (old[0], due.date), f"{field}_provisional": (old[1], due.provisional)}


# --- Bundles -------------------------------------------------------------------------------
# 一表申请 / 一件事: one application, one merged form and one list of materials
# (catalog.services.bundle_spec), one linked case per item. Each case keeps its own rules
# (its materials, 容缺, instant or promised, its review); the bundle's actions below run the
# same handlers on every case that can take them, in one transaction, all or none.

# Set while a bundle action runs its cases' supplement requests: the bundle issues one notice
# for all of them (BundleNotice), not one per case.
_ONE_BUNDLE_NOTICE: ContextVar[bool] = ContextVar("one_bundle_notice", default=False)


def bundle_apply(*, bundle, channel: str, submitted_by: User,
                 applicant: Applicant | dict | None = None, office=None,
                 materials: list | None = None, form: dict | None = None,
                 idempotency_key: str = "", as_agent: bool = False,
                 ip=None) -> tuple[BundleApplication, bool]:  # fmt: skip
    """一表申请: apply for every item of `bundle` with its one merged form and one list of
    materials (the bundle's codes, catalog.services.bundle_spec), creating one linked case per
    item, all or none, and the receipt (回执) that lists them. The applicant, the agent and the
    window follow case_submit(): at a window every case is held by the clerk's office from the
    start; online the cases wait in the intake until a clerk takes one, and with it all
    (_take). Returns (application, created); a retry with the same key returns the first.

    Raises InvalidInput naming the field at fault ("<item code>.<field>" for one item's rule)."""
    idempotency_key = idempotency_key_clean(idempotency_key)
    as_agent = _acting_as_agent(submitted_by, as_agent)
    if idempotency_key:
        existing = BundleApplication.objects.filter(
            submitted_by=submitted_by, idempotency_key=idempotency_key
        ).first()
        if existing:
            if existing.bundle_id != bundle.pk:
                raise Conflict(_("Idempotency-Key 已用于一件事申请 %(number)s，请为新申请换一个键")
                               % {"number": existing.number},
                               code="idempotency_key_reused", field="Idempotency-Key")  # fmt: skip
            return existing, False
    spec = bundle_spec(bundle)
    if channel in Channel.values and channel not in spec.channels:
        raise InvalidInput(_("一件事“%(name)s”不能通过%(channel)s申请") % {
                               "name": bundle.name, "channel": Channel(channel).label},
                           code="channel_not_allowed", field="channel")  # fmt: skip
    parts = bundle_split(spec, form=form, materials=materials)
    window = channel == Channel.WINDOW
    if office is not None and not window:
        raise InvalidInput(_("只有窗口申请（channel 为 window）填写 office"), field="office")
    if window and office is None and submitted_by.office_id is not None:
        office = submitted_by.office
    now = timezone.now()
    applicant = contact_code_checked(applicant)
    with transaction.atomic():
        applicant = _applicant_of(submitted_by, applicant, as_agent)
        application = BundleApplication.objects.create(
            number=_next_number("B" + (office.code if window and office else settings.TONGBAN_CITY_CODE),
                                timezone.localdate(now)),
            bundle=bundle, applicant=applicant, submitted_by=submitted_by, submitted_at=now,
            idempotency_key=idempotency_key, channel=channel if channel in Channel.values else Channel.WEB,
            owner=submitted_by if window else None, office=office if window else None,
        )  # fmt: skip
        cases = []
        for code in spec.item_codes:
            item_form, item_materials = parts[code]
            try:
                case, _created = case_submit(
                    item=code, applicant=applicant, channel=channel, submitted_by=submitted_by,
                    office=office if window else None, materials=item_materials, form=item_form,
                    bundle_application=application, as_agent=as_agent, ip=ip)  # fmt: skip
            except InvalidInput as e:
                raise _for_item(e, code) from None
            cases.append(case)
        _bundle_notice(application, BundleNotice.Kind.RECEIPT, spec=spec, cases=cases,
                       actor=submitted_by, office=application.office, now=now,
                       materials=[m for m in spec.materials if m["code"] in set(materials or [])])  # fmt: skip
    return application, True


def _for_item(e: InvalidInput, code: str) -> InvalidInput:
    """One item's refusal, naming the item: field "<item code>.<field>"."""
    field = f"{code}.{e.field}" if e.field else code
    return InvalidInput(_("事项 %(code)s: %(message)s") % {"code": code, "message": e.message},
                        code=e.code, field=field)  # fmt: skip


def _bundle_locked(number: str, actor: User) -> tuple[BundleApplication, list[Case]]:
    """The application `number` and its cases, the application row locked (bundle actions on
    one bundle run one after another). NotFound unless `actor` sees it."""
    application = (BundleApplication.objects.select_for_update(of=("self",))
                   .select_related("bundle", "applicant").filter(number=number[:24]).first())  # fmt: skip
    cases = (
        list(application.cases.select_related("item", "item_version").order_by("item__code"))
        if application
        else []
    )
    if application is None or not access.bundle_visible(actor, application, cases):
        raise NotFound(_("一件事申请 %(number)s 不存在") % {"number": number[:40]},
                       code="bundle_application_not_found")  # fmt: skip
    return application, cases


def _bundle_run(
    number: str, actor: User, action: str, params_of, *, ip=None, none_message: str
) -> tuple[BundleApplication, list[Case]]:
    """Take `action` on every case of bundle `number` that is open to it, each through
    case_act() with params_of(case), in one transaction. Every item's refusal is collected and
    given back in one InvalidInput, so the clerk or applicant sees all that stands in the way;
    then nothing is written. Conflict when no case can take the action."""
    application, cases = _bundle_locked(number, actor)
    targets = [c for c in cases if action_open(c, action)]
    if not targets:
        raise Conflict(none_message, code="transition_not_allowed")
    errors: list[InvalidInput] = []
    done = []
    for case in targets:
        try:
            with transaction.atomic():
                done.append(case_act(number=case.number, action=action, actor=actor, ip=ip,
                                     **params_of(case)))  # fmt: skip
        except InvalidInput as e:
            errors.append(_for_item(e, case.item.code))
    if errors:  # the field as the bundle's input names it (materials, promised_supplement_by)
        raise InvalidInput("；".join(e.message for e in errors), code=errors[0].code,
                           field=errors[0].field.partition(".")[2] or None)  # fmt: skip
    return application, done


def bundle_accept(
    *,
    number: str,
    actor: User,
    materials: list | None = None,
    promised_supplement_by: str | None = None,
    ip=None,
) -> BundleApplication:
    """受理 the whole bundle in one step: every case still waiting for acceptance is accepted by
    its own item's rules (an instant item with every material finished on the spot, a promised
    one's clock started, 容缺 with the promised date where its secondary materials are missing).
    `materials` are the bundle's codes handed in now. If any item's rules refuse, nothing is
    accepted and the refusal names every item at fault: ask for them with
    bundle_request_supplement()."""
    with transaction.atomic():
        parts = bundle_split(_spec_of(number), form={}, materials=materials)
        application, _cases = _bundle_run(
            number, actor, Action.ACCEPT,
            lambda case: {"materials": parts[case.item.code][1],
                          "promised_supplement_by": promised_supplement_by},
            ip=ip, none_message=_("该一件事没有待受理的办件"))  # fmt: skip
    return application


def bundle_request_supplement(
    *, number: str, actor: User, reason: str = "", ip=None
) -> BundleApplication:
    """一次性告知 for the whole bundle: every case waiting for acceptance that lacks a material
    is asked for all it lacks, and ONE notice (BundleNotice SUPPLEMENT) names every missing
    material of every item, each material once however many items need it. Cases that lack
    nothing stay as they are, to be accepted with the others once the supplement is in."""
    with transaction.atomic():
        spec = _spec_of(number)
        application, cases = _bundle_locked(number, actor)
        lacking = {c.pk: [m for m in c.item_version.material_codes if m not in c.supplied_materials]
                   for c in cases if c.status == Status.SUBMITTED}  # fmt: skip
        if not any(lacking.values()):
            raise Conflict(_("该一件事没有缺少材料的待受理办件"), code="nothing_missing")
        token = _ONE_BUNDLE_NOTICE.set(True)
        try:
            done = [case_act(number=c.number, action=Action.REQUEST_SUPPLEMENT, actor=actor, ip=ip,
                             missing_materials=lacking[c.pk], reason=reason)
                    for c in cases if lacking.get(c.pk)]  # fmt: skip
        finally:
            _ONE_BUNDLE_NOTICE.reset(token)
        _bundle_notice(application, BundleNotice.Kind.SUPPLEMENT, spec=spec, cases=done,
                       actor=actor, office=actor.office, now=timezone.now(), reason=reason)  # fmt: skip
    return application


def bundle_supplement(
    *, number: str, actor: User, materials: list | None = None, ip=None
) -> BundleApplication:
    """The applicant (or the window for them) hands in the supplement once, as the bundle's
    material codes: every case waiting for one resumes (its pre-review starts again, or its
    clock runs again). Everything asked must come: the refusal names what is still missing."""
    with transaction.atomic():
        parts = bundle_split(_spec_of(number), form={}, materials=materials)
        application, _cases = _bundle_run(
            number, actor, Action.SUPPLEMENT,
            lambda case: {"materials": parts[case.item.code][1]},
            ip=ip, none_message=_("该一件事没有待补正的办件"))  # fmt: skip
    return application


def bundle_withdraw(*, number: str, actor: User, reason: str = "", ip=None) -> BundleApplication:
    """Withdraw the bundle: every case not yet finished is withdrawn; finished ones stay as
    they are."""
    with transaction.atomic():
        application, _cases = _bundle_run(number, actor, Action.WITHDRAW,
                                          lambda case: {"reason": reason}, ip=ip,
                                          none_message=_("该一件事的办件均已结束，无可撤回"))  # fmt: skip
    return application


def bundle_reject(*, number: str, actor: User, reason: str = "", ip=None) -> BundleApplication:
    """不予受理 the whole bundle: every case still waiting for acceptance is refused with one
    reason, each with its own item's 不予受理通知书 (the remedies of each item's decision);
    cases already accepted go on. The clerk must hold the bundle, as for bundle_accept()."""
    with transaction.atomic():
        _bundle_locked(number, actor)  # "not found" to whoever may not see it, before the reason
        reason = _require_reason(reason, _("不予受理"))
        application, _cases = _bundle_run(number, actor, Action.REJECT,
                                          lambda case: {"reason": reason}, ip=ip,
                                          none_message=_("该一件事没有待受理的办件"))  # fmt: skip
    return application


def _spec_of(number: str):
    application = (
        BundleApplication.objects.select_related("bundle").filter(number=number[:24]).first()
    )
    if application is None:
        raise NotFound(_("一件事申请 %(number)s 不存在") % {"number": number[:40]},
                       code="bundle_application_not_found")  # fmt: skip
    return bundle_spec(application.bundle)


def _bundle_take(act: Act) -> None:
    """首问负责 for a bundle: the clerk who takes one of its online cases takes every other case
    of it still in the intake, and the bundle, so that one office and one clerk handle it.

    The bundle row is claimed by a guarded UPDATE: of two clerks taking two of its cases at
    once, the second waits for the first, finds the bundle taken and gets Conflict. The first
    skips a sibling the second holds locked (no deadlock); left in the intake, that case can be
    taken by the bundle's clerk only."""
    case = act.case
    application_id = case.bundle_application_id
    taken = BundleApplication.objects.filter(pk=application_id, owner__isnull=True).update(
        owner=act.actor, office=act.office)  # fmt: skip
    if not taken:
        owner = BundleApplication.objects.select_related("owner").get(pk=application_id).owner
        if owner is not None and owner.pk != act.actor.pk:
            raise Conflict(_("该一件事已由 %(name)s 认领（首问负责），其中各事项由其一并办理")
                           % {"name": owner.get_full_name() or owner.username},
                           code="owned_by_other")  # fmt: skip
    siblings = (Case.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("item", "item_version")
                .filter(IN_INTAKE, bundle_application_id=application_id)
                .exclude(pk=case.pk).order_by("pk"))  # fmt: skip
    for sibling in siblings:
        sibling.owner, sibling.handling_office, sibling.taken_at = act.actor, act.office, act.now
        _move(Act(case=sibling, actor=act.actor, now=act.now, ip=act.ip), Status.SUBMITTED, Action.CLAIM,
              reason=_("随一件事 %(number)s 一并认领") % {"number": case.number},
              fields=("owner", "handling_office", "taken_at"))  # fmt: skip


def _bundle_notice(application: BundleApplication, kind: str, *, spec, cases, actor, office, now,
                   **data) -> BundleNotice:  # fmt: skip
    """A notice on the bundle as a whole, listing its cases; a material several items lack is
    named once, with the items that need it."""
    items = []
    missing: dict[str, dict] = {}
    for case in cases:
        names = bundle_material_names(spec, case.item.code, case.missing_materials)
        items.append({"number": case.number, "item": case.item.name, "item_code": case.item.code,
                      "status": case.status, "missing_materials": names})  # fmt: skip
        for m in names:
            missing.setdefault(m["code"], {**m, "items": []})["items"].append(case.item.name)
    content = {
        "number": application.number,
        "bundle": application.bundle.name,
        "bundle_code": application.bundle.code,
        "applicant": application.applicant.name,
        "applicant_id": application.applicant.masked_id,
        "office": office.name if office else "",
        "submitted_at": timezone.localtime(application.submitted_at).isoformat(),
        "cases": items,
        "missing_materials": list(missing.values()),
        **{k: v for k, v in data.items() if k != "materials"},
        **({"materials": [{"code": m["code"], "name": m["name"]} for m in data["materials"]]}
           if "materials" in data else {}),
    }  # fmt: skip
    if kind == BundleNotice.Kind.SUPPLEMENT and cases:
        content["supplement_due"] = _iso(cases[0].supplement_due)
    return BundleNotice.objects.create(application=application, kind=kind, issued_at=now,
                                       issued_by=actor, office=office, data=content)  # fmt: skip


# --- Helpers -------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_personal_data(*, case: Case, user, ip: str | None = None) -> dict:
    """The applicant's full ID number and phone and the case's form unmasked, for a member of
    staff who may see the case and needs them (to pay into the account, to call back). Every
    page and answer shows them masked otherwise; each full view is audited
    (personal_data.viewed), naming the case and who looked."""
    applicant = case.applicant
    record(event="personal_data.viewed", user=user, ip=ip, target=case.number,
           fields=["id_number", "phone", "form", "decision"])  # fmt: skip
    return {"id_number": applicant.id_number, "phone": applicant.phone, "form": case.form,
            "decision": case.decision}  # fmt: skip

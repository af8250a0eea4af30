"""上门办: home service for people who cannot come to a hall (the elderly, the disabled, the
sick). A visit is asked for on the portal by the person's own account, or by phone or at a
window through a clerk; the office that serves the address (a county office) assigns an agent
(an agent, or a clerk stationed at an agent point) who goes, takes the applications there (as
an agent, under the person's authorisation) and records the visit done or not done, with a
note. Every step is audited; the figures count requests and visits done
(stats.selectors.assistance_figures).

    requested ──assign──▶ assigned ──close(done)──▶ done
        │                    │  ▲         └─close(not done)──▶ not_done
        │                    └──┘ assign again (another agent)
        └──── cancel ────────┴──▶ cancelled
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.lib.identifiers import phone_mask
from tongban.lib.text import phone_clean, text_clean
from tongban.offices.models import Office
from tongban.offices.selectors import office_by_code
from tongban.people.models import Applicant, Role, User
from tongban.people.services import applicant_may_apply, applicant_on_record

from .authorisations import may_be_agent
from .models import HomeVisit

AHEAD_DAYS = 60  # how far ahead a visit may be asked for
Status = HomeVisit.Status


def visit_request(*, by: User, address: str, phone: str, preferred_date: date,
                  preferred_period: str = HomeVisit.Period.ANY, items: list[str] | None = None,
                  note: str = "", applicant: dict | None = None, office: str | None = None,
                  channel: str | None = None, ip: str | None = None) -> HomeVisit:  # fmt: skip
    """Ask for a home visit. The person's own verified account asks for themselves (on the
    web; `office` is the county office whose area the address is in, their insured region
    when left out); a clerk asks for a person who phoned or came (`channel` phone or window,
    `applicant` as people.services.applicant_on_record takes it; the clerk's office serves it).

    Raises InvalidInput naming the field, Forbidden for other roles; nothing is stored then."""
    if by.role == Role.APPLICANT:
        if applicant is not None:
            raise InvalidInput(_("申请人本人申请时不填 applicant"),
                               code="applicant_not_allowed", field="applicant")  # fmt: skip
        if by.applicant_id is None:
            raise Forbidden(_("此账号没有关联申请人信息"), code="no_applicant_record")
        applicant_may_apply(by)
        channel = HomeVisit.Channel.WEB
        served_by = _county(office, default=by.applicant.insured_region)
    elif by.role == Role.CLERK:
        if channel not in (HomeVisit.Channel.PHONE, HomeVisit.Channel.WINDOW):
            raise InvalidInput(_("受理渠道应为 phone（电话）或 window（窗口）"),
                               code="invalid_channel", field="channel")  # fmt: skip
        if not isinstance(applicant, dict):
            raise InvalidInput(_("代为申请上门服务时必填 applicant"), code="required",
                               field="applicant")  # fmt: skip
        served_by = by.office
        if office and office != served_by.code:
            raise InvalidInput(_("窗口登记的上门服务由本机构派单"), code="wrong_office",
                               field="office")  # fmt: skip
    else:
        raise Forbidden(_("上门服务由申请人本人网上申请，或由窗口受理员电话、窗口登记"),
                        code="visit_forbidden")  # fmt: skip
    address = text_clean(address, field="address", label=_("上门地址"), max_length=200,
                         required=True)  # fmt: skip
    phone = phone_clean(phone, field="phone", label=_("联系电话"), required=True)
    if not isinstance(preferred_date, date):
        raise InvalidInput(_("希望上门日期应为日期"), code="invalid", field="preferred_date")
    today = timezone.localdate()
    if not today <= preferred_date <= today + timedelta(days=AHEAD_DAYS):
        raise InvalidInput(_("希望上门日期应在今天到 %(days)d 天以内") % {"days": AHEAD_DAYS},
                           code="invalid_date", field="preferred_date")  # fmt: skip
    if preferred_period not in HomeVisit.Period.values:
        raise InvalidInput(_("时段应为 morning、afternoon 或 any"), code="invalid",
                           field="preferred_period")  # fmt: skip
    note = text_clean(note, field="note", label=_("需求说明"), max_length=300)
    found = _items(items)
    with transaction.atomic():
        # A visit changes nothing on a known person's record (applicant_on_record).
        person = applicant_on_record(**applicant, by=by) if by.role == Role.CLERK else by.applicant
        if person.kind != Applicant.Kind.PERSON:
            raise InvalidInput(_("上门服务面向个人"), code="not_a_person", field="applicant")
        visit = HomeVisit.objects.create(
            applicant=person, office=served_by, address=address, phone=phone,
            preferred_date=preferred_date, preferred_period=preferred_period, note=note,
            channel=channel, requested_by=by,
        )  # fmt: skip
        visit.items.set(found)
        record(event="visit.requested", user=by, ip=ip, target=visit.pk, served_by=served_by.code,
               channel=channel, items=[i.code for i in found])  # fmt: skip
    return visit


def _county(code: str | None, *, default: Office) -> Office:
    office = office_by_code(code) if code else default
    if office is None or office.external:
        raise InvalidInput(_("服务机构应为本市的经办机构"), code="unknown_office", field="office")
    return office


def _items(codes) -> list[ServiceItem]:
    codes = list(dict.fromkeys(codes or []))
    found = {i.code: i for i in ServiceItem.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(_("没有这些事项: %(codes)s") % {"codes": ", ".join(unknown[:10])},
                           code="unknown_item", field="items")  # fmt: skip
    return [found[c] for c in codes]


def _locked(visit: HomeVisit, by: User) -> HomeVisit:
    visit = HomeVisit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit is None or not visit_visible(by, visit):
        raise NotFound(_("没有这项上门服务"), code="visit_not_found")
    return visit


def _dispatcher(by: User, visit: HomeVisit) -> bool:
    """Who assigns and cancels for the office: its clerks and supervisors."""
    return by.role in (Role.CLERK, Role.SUPERVISOR) and by.office_id == visit.office_id


@transaction.atomic
def visit_assign(*, visit: HomeVisit, agent: str | User, by: User,
                 ip: str | None = None) -> HomeVisit:  # fmt: skip
    """Send `agent` (a user name or user: an agent or a clerk stationed at an agent point, of
    the visit's office) on the visit; again, to send another. The visit takes the agent's
    agent point. Raises Forbidden unless `by` is a clerk or supervisor of the visit's office,
    InvalidInput for an agent who may not go, Conflict when the visit is over."""
    visit = _locked(visit, by)
    if not _dispatcher(by, visit):
        raise Forbidden(_("由服务机构的窗口受理员或科长派单"), code="visit_forbidden")
    if not visit.open:
        raise Conflict(_("这项上门服务已结束（%(status)s）") % {"status": visit.get_status_display()},
                       code="visit_closed")  # fmt: skip
    if isinstance(agent, str):
        agent = User.objects.filter(username=agent.strip()).select_related("agent_point").first()
    if agent is None or not may_be_agent(agent):
        raise InvalidInput(_("派单对象应为在用的帮办代办员账号，或驻代办点的窗口受理员"),
                           code="unknown_agent", field="agent")  # fmt: skip
    point_office = agent.agent_point.office_id if agent.agent_point_id else None
    if visit.office_id not in (agent.office_id, point_office):
        raise InvalidInput(_("该代办员不属于本机构或本机构的代办点"), code="agent_out_of_area",
                           field="agent")  # fmt: skip
    before = visit.agent.username if visit.agent_id else None
    visit.agent, visit.agent_point_id = agent, agent.agent_point_id
    visit.status, visit.assigned_by, visit.assigned_at = Status.ASSIGNED, by, timezone.now()
    visit.version += 1
    visit.save(update_fields=["agent", "agent_point", "status", "assigned_by", "assigned_at",
                              "version"])  # fmt: skip
    record(event="visit.assigned", user=by, ip=ip, target=visit.pk, agent=agent.username,
           before=before)  # fmt: skip
    return visit


@transaction.atomic
def visit_close(*, visit: HomeVisit, done: bool, note: str, by: User,
                ip: str | None = None) -> HomeVisit:  # fmt: skip
    """The agent who went records the visit done (`done`) or not done, with a note (required
    when not done: why, and what next). A supervisor of the office may record it for them.
    Raises Forbidden for anyone else, Conflict unless the visit is assigned."""
    visit = _locked(visit, by)
    if not (visit.agent_id == by.pk or (by.role == Role.SUPERVISOR and _dispatcher(by, visit))):
        raise Forbidden(_("由派单的代办员登记上门结果"), code="visit_forbidden")
    if visit.status != Status.ASSIGNED:
        raise Conflict(_("只有已派单的上门服务可以登记结果（现为%(status)s）") % {
                           "status": visit.get_status_display()}, code="visit_not_assigned")  # fmt: skip
    note = text_clean(note, field="note", label=_("办理情况"), max_length=300, required=not done)
    visit.status = Status.DONE if done else Status.NOT_DONE
    visit.outcome_note, visit.closed_by, visit.closed_at = note, by, timezone.now()
    visit.version += 1
    visit.save(update_fields=["status", "outcome_note", "closed_by", "closed_at", "version"])
    record(event="visit.closed", user=by, ip=ip, target=visit.pk, status=visit.status)
    return visit


@transaction.atomic
def visit_cancel(*, visit: HomeVisit, by: User, note: str = "",
                 ip: str | None = None) -> HomeVisit:  # fmt: skip
    """The person (their own account) or the office's clerk or supervisor calls an open visit
    off. Raises Forbidden for anyone else, Conflict when it is over."""
    visit = _locked(visit, by)
    own = by.own_applicant_id is not None and by.own_applicant_id == visit.applicant_id
    if not (own or _dispatcher(by, visit)):
        raise Forbidden(_("由申请人本人或服务机构取消"), code="visit_forbidden")
    if not visit.open:
        raise Conflict(_("这项上门服务已结束（%(status)s）") % {"status": visit.get_status_display()},
                       code="visit_closed")  # fmt: skip
    note = text_clean(note, field="note", label=_("取消原因"), max_length=300)
    visit.status, visit.outcome_note = Status.CANCELLED, note
    visit.closed_by, visit.closed_at = by, timezone.now()
    visit.version += 1
    visit.save(update_fields=["status", "outcome_note", "closed_by", "closed_at", "version"])
    record(event="visit.cancelled", user=by, ip=ip, target=visit.pk)
    return visit


def visit_visible(user: User, visit: HomeVisit) -> bool:
    """The person's own; the agent's it was sent to; the office's staff; the city supervisor."""
    if user.role == Role.APPLICANT:
        return user.own_applicant_id is not None and visit.applicant_id == user.own_applicant_id
    if visit.agent_id == user.pk:
        return True
    if user.role == Role.SUPERVISOR and user.is_city_supervisor:
        return True
    return user.role in (Role.CLERK, Role.SUPERVISOR) and user.office_id == visit.office_id


def visit_phone_shown(user: User, visit: HomeVisit) -> str:
    """The visit's phone as `user` sees it: in full for the person and for the agent sent (who
    calls ahead), masked for the office's staff."""
    own = user.own_applicant_id is not None and user.own_applicant_id == visit.applicant_id
    return visit.phone if own or visit.agent_id == user.pk else phone_mask(visit.phone)


def visits_visible(user: User) -> QuerySet:
    """The visits `user` may list (visit_visible as a query), soonest first."""
    qs = HomeVisit.objects.select_related("applicant", "office", "agent", "agent_point")
    if user.role == Role.APPLICANT:
        own = user.own_applicant_id
        qs = qs.filter(applicant_id=own) if own else qs.none()
    elif user.role == Role.SUPERVISOR and user.is_city_supervisor:
        pass
    elif user.role in (Role.CLERK, Role.SUPERVISOR):
        qs = qs.filter(Q(office_id=user.office_id) | Q(agent=user))
    elif user.role == Role.AGENT:
        qs = qs.filter(agent=user)
    else:
        qs = qs.none()
    return qs.prefetch_related("items").order_by("preferred_date", "pk")


def visit_for(user: User, pk) -> HomeVisit:
    """Visit `pk` if `user` may see it; NotFound otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    visit = visits_visible(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if visit is None:
        raise NotFound(_("没有这项上门服务"), code="visit_not_found")
    return visit

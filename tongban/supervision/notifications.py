"""Notifications to applicants (SMS) and staff (e-mail), sent from background jobs only.

The outbox is what the actions already write in their own transactions: CaseEvent rows (a
case accepted, a supplement asked for, a case finished or refused), Warning rows (yellow and
red cards) and Rectification rows (a bad rating). notifications_collect() reads each of them
after a stored Checkpoint and records one Notification per event, channel and recipient under
a unique key; notifications_send() then sends what is pending. So nothing is sent from a
request, nothing is lost if a worker dies, and nothing is recorded or sent twice:

- recording: the unique key; several collectors racing insert with ignore_conflicts;
- sending: each row is claimed with a guarded UPDATE (pending → sending) before it is sent;
  a row left in "sending" by a worker that died is marked failed, never sent again (at most
  once: a second SMS is worse than a missing one, and the row shows the gap).

Ids are handed out when a row is inserted, not when its transaction commits, so a reader can
see id 101 before id 100 commits. The collector therefore re-reads the last OVERLAP ids
behind its checkpoint on every run; the unique keys make the re-reading harmless.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from tongban.cases.models import Action, CaseEvent, SpecialProcedure, Status
from tongban.evaluations.models import Rectification
from tongban.lib import sms
from tongban.lib.identifiers import phone_mask
from tongban.people.models import Role, User
from tongban.workdays import services as workdays
from tongban.workdays.services import calendar_year_missing

from .models import Checkpoint, Level, Notification, Warning

log = logging.getLogger(__name__)

OVERLAP = 1000  # ids re-read behind each checkpoint (see the module docstring)
BATCH = 2000
MAX_ATTEMPTS = 5
STALE_SENDING = timedelta(minutes=10)
SMS_SIGNATURE = "【医保通办】"


@dataclass
class Draft:
    key: str
    event: str
    channel: str
    recipient: str
    subject: str
    body: str
    case_id: int | None = None
    user_id: int | None = None


# --- What each event says ------------------------------------------------------------------

CASE_ACTIONS = (
    Q(
        action__in=[
            Action.ACCEPT,
            Action.DEEM_ACCEPTED,
            Action.REQUEST_SUPPLEMENT,
            Action.REJECT,
            Action.REQUEST_EXTENSION,
            Action.START_PROCEDURE,
            Action.END_PROCEDURE,
            Action.URGE,
        ]
    )
    | Q(action__in=[Action.APPROVE, Action.DENY], to_status=Status.COMPLETED)
    | Q(action=Action.DECIDE_EXTENSION, data__approved=True)
)


def _d(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _case_event_text(event: CaseEvent) -> tuple[str, str] | None:
    """(event code, SMS text) for an applicant, or None if the event needs no message."""
    case = event.case
    head = f"{SMS_SIGNATURE}您申请的“{case.item.name}”（办件编号 {case.number}）"
    match event.action:
        case Action.ACCEPT | Action.DEEM_ACCEPTED:
            deemed = "依法视为受理" if event.action == Action.DEEM_ACCEPTED else "已受理"
            due = f"，承诺于{_d(case.deadline)}前办结" if case.deadline else ""
            return "case.accepted", f"{head}{deemed}{due}。"
        case Action.REQUEST_SUPPLEMENT:
            codes = event.data.get("missing_materials") or case.missing_materials
            names = {m["code"]: m["name"] for m in case.item_version.materials}
            missing = "、".join(names.get(c, c) for c in codes)
            due = f"，请于{_d(case.supplement_due)}前一次性补齐" if case.supplement_due else ""
            return "case.supplement", f"{head}需要补正材料：{missing}{due}。"
        case Action.REJECT:
            return "case.rejected", f"{head}不予受理，理由：{event.reason}。详见不予受理通知书。"
        case Action.DECIDE_EXTENSION:
            days = event.data.get("days")
            return (
                "case.extended",
                f"{head}经批准延期{days}个工作日办理，新的办结期限为{_d(case.deadline)}。详见延期办理告知书。",
            )
        case Action.START_PROCEDURE:
            return "case.procedure", f"{head}需进行{_procedure(event)}，所需时间不计入办理时限。"
        case Action.END_PROCEDURE:
            due = f"，办结期限为{_d(case.deadline)}" if case.deadline else ""
            return "case.procedure_ended", f"{head}的{_procedure(event)}已结束{due}。"
        case Action.APPROVE | Action.DENY:
            result = "准予办理" if event.action == Action.APPROVE else f"不予批准（{event.reason}）"
            days = settings.TONGBAN_RATING_DAYS
            return (
                "case.completed",
                f"{head}已办结，结果：{result}。欢迎在{days}个工作日内对本次服务作出评价。",
            )
    return None


def _procedure(event: CaseEvent) -> str:
    kind = event.data.get("kind")
    return SpecialProcedure.Kind(kind).label if kind in SpecialProcedure.Kind.values else "特别程序"


def _url(path: str) -> str:
    return getattr(settings, "TONGBAN_PUBLIC_URL", "").rstrip("/") + path


def _supervisors(office_id: int | None, *, city: bool) -> list[User]:
    """Supervisors of the office, and those of the city bureau when `city`."""
    who = Q(office_id=office_id) if office_id else Q(pk__in=[])
    if city:
        who |= Q(office__code=settings.TONGBAN_CITY_CODE)
    return list(User.objects.filter(who, role=Role.SUPERVISOR, is_active=True).order_by("pk"))


def _email_drafts(key: str, event: str, users, subject: str, body: str, case_id) -> list[Draft]:
    return [
        Draft(key=f"{key}:email:u{u.pk}", event=event, channel=Notification.Channel.EMAIL,
              recipient=u.email, subject=subject, body=body, case_id=case_id, user_id=u.pk)
        for u in users
    ]  # fmt: skip


# --- Collecting ----------------------------------------------------------------------------


def _case_event_drafts(events: list[CaseEvent]) -> list[Draft]:
    # An instant item accepted with every material is finished in the same transaction: its
    # applicant gets the one "finished" message, not "accepted" a moment before it.
    accepted = [e.case_id for e in events if e.action == Action.ACCEPT]
    finished_with = set(
        CaseEvent.objects.filter(case_id__in=accepted, to_status=Status.COMPLETED).values_list(
            "case_id", "at"
        )
    )
    drafts = []
    for e in events:
        if e.action == Action.ACCEPT and (e.case_id, e.at) in finished_with:
            continue
        if e.action == Action.REQUEST_EXTENSION:  # for the supervisors who decide it
            days = e.data.get("days")
            drafts += _email_drafts(
                f"case-event:{e.pk}", "case.extension_requested",
                _supervisors(e.case.handling_office_id, city=False),
                f"延期申请待审批：{e.case.number}",
                f"{e.case.item.name}（{e.case.number}）申请延期 {days} 个工作日，理由：{e.reason}。"
                f"原办结期限 {_d(e.case.deadline)}，请在期限届满前审批：{_url(f'/desk/cases/{e.case.number}/')}",
                e.case_id,
            )  # fmt: skip
            continue
        if e.action == Action.URGE:  # 催办: for the supervisors of the office that holds it
            late = (
                workdays.between(e.case.deadline, timezone.localdate(e.at))
                if e.case.deadline
                else 0
            )
            drafts += _email_drafts(
                f"case-event:{e.pk}", "case.urged",
                _supervisors(e.case.handling_office_id, city=False),
                f"申请人催办：{e.case.number}",
                f"{e.case.item.name}（{e.case.number}）已超过办结期限 {_d(e.case.deadline)}（{late} 个工作日），"
                f"申请人于 {timezone.localtime(e.at):%Y-%m-%d %H:%M} 催办，请督促办理：{_url(f'/desk/cases/{e.case.number}/')}",
                e.case_id,
            )  # fmt: skip
            continue
        said = _case_event_text(e)
        if said is None:
            continue
        code, text = said
        drafts.append(
            Draft(key=f"case-event:{e.pk}:sms:applicant", event=code,
                  channel=Notification.Channel.SMS, recipient=e.case.applicant.phone, subject="",
                  body=text, case_id=e.case_id)
        )  # fmt: skip
    return drafts


def _warning_drafts(cards: list[Warning]) -> list[Draft]:
    drafts, who = [], {}  # supervisors per (office, city): one query each per batch
    for w in cards:
        case = w.case
        red = w.level == Level.RED
        office = case.handling_office
        subject = f"{w.get_level_display()}：办件 {case.number} {'已超期' if red else '即将到期'}"
        body = (
            f"{office.name if office else ''} 办理的“{case.item.name}”（办件编号 {case.number}）"
            f"{'已超过' if red else '临近'}办结期限 {case.deadline or w.deadline:%Y-%m-%d}。\n"
            f"请及时督办：{_url(f'/desk/cases/{case.number}/')}\n"
        )
        if (case.handling_office_id, red) not in who:
            who[case.handling_office_id, red] = _supervisors(case.handling_office_id, city=red)
        users = who[case.handling_office_id, red]
        drafts += _email_drafts(
            f"warning:{w.pk}", f"warning.{w.level}", users, subject, body, case.pk
        )
    return drafts


def _rectification_drafts(rows: list[Rectification]) -> list[Draft]:
    drafts = []
    for r in rows:
        ev = r.evaluation
        case = ev.case
        subject = f"差评整改：办件 {case.number}（{ev.get_score_display()}）"
        body = (
            f"“{case.item.name}”（办件编号 {case.number}）收到差评：{ev.get_score_display()}。\n"
            f"评价内容：{ev.comment or '（无）'}\n"
            f"请 {r.office.name} 于 {r.due:%Y-%m-%d} 前核实整改并回访申请人；"
            f"整改单：{_url(f'/desk/supervision/rectifications/{r.pk}/')}\n"
        )
        users = _supervisors(r.office_id, city=True)
        drafts += _email_drafts(f"rating:{ev.pk}", "rating.bad", users, subject, body, case.pk)
    return drafts


SOURCES = {
    # checkpoint name: (rows after an id, drafts for them)
    "case-events": (
        lambda after: CaseEvent.objects.filter(CASE_ACTIONS, pk__gt=after).select_related(
            "case__item", "case__item_version", "case__applicant"
        ),
        _case_event_drafts,
    ),
    "warnings": (
        lambda after: Warning.objects.filter(pk__gt=after).select_related(
            "case__item", "case__handling_office"
        ),
        _warning_drafts,
    ),
    "rectifications": (
        lambda after: Rectification.objects.filter(pk__gt=after).select_related(
            "evaluation__case__item", "office"
        ),
        _rectification_drafts,
    ),
}


def _calendar_drafts(now: datetime) -> list[Draft]:
    """While a year's holidays are missing (workdays.calendar_year_missing), a weekly e-mail
    to the catalog administrators, who load them, and the city's supervisors."""
    today = timezone.localdate(now)
    year = calendar_year_missing(today)
    if year is None:
        return []
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    users = User.objects.filter(
        Q(role=Role.CATALOG_ADMIN)
        | Q(role=Role.SUPERVISOR, office__code=settings.TONGBAN_CITY_CODE),
        is_active=True,
    ).order_by("pk")
    return _email_drafts(
        f"calendar.missing:{year}:{week}", "calendar.missing", users,
        f"{year}年节假日安排尚未载入",
        f"{year}年的国务院节假日安排尚未载入通办平台：该年度的办结期限、预审期限等按周一至周五暂计，"
        f"系统不会据暂计日期自动视为受理、终止办件或发出红牌。通知发布后，请事项管理员在管理后台"
        f"“年度节假日安排”或用 tongban load-calendar 载入：{_url('/admin/workdays/calendaryear/')}",
        None,
    )  # fmt: skip


def _record(drafts: list[Draft], now: datetime) -> int:
    """Insert the drafts not yet recorded; returns how many were new."""
    if not drafts:
        return 0
    known = set(
        Notification.objects.filter(key__in=[d.key for d in drafts]).values_list("key", flat=True)
    )
    new = []
    for d in drafts:
        if d.key in known:
            continue
        missing = not d.recipient
        new.append(
            Notification(key=d.key, event=d.event, channel=d.channel, recipient=d.recipient,
                         subject=d.subject, body=d.body, case_id=d.case_id, user_id=d.user_id,
                         created_at=now,
                         status=Notification.Status.FAILED if missing else Notification.Status.PENDING,
                         error=("申请人未留手机号" if d.channel == Notification.Channel.SMS
                                else "用户未设置电子邮箱") if missing else "")
        )  # fmt: skip
    # A collector running beside this one may have inserted some of them meanwhile.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def notifications_collect(*, now: datetime | None = None) -> int:
    """Record the notifications for every event since the checkpoints; returns how many are
    new. Idempotent, and safe to run on several workers at once."""
    now = now or timezone.now()
    created = 0
    for name, (rows_after, drafts_for) in SOURCES.items():
        checkpoint, _ = Checkpoint.objects.get_or_create(name=name)
        after = max(checkpoint.position - OVERLAP, 0)
        while True:
            rows = list(rows_after(after).order_by("pk")[:BATCH])
            if not rows:
                break
            created += _record(drafts_for(rows), now)
            after = rows[-1].pk
            # Only ever forward: a slower collector must not move it back.
            Checkpoint.objects.filter(name=name, position__lt=after).update(position=after)
            if len(rows) < BATCH:
                break
    return created + _record(_calendar_drafts(now), now)


# --- Sending -------------------------------------------------------------------------------


def _claim(pk: int, now: datetime) -> bool:
    """pending → sending, for exactly one sender."""
    return bool(
        Notification.objects.filter(pk=pk, status=Notification.Status.PENDING).update(
            status=Notification.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    )


def _deliver(rows: list[Notification]) -> None:
    """Send claimed rows to one recipient: an SMS each; e-mail as one message (a digest when
    several cards or ratings arrived together, so a busy day is one e-mail, not hundreds)."""
    first = rows[0]
    if first.channel == Notification.Channel.SMS:
        sms.send_sms(phone=first.recipient, text=first.body)
        return
    if len(rows) == 1:
        subject, body = first.subject, first.body
    else:
        subject = f"督办提醒：{len(rows)} 条（{first.subject} 等）"
        body = "\n".join(f"{i}. {n.subject}\n{n.body}" for i, n in enumerate(rows, 1))
    EmailMessage(subject=subject, body=body, to=[first.recipient]).send()


def _error_text(e: Exception, recipient: str) -> str:
    """A failure as the row and the log keep it: the recipient (sealed on the row) masked
    wherever a gateway's or SMTP's message repeats it (SMTPRecipientsRefused does)."""
    text = f"{type(e).__name__}: {e}"
    if recipient:
        text = text.replace(recipient, phone_mask(recipient))
    return text[:2000]


def _send_claimed(rows: list[Notification]) -> int:
    pks = [n.pk for n in rows]
    try:
        _deliver(rows)
    except Exception as e:  # a gateway or SMTP failure: record it, retry on a later run
        error = _error_text(e, rows[0].recipient)
        log.warning("notification %s failed: %s", rows[0].key, error)
        sending = Notification.objects.filter(pk__in=pks, status=Notification.Status.SENDING)
        sending.filter(attempts__lt=MAX_ATTEMPTS).update(
            status=Notification.Status.PENDING, error=error
        )
        sending.update(status=Notification.Status.FAILED, error=error)
        return 0
    Notification.objects.filter(pk__in=pks).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), error=""
    )
    return len(rows)


DIGEST_MAX = 100  # rows per e-mail


def notifications_send(*, limit: int = 500, now: datetime | None = None) -> dict[str, int]:
    """Send up to `limit` pending notifications, oldest first. Each row is claimed before it
    is sent (at most once); staff e-mail to one address goes out as one message."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(status=Notification.Status.FAILED, error="发送过程中断；为避免重复发送，不再重试")
    pending = list(
        Notification.objects.filter(status=Notification.Status.PENDING).order_by("pk")[:limit]
    )
    groups: dict[tuple, list[Notification]] = {}
    for n in pending:
        if n.channel == Notification.Channel.SMS:
            groups[("sms", n.pk)] = [n]
        else:
            groups.setdefault(("email", n.recipient), []).append(n)
    sent = 0
    for rows in groups.values():
        for i in range(0, len(rows), DIGEST_MAX):
            claimed = [n for n in rows[i : i + DIGEST_MAX] if _claim(n.pk, now)]
            if claimed:
                sent += _send_claimed(claimed)
    return {"sent": sent, "tried": len(pending), "interrupted": stale}


def notifications_dispatch(*, now: datetime | None = None) -> dict[str, int]:
    """The notification job: record what the latest events call for, then send it."""
    created = notifications_collect(now=now)
    return {"recorded": created, **notifications_send(now=now)}


def notifications_visible(user):
    """The notifications a supervisor may read: the city's all, an office's about its cases
    or its own staff."""
    qs = Notification.objects.select_related("case", "user")
    if user.is_city_supervisor:
        return qs
    if user.role != Role.SUPERVISOR or user.office_id is None:
        return qs.none()
    return qs.filter(Q(case__handling_office_id=user.office_id) | Q(user__office_id=user.office_id))

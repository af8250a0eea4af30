"""Demo only: cases at several ages for the supervisors' pages, and a demo clock.

The real services create every demo case (submit, accept, approve, rate); then
`_age()` moves the case's own dates back by N working days, as if it had been accepted N
working days ago. The demo clock does the same to every open case at once — time passes for
the cases instead of for the machine — and then runs the jobs, so yellow and red cards,
deemed acceptances and lapses appear as they would over those days.

Nothing here runs unless settings.TONGBAN_DEMO is true (`tongban demo` sets it). It writes
dates with plain UPDATEs, bypassing the case services on purpose: no real case is ever aged.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from tongban.audit.services import record
from tongban.cases.models import OPEN_STATUSES, Case, CaseEvent, ClockStop, Notice
from tongban.cases.services import (
    case_act,
    case_submit,
    cases_deem_accepted_overdue,
    cases_lapse_overdue,
)
from tongban.evaluations.models import Rectification
from tongban.evaluations.services import evaluation_submit
from tongban.lib.errors import DomainError
from tongban.people.models import STAFF_ROLES, User
from tongban.workdays import services as workdays

from .notifications import notifications_collect, notifications_dispatch
from .services import deadlines_scan

ITEM = "YB07019"  # 门诊费用报销: promised 10 working days, 审核 → 复审
FORM = {"amount": "1280.50", "bank_account": "6222020200112233445"}
# Working days since acceptance for the running cases: with a 10-day limit and a yellow card
# at 2 days left, 8–10 are yellow, 11 and more red; the clock turns the others one by one.
AGES = {"371522": [1, 3, 5, 7, 8, 9, 10, 12, 15], "371581": [6, 9, 11]}


DEMO_MARK = "demo-city"  # a Checkpoint row: this database was built by `tongban demo`


def demo_enabled() -> bool:
    """Whether this is the demo: TONGBAN_DEMO, or a database that `tongban demo` built."""
    from .models import Checkpoint

    return settings.TONGBAN_DEMO or Checkpoint.objects.filter(name=DEMO_MARK).exists()


def _require_demo() -> None:
    if not demo_enabled():
        raise ImproperlyConfigured("the demo clock runs only on the demo (TONGBAN_DEMO=true)")


class _Calendar:
    """Working-day steps backwards, with is_workday() memoized for one run."""

    def __init__(self):
        self.is_workday = lru_cache(maxsize=None)(workdays.is_workday)

    def back(self, d: date, n: int) -> date:
        """The day n working days before d (d itself counted as it stands)."""
        while n > 0:
            d -= timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def back_at(self, at: datetime | None, n: int) -> datetime | None:
        if at is None:
            return None
        local = timezone.localtime(at)
        day = self.back(local.date(), n)
        return local.replace(year=day.year, month=day.month, day=day.day)


DATE_FIELDS = ("clock_started_on", "deadline", "prereview_due", "prereview_started_on",
               "supplement_due", "supplement_asked_on",
               "promised_supplement_by")  # fmt: skip
TIME_FIELDS = ("submitted_at", "accepted_at", "completed_at")


def _age(cases, n: int, cal: _Calendar) -> int:
    """Move each case's dates, events and notices back by n working days."""
    aged = 0
    for case in cases:
        changes = {f: cal.back(getattr(case, f), n) for f in DATE_FIELDS if getattr(case, f)}
        changes |= {f: cal.back_at(getattr(case, f), n) for f in TIME_FIELDS if getattr(case, f)}
        Case.objects.filter(pk=case.pk).update(**changes)
        for event in CaseEvent.objects.filter(case=case).only("pk", "at"):
            CaseEvent.objects.filter(pk=event.pk).update(at=cal.back_at(event.at, n))
        for notice in Notice.objects.filter(case=case).only("pk", "issued_at"):
            Notice.objects.filter(pk=notice.pk).update(issued_at=cal.back_at(notice.issued_at, n))
        for stop in ClockStop.objects.filter(case=case):
            ClockStop.objects.filter(pk=stop.pk).update(
                started_on=cal.back(stop.started_on, n),
                ended_on=cal.back(stop.ended_on, n) if stop.ended_on else None,
            )
        aged += 1
    return aged


def _run_jobs(*, send: bool = True) -> dict:
    return {
        "deemed_accepted": cases_deem_accepted_overdue(),
        **cases_lapse_overdue(),
        **deadlines_scan(),
        # Recorded here; sent here or by the worker within half a minute.
        "notifications": notifications_dispatch()["recorded"] if send else notifications_collect(),
    }


def demo_clock_advance(*, days: int, by: User | None = None) -> dict:
    """Let `days` working days pass for every open case and open rectification, then run the
    jobs. Returns what changed."""
    _require_demo()
    if not 1 <= days <= 30:
        raise ValueError("advance the demo clock by 1 to 30 working days")
    cal = _Calendar()
    with transaction.atomic():
        aged = _age(Case.objects.filter(status__in=OPEN_STATUSES), days, cal)
        for r in Rectification.objects.filter(closed_at__isnull=True):
            Rectification.objects.filter(pk=r.pk).update(
                due=cal.back(r.due, days), opened_at=cal.back_at(r.opened_at, days)
            )
        record(event="demo.clock_advanced", user=by, days=days, cases=aged)
    return {"days": days, "cases": aged, **_run_jobs()}


# --- The seed ------------------------------------------------------------------------------


def _user(username: str) -> User:
    return User.objects.select_related("office", "applicant").get(username=username)


def _case(key: str, applicant_user: User, clerk: User, age: int, cal: _Calendar) -> Case | None:
    """An online application by `applicant_user`, accepted by `clerk` `age` working days ago."""
    case, created = case_submit(item=ITEM, applicant=applicant_user.applicant, channel="web",
                                submitted_by=applicant_user, materials=["M1", "M2", "M3", "M4"],
                                form=FORM, idempotency_key=key)  # fmt: skip
    if not created:
        return None
    case_act(number=case.number, action="accept", actor=clerk)
    _age([Case.objects.get(pk=case.pk)], age, cal)
    return case


def _finished(key: str, applicant_user: User, office: str) -> Case | None:
    case, created = case_submit(item=ITEM, applicant=applicant_user.applicant, channel="web",
                                submitted_by=applicant_user, materials=["M1", "M2", "M3", "M4"],
                                form=FORM, idempotency_key=key)  # fmt: skip
    if not created:
        return None
    for who, action in ((f"clerk-{office}", "accept"), (f"reviewer-{office}", "approve"),
                        (f"second-reviewer-{office}", "approve")):  # fmt: skip
        params = {"decision": _decision()} if who.startswith("second-") else {}
        case_act(number=case.number, action=action, actor=_user(who), **params)
    return case


def _decision() -> dict:
    """The 办结结果 of a demo 门诊费用报销: paid in full to the form's account within a week."""
    return {"amount_approved": FORM["amount"], "paid_to_account": FORM["bank_account"],
            "payment_date": (timezone.localdate() + timedelta(days=7)).isoformat()}  # fmt: skip


def supervision_demo_seed() -> dict:
    """Cases at several ages in 莘县 (371522) and 临清 (371581), two finished cases rated
    (one bad: its rectification is open), one finished and not yet rated (for the window
    rating page), one online application near its 5-day pre-review limit, one with an
    extension waiting for the supervisor and one in a special procedure. Staff get
    demo e-mail addresses. Idempotent: a second run adds nothing."""
    _require_demo()
    from .models import Checkpoint

    Checkpoint.objects.get_or_create(name=DEMO_MARK)
    for u in User.objects.filter(role__in=STAFF_ROLES, email=""):
        u.email = f"{u.username}@demo.tongban.invalid"
        u.save(update_fields=["email"])
    cal = _Calendar()
    applicants = [_user("applicant-1"), _user("applicant-2")]
    made: dict[str, list[str]] = {"running": [], "finished": [], "unrated": [], "prereview": []}
    try:
        with transaction.atomic():
            for office, ages in AGES.items():
                clerk = _user(f"clerk-{office}")
                for i, age in enumerate(ages):
                    key = f"demo-supervision-{office}-{age}"
                    case = _case(key, applicants[i % 2], clerk, age, cal)
                    if case:
                        made["running"].append(case.number)
            for key, score, comment in (("bad", 2, "窗口人员解释不清，来回跑了两趟"),
                                        ("good", 5, "办得很快，谢谢")):  # fmt: skip
                case = _finished(f"demo-supervision-rated-{key}", applicants[0], "371522")
                if case:
                    evaluation_submit(case=case, score=score, comment=comment, channel="portal",
                                      by=applicants[0])  # fmt: skip
                    made["finished"].append(case.number)
            case = _finished("demo-supervision-unrated", applicants[1], "371522")
            if case:
                made["unrated"].append(case.number)
            case, created = case_submit(item=ITEM, applicant=applicants[1].applicant,
                                        channel="web", submitted_by=applicants[1],
                                        materials=["M1", "M2", "M3", "M4"], form=FORM,
                                        idempotency_key="demo-supervision-prereview")  # fmt: skip
            if created:
                _age([case], 4, cal)  # one working day left to answer (行政许可法 §32)
                made["prereview"].append(case.number)
            # 延期 waiting for the 莘县 supervisor, and a 特别程序 under way (its clock still).
            case = _case("demo-supervision-extension", applicants[0], _user("clerk-371522"), 0, cal)
            if case:
                case_act(number=case.number, action="request_extension", days=5,
                         actor=_user("reviewer-371522"), reason="需向外地定点医院核实住院票据")  # fmt: skip
                made["running"].append(case.number)
            case = _case("demo-supervision-procedure", applicants[1], _user("clerk-371522"), 0, cal)
            if case:
                case_act(number=case.number, action="start_procedure", kind="site_check",
                         actor=_user("reviewer-371522"), reason="需现场核查就诊记录")  # fmt: skip
                made["running"].append(case.number)
    except DomainError as e:  # the catalog changed under the demo: say so, keep the rest
        return {"error": f"{e.code}: {e.message}", **made}
    made["jobs"] = _run_jobs(send=False)
    return made

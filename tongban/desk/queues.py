"""The home page's work queues and the deadline marks, built to stay fast on a million cases.

Every queue filters on the indexed columns of Case (status, handling_office, submitted_at),
fetches one page plus one row to know whether a next page exists (no COUNT(*) over the
whole set), and loads its rows with select_related: a constant number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tongban.cases.access import cases_visible, steps_taken_q
from tongban.cases.models import IN_INTAKE, OPEN_STATUSES, Case, Status, overdue_q
from tongban.cases.selectors import cases_search, search_order
from tongban.catalog.models import ServiceItem
from tongban.offices.models import Office
from tongban.people.models import Role
from tongban.supervision.services import yellow_days
from tongban.workdays import services as workdays

PAGE_SIZE = 50
ROW_FIELDS = (
    "number", "status", "result", "channel", "submitted_at", "deadline", "deadline_provisional",
    "prereview_due", "overdue", "handling_office_id", "owner_id", "step",
    "item__code", "item__name", "item_version__promised_days", "item_version__handling_type",
    "item_version__steps", "applicant__name", "applicant__id_number", "applicant__kind",
    # 特殊群体, shown on every row (Applicant.groups)
    "applicant__disability_certificate", "applicant__left_behind", "applicant__in_need",
    "handling_office__name", "handling_office__code",
    "bundle_application__number",  # 一件事: a bundle's cases carry its number (and sort together)
)  # fmt: skip

DUE_FILTERS = {
    "overdue": gettext_lazy("已超期（红牌）"),
    "soon": gettext_lazy("两个工作日内到期及超期"),
}

SCOPES = {
    "intake": gettext_lazy("待认领的网上申请"),
    "office": gettext_lazy("本机构在办"),
    "review": gettext_lazy("待我审核"),
    "mine": gettext_lazy("我的办件"),
    "all": gettext_lazy("全部可见办件"),
}


def scope_label(user, scope: str) -> str:
    if scope == "office" and user.is_city_supervisor:
        return gettext_lazy("全市在办")
    return SCOPES[scope]


def scopes_for(user) -> list[str]:
    """The queues `user` may switch between; the first is their home queue."""
    match user.role:
        case Role.CLERK:
            return ["office", "intake", "all"]
        case Role.REVIEWER | Role.SECOND_REVIEWER:
            return ["review", "office", "all"]
        case Role.SUPERVISOR:
            return ["office", "all"]
        case Role.AGENT:
            return ["mine"]
    return []


def queue(user, *, scope: str, office: str = "", item: str = "", status: str = "",
          channel: str = "", q: str = "", due: str = "") -> "Queue":  # fmt: skip
    """The cases of one queue for `user`, filtered; rows carry what a list shows.

    Codes (item, office) are resolved to keys first: filtering on the joined code would keep
    the planner from the case indexes (case_item_idx, case_queue_idx)."""
    qs = cases_visible(user)
    q = (q or "").strip()
    if q:
        scope = "all"  # a search looks through every case the user may see
    if scope == "intake":
        qs = qs.filter(IN_INTAKE)
    elif scope == "office":
        if user.is_city_supervisor:
            qs = qs.filter(handling_office__isnull=False)
        else:
            qs = qs.filter(handling_office_id=user.office_id)
    elif scope == "review":
        qs = qs.filter(steps_taken_q(user))
    if office and user.is_city_supervisor:
        qs = qs.filter(handling_office_id=_pk(Office, office))
    if item:
        qs = qs.filter(item_id=_pk(ServiceItem, item))
    if channel:
        qs = qs.filter(channel=channel)
    if due in DUE_FILTERS:  # along case_open_deadline_idx
        today = timezone.localdate()
        # Due within two working days: overdue on the day after the second.
        day = today if due == "overdue" else workdays.add(today, 2).date + timedelta(days=1)
        qs = qs.filter(overdue_q(day))
    if q:
        qs = qs.filter(cases_search(q))
    if status:
        qs = qs.filter(status=status)
    elif scope in ("office", "intake", "review") and not q:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if q:
        order = search_order(q)  # newest first, along the indexes
    elif status in (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN) or scope == "all":
        order = ("-submitted_at", "-id")  # history: newest first, along the indexes
    else:
        order = (F("deadline").asc(nulls_last=True), "submitted_at", "id")  # most urgent first
    return Queue(qs.order_by(*order), order)


def _pk(model, code: str) -> int | None:
    return model.objects.filter(code=code).values_list("pk", flat=True).first()


class Queue:
    """A queue's filtered, ordered cases. A page is cut on the case table alone (narrow rows,
    along its indexes) and only its rows are joined to item, version, applicant and office:
    joining first made the database join every open case of an office before sorting."""

    def __init__(self, qs: QuerySet, order):
        self.qs, self.order = qs, order

    def __getitem__(self, window: slice) -> list:
        ids = self.qs.values("pk")[window]
        return list(
            Case.objects.filter(pk__in=ids)
            .select_related(
                "item", "item_version", "applicant", "handling_office", "bundle_application"
            )
            .only(*ROW_FIELDS)
            .order_by(*self.order)
        )


# --- Deadlines -----------------------------------------------------------------------------


@dataclass
class Mark:
    """What a row or a case page shows about time (rendered by desk/_mark.html)."""

    kind: str = ""  # "deadline", "prereview", "paused" or "" (nothing to show)
    days: int | None = None  # working days left; negative when overdue
    level: str = ""  # "", "yellow", "red", "info"
    provisional: bool = False

    @property
    def overdue_days(self) -> int:
        return -self.days if self.days is not None and self.days < 0 else 0


def deadline_marks(cases, today: date | None = None) -> dict[int, Mark]:
    """A Mark per case pk, with one calendar query for the whole list (workdays.left() costs
    one query per call: a page of 50 would cost 50)."""
    today = today or timezone.localdate()
    days = workdays.span_of([today, *(d for c in cases for d in (c.deadline, c.prereview_due))])
    return {c.pk: mark(c, days, today) for c in cases}


def mark(case: Case, days: workdays.Span, today: date) -> Mark:
    """Red when overdue; yellow when the working days left reach the yellow card's line
    (supervision.services.yellow_days), so a row and the supervisors' card always agree."""
    if case.status == Status.AWAITING_SUPPLEMENT:
        return Mark("paused", level="info")
    if case.status == Status.SUBMITTED and case.prereview_due:
        left = days.left(today, case.prereview_due)
        return Mark("prereview", left, "red" if left < 0 else "yellow" if left <= 1 else "")
    if case.status != Status.ACCEPTED or case.deadline is None:
        return Mark()
    left = days.left(today, case.deadline)
    if left < 0:
        level = "red"
    elif left <= yellow_days(case.item_version.limit_days):
        level = "yellow"
    else:
        level = ""
    return Mark("deadline", left, level, case.deadline_provisional)

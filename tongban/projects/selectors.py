"""Reads of key projects: the board of one project, the lists, the figures.

The blockers (what blocks a project today) are defined once, here, as conditions on the
database (BLOCKER_RULES, task_late_q): the board labels each approval and task with them, and
the lists' `blocked` filter asks the same conditions of every project."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.models import Result, Status, overdue_q
from tongban.people.models import Role
from tongban.workdays import services as workdays

from .access import projects_visible
from .models import STARTED_STAGES, Approval, Member, Project, Task, unapproved_q


def _through_case(q: Q) -> Q:
    """A condition on cases as the same condition on approvals (through their `case`)."""
    return Q(*[(f"case__{k}", v) for k, v in q.children], _connector=q.connector)


def approval_blocker_rules(today: date) -> dict[str, Q]:
    """What blocks a project today, by approval (each approval meets at most one):

    overdue      its tongban case is being reviewed and its deadline has passed
                 (cases.models.overdue_q: accepted, clock running, deadline before today);
    supplement   its case waits for the applicant's supplement (待补正);
    refused      its case ended without the approval (不予受理, 撤回, 不予批准): the project
                 must apply again and link the new case;
    not_applied  neither a case nor an outside application is recorded, and the planned
                 date of the task that brings it in has passed.

    Besides these, every task not done whose planned date has passed blocks the project
    (task_late_q). An approval handled outside tongban blocks nothing while it runs: its
    deadline is the issuing body's, not known here."""
    return {
        "overdue": _through_case(overdue_q(today)),
        "supplement": Q(case__status=Status.AWAITING_SUPPLEMENT),
        "refused": unapproved_q("case__"),
        "not_applied": Q(case__isnull=True, applied_on__isnull=True, task__planned_on__lt=today),
    }


def task_late_q(today: date) -> Q:
    """A task late today: not done, its planned date passed."""
    return Q(done_on__isnull=True, planned_on__lt=today)


BLOCKER_LABELS = {
    "overdue": gettext_lazy("审批超期"),
    "supplement": gettext_lazy("待申请人补正"),
    "refused": gettext_lazy("未获批准，需重新申请"),
    "not_applied": gettext_lazy("逾期未申请"),
    "task_late": gettext_lazy("任务逾期"),
}

STATE_LABELS = {
    "not_applied": gettext_lazy("未申请"),
    "submitted": gettext_lazy("待受理"),
    "awaiting_supplement": gettext_lazy("待补正材料"),
    "accepted": gettext_lazy("审批中"),
    "procedure": gettext_lazy("特别程序"),
    "approved": gettext_lazy("已批准"),
    "denied": gettext_lazy("未获批准"),
    "rejected": gettext_lazy("已不予受理"),
    "withdrawn": gettext_lazy("已撤回"),
    "outside_running": gettext_lazy("外部办理中"),
    "outside_approved": gettext_lazy("已批准（外部）"),
}
DONE_STATES = ("approved", "outside_approved")


def approved_q() -> Q:
    """An approval obtained: its case completed with approval, or an outside approval dated."""
    return Q(case__status=Status.COMPLETED, case__result=Result.APPROVED) | Q(
        case__isnull=True, approved_on__isnull=False
    )


def _blocker_annotation(today: date):
    rules = approval_blocker_rules(today)
    return SqlCase(*[When(q, then=Value(kind)) for kind, q in rules.items()],
                   default=Value(""), output_field=CharField())  # fmt: skip


@dataclass
class ApprovalRow:
    approval: Approval
    state: str
    state_label: str
    deadline: date | None
    deadline_provisional: bool
    holder: str
    blocker: str  # a key of BLOCKER_LABELS, or ""
    after_start: bool  # its deadline falls after the planned start date

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def blocker_label(self) -> str:
        return str(BLOCKER_LABELS[self.blocker]) if self.blocker else ""


@dataclass
class TaskRow:
    task: Task
    late: bool  # not done, planned date passed (a blocker)
    done_late: bool  # done after its planned date
    after_start: bool  # not done and planned after the project's planned start date

    @property
    def highlighted(self) -> bool:
        """Late against the path to the planned start date."""
        return self.late or self.after_start


@dataclass
class Blocker:
    kind: str
    message: str
    approval: Approval | None = None
    task: Task | None = None

    @property
    def label(self) -> str:
        return str(BLOCKER_LABELS[self.kind])


@dataclass
class Board:
    project: Project
    today: date
    approvals: list[ApprovalRow]
    tasks: list[TaskRow]
    members: list[Member]
    blockers: list[Blocker]
    workdays_to_start: int | None  # working days from today to the planned start (None: started)
    counts: dict = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)


def _holder(approval: Approval, project: Project) -> str:
    """Who holds the approval now: the window, the review step (its office, department, step and
    role), the applicant (a supplement), the outside issuing body, or nobody (finished)."""
    case = approval.case
    if case is None:
        if approval.issuing_body:
            return "" if approval.approved_on else approval.issuing_body
        who = approval.task.responsible if approval.task_id else project.agent
        return _("待申请（%(name)s）") % {"name": who.get_full_name() or who.username}
    office = case.handling_office.name if case.handling_office_id else ""
    match case.status:
        case Status.SUBMITTED:
            return (
                _("%(office)s窗口受理") % {"office": office}
                if office
                else _("全市受理队列（待认领）")
            )
        case Status.AWAITING_SUPPLEMENT:
            return _("申请人")
        case Status.ACCEPTED:
            if case.in_procedure:
                return _("%(office)s（特别程序）") % {"office": office}
            step = case.current_step
            if step is None:
                return _("%(office)s窗口") % {"office": office}
            return " · ".join(part for part in (office, step.get("department", ""), step["name"],
                                                str(Role(step["role"]).label)) if part)  # fmt: skip
    return ""


def _state(approval: Approval) -> str:
    case = approval.case
    if case is None:
        if approval.issuing_body:
            return "outside_approved" if approval.approved_on else "outside_running"
        return "not_applied"
    if case.status == Status.COMPLETED:
        return "denied" if case.result == Result.DENIED else "approved"
    if case.status == Status.ACCEPTED and case.in_procedure:
        return "procedure"
    return case.status


def project_board(project: Project, *, today: date | None = None) -> Board:
    """Everything the board shows of `project` (loaded with its agent): every approval with its
    case number, item, department, state, deadline (the case's) and who holds it now; what
    blocks the project today (approval_blocker_rules and task_late_q, in that order: by
    approval, then late tasks); the tasks on the path to the planned start date, late ones
    highlighted. Five queries whatever the number of approvals and tasks: approvals (with
    their items, cases, the cases' versions and offices, and tasks), tasks, members, and the
    calendar for the working days to the start."""
    today = today or timezone.localdate()
    approvals = list(
        Approval.objects.filter(project_id=project.pk)
        .select_related("item", "task__responsible", "case__item_version", "case__handling_office")
        .defer("case__form")
        .annotate(blocker=_blocker_annotation(today))
        .order_by("id")
    )
    tasks = list(Task.objects.filter(project_id=project.pk).select_related("responsible"))
    members = list(
        Member.objects.filter(project_id=project.pk).select_related("user", "user__office")
    )
    start = project.planned_start_on
    rows = []
    for a in approvals:
        state = _state(a)
        deadline = a.case.deadline if a.case_id else None
        rows.append(ApprovalRow(
            approval=a, state=state, state_label=str(STATE_LABELS[state]), deadline=deadline,
            deadline_provisional=bool(a.case_id and a.case.deadline_provisional),
            holder=_holder(a, project), blocker=a.blocker,
            after_start=deadline is not None and deadline > start and state not in DONE_STATES,
        ))  # fmt: skip
    task_rows = []
    for t in tasks:
        is_late = t.done_on is None and t.planned_on < today  # task_late_q, of one task
        task_rows.append(TaskRow(task=t, late=is_late,
                                 done_late=t.done_on is not None and t.done_on > t.planned_on,
                                 after_start=t.done_on is None and t.planned_on > start))  # fmt: skip
    blockers = [Blocker(kind=r.blocker, message=_blocker_message(r), approval=r.approval)
                for r in rows if r.blocker]  # fmt: skip
    blockers += [Blocker(kind="task_late", task=r.task, message=_(
                     "任务“%(title)s”计划 %(day)s 完成，尚未完成（责任人 %(who)s）") % {
                     "title": r.task.title, "day": r.task.planned_on,
                     "who": r.task.responsible.get_full_name() or r.task.responsible.username})
                 for r in task_rows if r.late]  # fmt: skip
    started = project.started_on is not None or project.stage in STARTED_STAGES
    to_start = None if started else workdays.left(today, start)
    counts = {
        "approvals": len(rows),
        "approved": sum(r.done for r in rows),
        "in_tongban": sum(1 for r in rows if r.approval.case_id),
        "outside": sum(1 for r in rows if r.approval.outside),
        "tasks": len(task_rows),
        "tasks_done": sum(1 for r in task_rows if r.task.done_on),
    }
    return Board(project=project, today=today, approvals=rows, tasks=task_rows, members=members,
                 blockers=blockers, workdays_to_start=to_start, counts=counts)  # fmt: skip


def _blocker_message(row: ApprovalRow) -> str:
    a = row.approval
    name = a.item.name
    match row.blocker:
        case "overdue":
            return _(
                "“%(item)s”（办件 %(number)s）已超过办结期限 %(day)s，现由 %(holder)s 办理"
            ) % {"item": name, "number": a.case.number, "day": row.deadline, "holder": row.holder}
        case "supplement":
            return _("“%(item)s”（办件 %(number)s）等待申请人补正材料") % {
                "item": name,
                "number": a.case.number,
            }
        case "refused":
            return _("“%(item)s”（办件 %(number)s）%(state)s，需重新申请") % {
                "item": name,
                "number": a.case.number,
                "state": row.state_label,
            }
        case _:  # not_applied
            return _("“%(item)s”应于 %(day)s 前申请（任务“%(task)s”），尚未申请") % {
                "item": name,
                "day": a.task.planned_on,
                "task": a.task.title,
            }


def projects_blocked_q(today: date) -> Q:
    """Projects blocked today: any approval meeting a blocker rule, or any task late."""
    rules = approval_blocker_rules(today)
    any_rule = Q(pk__in=[])
    for q in rules.values():
        any_rule |= q
    return Q(Exists(Approval.objects.filter(any_rule, project_id=OuterRef("pk")))) | Q(
        Exists(Task.objects.filter(task_late_q(today), project_id=OuterRef("pk")))
    )


def projects_late_q(today: date) -> Q:
    """Projects late today: the planned start date has passed and the project has not started."""
    return Q(started_on__isnull=True, planned_start_on__lt=today) & ~Q(stage__in=STARTED_STAGES)


def projects_list(user, *, county: str | None = None, stage: str = "", agent: str | None = None,
                  industry: str = "",
                  blocked: bool | None = None, late: bool | None = None, mine: bool = False,
                  today: date | None = None) -> QuerySet:  # fmt: skip
    """The projects `user` may see, filtered (a county's office code, a stage, an agent's user
    name, an industry, blocked or late today, `mine`: those they follow as agent or task-force member),
    newest signing first, each with `approvals_count`, `approved_count`, `is_blocked`,
    `is_late`. Counted per row of the page only (subqueries), so a page costs one query."""
    today = today or timezone.localdate()
    qs = projects_visible(user)
    if county:
        qs = qs.filter(county__code=county)
    if stage:
        qs = qs.filter(stage=stage)
    if agent:
        qs = qs.filter(agent__username=agent)
    if industry:
        qs = qs.filter(industry=industry)
    if mine:
        qs = qs.filter(Q(agent_id=user.pk) | Q(pk__in=Member.objects.filter(user_id=user.pk)
                                                 .values("project_id")))  # fmt: skip
    if blocked is not None:
        qs = qs.filter(projects_blocked_q(today) if blocked else ~projects_blocked_q(today))
    if late is not None:
        qs = qs.filter(projects_late_q(today) if late else ~projects_late_q(today))
    return (
        qs.select_related("investor", "county", "agent")
        .annotate(
            approvals_count=_count(Approval.objects.filter(project_id=OuterRef("pk"))),
            approved_count=_count(Approval.objects.filter(approved_q(), project_id=OuterRef("pk"))),
            is_blocked=ExpressionWrapper(projects_blocked_q(today), output_field=BooleanField()),
            is_late=ExpressionWrapper(projects_late_q(today), output_field=BooleanField()),
        )
        .order_by("-signed_on", "-id")
    )


def _count(qs):
    counted = qs.order_by().values("project_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def projects_figures(projects: QuerySet) -> dict:
    """The figures of `projects` (a queryset, e.g. projects_visible(user)), in total, by county
    and by agent:

    projects        projects followed (registered);
    started         of them, started (an actual start date);
    approvals       approvals the projects need (in tongban or outside);
    approved        of them, obtained (approved_q);
    workdays_to_start  the mean working days from signing to the actual start of the started
                    projects (workdays.Span.between: (signed, started]); null when none started.

    Three queries: the projects, their approvals counted per project, and the calendar."""
    rows = list(projects.order_by().values_list("pk", "county__code", "county__name",
                                                "agent__username", "signed_on", "started_on"))  # fmt: skip
    pks = [r[0] for r in rows]
    counted = {
        pk: (n, done)
        for pk, n, done in Approval.objects.filter(project_id__in=pks).order_by()
        .values("project_id").annotate(n=Count("pk"), done=Count("pk", filter=approved_q()))
        .values_list("project_id", "n", "done")
    } if pks else {}  # fmt: skip
    started = [(r[4], r[5]) for r in rows if r[5] is not None and r[5] >= r[4]]
    span = workdays.span_of([d for pair in started for d in pair])

    def blank():
        return {"projects": 0, "started": 0, "approvals": 0, "approved": 0, "_days": []}

    total, by_county, by_agent = blank(), defaultdict(blank), defaultdict(blank)
    names = {}
    for pk, code, name, agent, signed, start in rows:
        names[code] = name
        n, done = counted.get(pk, (0, 0))
        days = span.between(signed, start) if start is not None and start >= signed else None
        for bucket in (total, by_county[code], by_agent[agent]):
            bucket["projects"] += 1
            bucket["approvals"] += n
            bucket["approved"] += done
            if days is not None:
                bucket["started"] += 1
                bucket["_days"].append(days)

    def done(bucket, **key):
        days = bucket.pop("_days")
        return {**key, **bucket,
                "workdays_to_start": round(sum(days) / len(days), 1) if days else None}  # fmt: skip

    return {
        "total": done(total),
        "by_county": [
            done(b, county=c, county_name=names[c]) for c, b in sorted(by_county.items())
        ],
        "by_agent": [done(b, agent=a) for a, b in sorted(by_agent.items())],
    }

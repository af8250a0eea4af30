"""The key-project endpoints of the API (/api/v1/projects): 重点项目全程帮办. The list with its
filters, registering a project, one project with its board, and the sub-paths that add to it
(task-force members, tasks, approvals) or move it on. Who sees and changes what, the rules of
the board and the figures are tongban.projects'; this file only shapes input and output."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.lib.errors import Forbidden, NotFound
from tongban.lib.http import client_ip
from tongban.lib.paging import PAGE_MAX
from tongban.offices.models import Office
from tongban.projects.access import STAFF_ROLES, project_for, projects_visible
from tongban.projects.models import Approval, Industry, Stage, Task
from tongban.projects.selectors import (
    BLOCKER_LABELS,
    STATE_LABELS,
    TaskRow,
    project_board,
    projects_figures,
    projects_list,
)
from tongban.projects.services import (
    approval_add,
    approval_remove,
    approval_update,
    member_add,
    member_remove,
    project_create,
    project_progress,
    task_add,
    task_done,
    task_remove,
)

from .schemas import (
    CharField,
    CodeField,
    DateInYearsField,
    EnumField,
    ErrorSerializer,
    StrictSerializer,
    TextField,
    item_code_field,
    page_of,
    validated,
)
from .shapes import paginate

YEARS = (1900, 2999)  # as projects.services takes them (whole centuries: a short pattern)
_ERRORS = {
    400: "Bad input, naming the field: `unknown_investor` (no employer with that USCC yet), "
    "`investor_not_employer`, the USCC's own codes, `invalid_county`, `invalid_amount`, "
    "`invalid_choice`, `invalid_dates` (planned start before signing, approved before applied), "
    "`date_in_future`, `started_on_required`, `stage_before_start`, `unknown_user` (the agent, "
    "a member or a responsible person is not an active staff account), `not_in_task_force`, "
    "`unknown_item`, `unknown_task`, `case_not_found` (no application of that item by the "
    "investor with that number), `case_or_outside`, `required`; `unknown_field`, `invalid`.",
    401: "No credentials, or a bad token.",
    403: "The project is seen but may not be changed by this user, or a project may not be "
    "registered in that county by them (`project_forbidden`); figures are for staff "
    "(`figures_forbidden`).",
    404: "No such project (or task, approval), or not one this user may see (`project_not_found`).",
    409: "`case_linked_elsewhere` (the case belongs to another approval), `approval_linked` (its "
    "case is still running), `member_exists`, `task_done_already`.",
    413: "The body is over 1 MiB (`body_too_large`).",
    415: "The body is not JSON.",
}


def _errors(*statuses):
    return {s: OpenApiResponse(ErrorSerializer, description=_ERRORS[s]) for s in statuses}


def _id(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=what)


_PROJECT = _id("id", "project id")
_WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415)


def county_code_field(**kwargs) -> CodeField:
    known = lambda: Office.objects.filter(  # noqa: E731
        level=Office.Level.COUNTY, external=False
    ).values_list("code", flat=True)
    return CodeField(name="CountyCode", known=known, **kwargs)


# --- Input ---------------------------------------------------------------------------------


class AmountField(CharField):
    """An amount in 万元 as text: digits, up to two decimals (projects.services refuses 0)."""

    def pattern(self) -> str:
        return r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


class ProjectListQuerySerializer(StrictSerializer):
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)
    county = county_code_field(required=False, help_text="a county's office code")
    stage = EnumField("ProjectStage", choices=Stage.choices, required=False)
    agent = CharField(
        required=False, max_length=150, help_text="the full-process agent's user name"
    )
    industry = EnumField("ProjectIndustry", choices=Industry.choices, required=False)
    blocked = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="only projects blocked today (or not)")  # fmt: skip
    late = serializers.BooleanField(required=False, allow_null=True, default=None,
                                    help_text="only projects past their planned start, not started")  # fmt: skip
    mine = serializers.BooleanField(required=False, default=False,
                                    help_text="only those the user follows as agent or in the task force")  # fmt: skip


class ProjectInputSerializer(StrictSerializer):
    name = TextField(nonblank=True, most=200, max_length=200)
    investor = CharField(max_length=40, help_text="the investor's unified social credit code "
                         "(an employer already known to tongban)")  # fmt: skip
    county = county_code_field()
    amount = AmountField(
        max_length=13, help_text="investment in 万元, more than 0, up to two decimals"
    )
    industry = EnumField("ProjectIndustry", choices=Industry.choices)
    signed_on = DateInYearsField(years=YEARS)
    planned_start_on = DateInYearsField(years=YEARS)
    agent = CharField(
        max_length=150, help_text="the full-process agent's user name (agent or clerk)"
    )


class ProjectProgressSerializer(StrictSerializer):
    stage = EnumField("ProjectStage", choices=Stage.choices, required=False)
    started_on = DateInYearsField(years=YEARS, required=False)
    planned_start_on = DateInYearsField(years=YEARS, required=False)
    agent = CharField(max_length=150, required=False)


class MemberInputSerializer(StrictSerializer):
    user = CharField(max_length=150, help_text="a staff member's user name")
    duty = TextField(nonblank=True, most=100, max_length=100)


class TaskInputSerializer(StrictSerializer):
    title = TextField(nonblank=True, most=200, max_length=200)
    responsible = CharField(
        max_length=150, help_text="the agent's or a task-force member's user name"
    )
    planned_on = DateInYearsField(years=YEARS)


class TaskDoneSerializer(StrictSerializer):
    done_on = DateInYearsField(years=YEARS, required=False, help_text="default: today")


class OutsideSerializer(StrictSerializer):
    issuing_body = TextField(nonblank=True, most=100, max_length=100)
    applied_on = DateInYearsField(years=YEARS)
    approved_on = DateInYearsField(years=YEARS, required=False, allow_null=True)
    reference = TextField(required=False, allow_blank=True, most=100, max_length=100)


class ApprovalInputSerializer(StrictSerializer):
    item = item_code_field(max_length=40)
    task = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                    max_value=2**31 - 1, help_text="the task that brings it in")  # fmt: skip
    case = CharField(required=False, max_length=24, help_text="a tongban case number: an "
                     "application of this item by the investor")  # fmt: skip
    outside = OutsideSerializer(required=False, help_text="an approval handled outside tongban")


class ApprovalUpdateSerializer(StrictSerializer):
    case = CharField(required=False, max_length=24)
    outside = OutsideSerializer(required=False)


# --- Output --------------------------------------------------------------------------------


class ProjectRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    investor = serializers.DictField(help_text="{name, masked_id}")
    county = serializers.DictField(help_text="{code, name}")
    amount = serializers.CharField(help_text="万元")
    industry = EnumField("ProjectIndustry", choices=Industry.choices)
    stage = EnumField("ProjectStage", choices=Stage.choices)
    signed_on = serializers.DateField()
    planned_start_on = serializers.DateField()
    started_on = serializers.DateField(allow_null=True)
    agent = serializers.CharField(help_text="the full-process agent's user name")
    approvals = serializers.IntegerField()
    approved = serializers.IntegerField()
    blocked = serializers.BooleanField()
    late = serializers.BooleanField()


class OutsideOutputSerializer(serializers.Serializer):
    issuing_body = serializers.CharField()
    applied_on = serializers.DateField(allow_null=True)
    approved_on = serializers.DateField(allow_null=True)
    reference = serializers.CharField()


class ApprovalRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.DictField(help_text="{code, name, department}")
    case = serializers.CharField(allow_null=True, help_text="the tongban case number")
    outside = OutsideOutputSerializer(allow_null=True)
    task = serializers.IntegerField(allow_null=True)
    state = EnumField("ApprovalState", choices=[(k, str(v)) for k, v in STATE_LABELS.items()])
    deadline = serializers.DateField(allow_null=True, help_text="the case's deadline")
    deadline_provisional = serializers.BooleanField()
    holder = serializers.CharField(help_text="who holds it now; empty once finished")
    blocker = serializers.CharField(help_text="the blocker rule it meets, or empty")
    after_start = serializers.BooleanField(help_text="its deadline falls after the planned start")


class BlockerSerializer(serializers.Serializer):
    kind = EnumField("BlockerKind", choices=[(k, str(v)) for k, v in BLOCKER_LABELS.items()])
    message = serializers.CharField()
    approval = serializers.IntegerField(allow_null=True)
    task = serializers.IntegerField(allow_null=True)


class TaskRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    responsible = serializers.CharField()
    planned_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField(help_text="not done, planned date passed")
    after_start = serializers.BooleanField(help_text="not done, planned after the planned start")


class MemberRowSerializer(serializers.Serializer):
    user = serializers.CharField()
    office = serializers.CharField(allow_null=True)
    department = serializers.CharField()
    duty = serializers.CharField()


class BoardSerializer(serializers.Serializer):
    today = serializers.DateField()
    blocked = serializers.BooleanField()
    workdays_to_start = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    approvals = ApprovalRowSerializer(many=True)
    blockers = BlockerSerializer(many=True)


class ProjectDetailSerializer(ProjectRowSerializer):
    members = MemberRowSerializer(many=True)
    tasks = TaskRowSerializer(many=True)
    board = BoardSerializer()


class FigureSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    started = serializers.IntegerField()
    approvals = serializers.IntegerField()
    approved = serializers.IntegerField()
    workdays_to_start = serializers.FloatField(allow_null=True)


class CountyFigureSerializer(FigureSerializer):
    county = serializers.CharField()
    county_name = serializers.CharField()


class AgentFigureSerializer(FigureSerializer):
    agent = serializers.CharField()


class ProjectFiguresSerializer(serializers.Serializer):
    total = FigureSerializer()
    by_county = CountyFigureSerializer(many=True)
    by_agent = AgentFigureSerializer(many=True)


ProjectListSerializer = page_of(ProjectRowSerializer, "Project")


def _d(value):
    return value.isoformat() if value else None


def project_row(p, *, approvals: int, approved: int, blocked: bool, late: bool) -> dict:
    return {
        "id": p.pk, "name": p.name,
        "investor": {"name": p.investor.name, "masked_id": p.investor.masked_id},
        "county": {"code": p.county.code, "name": p.county.name},
        "amount": str(p.amount), "industry": p.industry, "stage": p.stage,
        "signed_on": _d(p.signed_on), "planned_start_on": _d(p.planned_start_on),
        "started_on": _d(p.started_on), "agent": p.agent.username,
        "approvals": approvals, "approved": approved, "blocked": blocked, "late": late,
    }  # fmt: skip


def approval_row(r) -> dict:
    a = r.approval
    return {
        "id": a.pk,
        "item": {"code": a.item.code, "name": a.item.name, "department": a.item.department},
        "case": a.case.number if a.case_id else None,
        "outside": {"issuing_body": a.issuing_body, "applied_on": _d(a.applied_on),
                    "approved_on": _d(a.approved_on), "reference": a.reference}
        if a.outside else None,
        "task": a.task_id, "state": r.state, "deadline": _d(r.deadline),
        "deadline_provisional": r.deadline_provisional, "holder": r.holder,
        "blocker": r.blocker, "after_start": r.after_start,
    }  # fmt: skip


def task_row(r) -> dict:
    t = r.task
    return {"id": t.pk, "title": t.title, "responsible": t.responsible.username,
            "planned_on": _d(t.planned_on), "done_on": _d(t.done_on), "late": r.late,
            "after_start": r.after_start}  # fmt: skip


def project_detail(project) -> dict:
    """A project with its task force, tasks and board (projects.selectors.project_board)."""
    board = project_board(project)
    return {
        **project_row(project, approvals=board.counts["approvals"],
                      approved=board.counts["approved"], blocked=board.blocked,
                      late=board.workdays_to_start is not None and board.workdays_to_start < 0),
        "members": [{"user": m.user.username, "office": m.user.office.code if m.user.office_id else None,
                     "department": m.user.department, "duty": m.duty} for m in board.members],
        "tasks": [task_row(r) for r in board.tasks],
        "board": {
            "today": _d(board.today), "blocked": board.blocked,
            "workdays_to_start": board.workdays_to_start, "counts": board.counts,
            "approvals": [approval_row(r) for r in board.approvals],
            "blockers": [{"kind": b.kind, "message": b.message,
                          "approval": b.approval.pk if b.approval else None,
                          "task": b.task.pk if b.task else None} for b in board.blockers],
        },
    }  # fmt: skip


def _project(request, id) -> object:
    return project_for(request.user, id)


class ProjectListView(APIView):
    @extend_schema(
        operation_id="projects_list",
        summary="Key projects (重点项目) this user may see, filtered, newest signing first",
        description="A county's clerks and supervisors see their county's, the city's "
        "supervisors every county's, an agent or task-force member those they follow, an "
        "investor's verified account its own. `blocked`: any approval overdue, awaiting the "
        "applicant's supplement, ended unapproved, or not applied past its task's date, or any "
        "task late (tongban.projects.selectors.approval_blocker_rules); `late`: past the "
        "planned start and not started.",
        parameters=[ProjectListQuerySerializer],
        responses={200: ProjectListSerializer, **_errors(400, 401)},
        tags=["projects"],
    )
    def get(self, request):
        query = validated(ProjectListQuerySerializer, request.query_params.dict())
        qs = projects_list(request.user, county=query.get("county"), stage=query.get("stage", ""),
                           agent=query.get("agent"), industry=query.get("industry", ""),
                           blocked=query["blocked"], late=query["late"], mine=query["mine"])  # fmt: skip
        rows, count, next_url = paginate(request, qs, query.get("page", 1))
        return Response({
            "count": count,
            "next": next_url,
            "results": [project_row(p, approvals=p.approvals_count, approved=p.approved_count,
                                    blocked=p.is_blocked, late=p.is_late) for p in rows],
        })  # fmt: skip

    @extend_schema(
        operation_id="projects_create",
        summary="Register a key project (a county's clerk or supervisor, or a city supervisor)",
        description="The investor is an employer known by its USCC; the agent a user of the "
        "agent or clerk role. Audited as `project.created`.",
        request=ProjectInputSerializer,
        responses={201: ProjectDetailSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request):
        d = validated(ProjectInputSerializer, request.data)
        project = project_create(**d, by=request.user, ip=client_ip(request))
        return Response(project_detail(project_for(request.user, project.pk)), status=201)


class ProjectDetailView(APIView):
    @extend_schema(
        operation_id="projects_retrieve",
        summary="One project with its task force, timetable and board",
        description="The board: every approval with its case, state, deadline and who holds it "
        "now, what blocks the project today, the tasks on the path to the planned start.",
        parameters=[_PROJECT],
        responses={200: ProjectDetailSerializer, **_errors(401, 404)},
        tags=["projects"],
    )
    def get(self, request, id):
        return Response(project_detail(_project(request, id)))


class ProjectProgressView(APIView):
    @extend_schema(
        operation_id="projects_progress",
        summary="Move a project on: stage, actual or planned start date, another agent",
        parameters=[_PROJECT],
        request=ProjectProgressSerializer,
        responses={200: ProjectDetailSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request, id):
        project = _project(request, id)
        d = validated(ProjectProgressSerializer, request.data)
        project_progress(project=project, by=request.user, ip=client_ip(request), **d)
        return Response(project_detail(_project(request, id)))


class ProjectMemberView(APIView):
    @extend_schema(
        operation_id="projects_members_create",
        summary="Add someone to the project's task force (专班) with their duty",
        parameters=[_PROJECT],
        request=MemberInputSerializer,
        responses={201: MemberRowSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request, id):
        project = _project(request, id)
        d = validated(MemberInputSerializer, request.data)
        m = member_add(project=project, user=d["user"], duty=d["duty"], by=request.user,
                       ip=client_ip(request))  # fmt: skip
        return Response({"user": m.user.username, "office": m.user.office.code if m.user.office_id else None,
                         "department": m.user.department, "duty": m.duty}, status=201)  # fmt: skip


def _task_row(task: Task) -> dict:
    project, today = task.project, timezone.localdate()
    return task_row(TaskRow(task=task, late=task.done_on is None and task.planned_on < today,
                            done_late=bool(task.done_on and task.done_on > task.planned_on),
                            after_start=task.done_on is None and task.planned_on > project.planned_start_on))  # fmt: skip


class ProjectTaskView(APIView):
    @extend_schema(
        operation_id="projects_tasks_create",
        summary="Add a task to the timetable, with its responsible person and planned date",
        parameters=[_PROJECT],
        request=TaskInputSerializer,
        responses={201: TaskRowSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request, id):
        project = _project(request, id)
        d = validated(TaskInputSerializer, request.data)
        task = task_add(project=project, by=request.user, ip=client_ip(request), **d)
        return Response(_task_row(task), status=201)


def _task(project, task_id: int) -> Task:
    task = Task.objects.filter(pk=task_id, project_id=project.pk).first() if task_id < 2**31 else None
    if task is None:
        raise NotFound(_("项目没有这个任务"), code="task_not_found")
    return task


def _approval(project, approval_id: int) -> Approval:
    approval = (Approval.objects.filter(pk=approval_id, project_id=project.pk).first()
                if approval_id < 2**31 else None)  # fmt: skip
    if approval is None:
        raise NotFound(_("项目没有这个审批事项"), code="approval_not_found")
    return approval


class ProjectMemberRemoveView(APIView):
    @extend_schema(
        operation_id="projects_members_remove",
        summary="Take someone off the task force (409 `member_has_tasks` while they hold an open task)",
        parameters=[_PROJECT, OpenApiParameter("username", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={204: None, **_errors(401, 403, 404, 409)},
        tags=["projects"],
    )  # fmt: skip
    def delete(self, request, id, username):
        member_remove(project=_project(request, id), user=username, by=request.user,
                      ip=client_ip(request))  # fmt: skip
        return Response(status=204)


class ProjectTaskItemView(APIView):
    @extend_schema(
        operation_id="projects_tasks_remove",
        summary="Take a task not done off the timetable (409 `task_done_already` for one done)",
        parameters=[_PROJECT, _id("task_id", "task id")],
        responses={204: None, **_errors(401, 403, 404, 409)},
        tags=["projects"],
    )
    def delete(self, request, id, task_id):
        project = _project(request, id)
        task_remove(task=_task(project, task_id), by=request.user, ip=client_ip(request))
        return Response(status=204)


class ProjectTaskDoneView(APIView):
    @extend_schema(
        operation_id="projects_tasks_done",
        summary="Mark a task done (its responsible person, or whoever may change the project)",
        parameters=[_PROJECT, _id("task_id", "task id")],
        request=TaskDoneSerializer,
        responses={200: TaskRowSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request, id, task_id):
        project = _project(request, id)
        task = _task(project, task_id)
        d = validated(TaskDoneSerializer, request.data)
        task = task_done(
            task=task, by=request.user, done_on=d.get("done_on"), ip=client_ip(request)
        )
        task.project = project
        return Response(_task_row(task))


def _approval_row(project, approval_pk: int) -> dict:
    board = project_board(project)
    return approval_row(next(r for r in board.approvals if r.approval.pk == approval_pk))


class ProjectApprovalListView(APIView):
    @extend_schema(
        operation_id="projects_approvals_create",
        summary="Add an approval the project needs: a tongban case, an outside one, or neither yet",
        description="`case`: the number of an application of `item` by the investor; "
        "`outside`: {issuing_body, applied_on, approved_on, reference} for one handled outside "
        "tongban; not both. `task`: the task that brings it in (blocks once its date passed "
        "and nothing was applied for).",
        parameters=[_PROJECT],
        request=ApprovalInputSerializer,
        responses={201: ApprovalRowSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request, id):
        project = _project(request, id)
        d = validated(ApprovalInputSerializer, request.data)
        approval = approval_add(project=project, item=d["item"], task=d.get("task"),
                                case_number=d.get("case"), outside=d.get("outside"),
                                by=request.user, ip=client_ip(request))  # fmt: skip
        return Response(_approval_row(project, approval.pk), status=201)


class ProjectApprovalView(APIView):
    @extend_schema(
        operation_id="projects_approvals_update",
        summary="Link a case to an approval, or record or complete an outside approval",
        parameters=[_PROJECT, _id("approval_id", "approval id")],
        request=ApprovalUpdateSerializer,
        responses={200: ApprovalRowSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["projects"],
    )
    def post(self, request, id, approval_id):
        project = _project(request, id)
        approval = _approval(project, approval_id)
        d = validated(ApprovalUpdateSerializer, request.data)
        approval_update(approval=approval, case_number=d.get("case"), outside=d.get("outside"),
                        by=request.user, ip=client_ip(request))  # fmt: skip
        return Response(_approval_row(project, approval.pk))

    @extend_schema(
        operation_id="projects_approvals_remove",
        summary="Take an approval the project does not need off its list (409 `approval_granted`)",
        parameters=[_PROJECT, _id("approval_id", "approval id")],
        responses={204: None, **_errors(401, 403, 404, 409)},
        tags=["projects"],
    )
    def delete(self, request, id, approval_id):
        project = _project(request, id)
        approval_remove(approval=_approval(project, approval_id), by=request.user,
                        ip=client_ip(request))  # fmt: skip
        return Response(status=204)


class ProjectFiguresView(APIView):
    @extend_schema(
        operation_id="projects_figures",
        summary="Figures of the projects this user sees: in total, by county, by agent",
        description="projects, started, approvals, approved, and the mean working days from "
        "signing to the actual start (tongban.projects.selectors.projects_figures). Staff only.",
        responses={200: ProjectFiguresSerializer, **_errors(401, 403)},
        tags=["projects"],
    )
    def get(self, request):
        if request.user.role not in STAFF_ROLES:
            raise Forbidden(_("项目统计供经办人员查看"), code="figures_forbidden")
        return Response(projects_figures(projects_visible(request.user)))

"""Every write to a key project (重点项目全程帮办): registering it, its task force and tasks,
its approvals (a tongban case linked, or one handled outside recorded by hand) and its stage.

Each is one transaction that locks the project row, checks who acts (projects.access) and
what is given, changes it and appends an audit entry (`project.*`). Bad input raises
InvalidInput naming the field; someone who may not see the project gets NotFound, someone who
sees it but may not change it Forbidden; a state that does not allow the change, Conflict."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.cases.models import Case
from tongban.cases.selectors import case_by_number
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.lib.identifiers import IdentifierError, uscc_validate
from tongban.lib.text import date_clean, shown, text_clean
from tongban.offices.models import Office
from tongban.offices.selectors import office_by_code
from tongban.people.models import Applicant, Role, User
from tongban.people.services import applicant_by_number

from .access import (
    STAFF_ROLES,
    project_creatable,
    project_editable,
    project_visible,
    task_completable,
)
from .models import (
    STARTED_STAGES,
    Approval,
    Industry,
    Member,
    Project,
    Stage,
    Task,
    case_unapproved,
)

AMOUNT_MAX = Decimal("9999999999.99")  # 万元: the column's 12 digits
# A case that ended without the approval: the project must apply again (a new case is linked).


def _not_found() -> NotFound:
    return NotFound(_("没有这个项目"), code="project_not_found")


def _locked(project: Project, by: User) -> Project:
    """The project row locked for the change, after checking `by` may change it."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not project_visible(by, project):
        raise _not_found()
    if not project_editable(by, project):
        raise Forbidden(_("只有项目的帮办专员、所在县的窗口受理员和科长、市级科长可以修改项目"),
                        code="project_forbidden")  # fmt: skip
    return project


def _investor(value) -> Applicant:
    if isinstance(value, Applicant):
        investor = value
    else:
        try:
            number = uscc_validate(value if isinstance(value, str) else "")
        except IdentifierError as e:
            raise InvalidInput(e.message, code=e.code, field="investor") from None
        investor = applicant_by_number(number)
        if investor is None:
            raise InvalidInput(_("统一社会信用代码 %(uscc)s 还没有登记为申请人（企业）") % {"uscc": number},
                               code="unknown_investor", field="investor")  # fmt: skip
    if investor.kind != Applicant.Kind.EMPLOYER:
        raise InvalidInput(_("投资方应为企业（以统一社会信用代码登记）"),
                           code="investor_not_employer", field="investor")  # fmt: skip
    return investor


def _county(value) -> Office:
    county = value if isinstance(value, Office) else office_by_code(str(value or ""))
    if county is None or county.external or county.level != Office.Level.COUNTY:
        raise InvalidInput(_("%(code)s 不是本市的县（市、区）") % {"code": shown(str(value))},
                           code="invalid_county", field="county")  # fmt: skip
    return county


def _staff(value, *, field: str, roles=STAFF_ROLES, message: str = "") -> User:
    user = value
    if isinstance(value, str):
        user = User.objects.filter(username=value.strip()).select_related("office").first()
    if not isinstance(user, User) or not user.is_active or user.role not in roles:
        raise InvalidInput(message or _("%(name)s 不是在用的经办人员账号") % {
                               "name": shown(getattr(user, "username", value))},
                           code="unknown_user", field=field)  # fmt: skip
    return user


def _agent(value) -> User:
    return _staff(value, field="agent", roles=(Role.AGENT, Role.CLERK),
                  message=_("帮办专员应为在用的帮办代办员或窗口受理员账号"))  # fmt: skip


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 < amount <= AMOUNT_MAX:
        raise InvalidInput(_("投资额应为大于 0 的万元数，而不是 %(value)r") % {"value": shown(value)},
                           code="invalid_amount", field="amount")  # fmt: skip
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("投资额最多两位小数（万元）"), code="invalid_amount", field="amount")
    return amount


def _choice(value, choices, field: str):
    if value not in choices.values:
        raise InvalidInput(_("%(field)s 应为 %(values)s 之一，而不是 %(value)r") % {
                               "field": field, "values": "、".join(choices.values),
                               "value": shown(value)},
                           code="invalid_choice", field=field)  # fmt: skip
    return value


def _day(value, field: str, *, required: bool = True) -> date | None:
    day = date_clean(value, field=field, required=required)
    if day is not None and not 1900 <= day.year <= 2999:
        raise InvalidInput(_("%(field)s 应在 1900 至 2999 年之间") % {"field": field},
                           code="invalid_date", field=field)  # fmt: skip
    return day


def _not_future(day: date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise InvalidInput(_("%(field)s 不能晚于今天") % {"field": field},
                           code="date_in_future", field=field)  # fmt: skip


@transaction.atomic
def project_create(*, name: str, investor, county, amount, industry: str, signed_on,
                   planned_start_on, agent, by: User, stage: str = Stage.SIGNED,
                   ip: str | None = None) -> Project:  # fmt: skip
    """Register a key project: `investor` an employer (an Applicant, or its USCC), `county` an
    in-city county office (or its code), `amount` in 万元, `agent` the full-process agent (a
    user, or a user name, of the agent or clerk role). `by` is a clerk or supervisor of that
    county, or a city supervisor (Forbidden `project_forbidden` otherwise)."""
    name = text_clean(name, field="name", label=_("项目名称"), max_length=200, required=True)
    county = _county(county)
    if not project_creatable(by, county):
        raise Forbidden(
            _("重点项目由所在县的窗口受理员、科长或市级科长登记"), code="project_forbidden"
        )
    investor = _investor(investor)
    amount = _amount(amount)
    industry = _choice(industry, Industry, "industry")
    stage = _choice(stage, Stage, "stage")
    signed_on = _day(signed_on, "signed_on")
    planned_start_on = _day(planned_start_on, "planned_start_on")
    _not_future(signed_on, "signed_on")
    if planned_start_on < signed_on:
        raise InvalidInput(
            _("计划开工日期不能早于签约日期"), code="invalid_dates", field="planned_start_on"
        )
    if stage in STARTED_STAGES:
        raise InvalidInput(_("已开工的项目请先登记，再记录实际开工日期"), code="started_on_required",
                           field="stage")  # fmt: skip
    project = Project.objects.create(
        name=name, investor=investor, county=county, amount=amount, industry=industry,
        stage=stage, signed_on=signed_on, planned_start_on=planned_start_on, agent=_agent(agent),
        created_by=by,
    )  # fmt: skip
    record(event="project.created", user=by, ip=ip, target=project.pk, name=name,
           county=county.code, agent=project.agent.username)  # fmt: skip
    return project


@transaction.atomic
def project_progress(*, project: Project, by: User, stage: str | None = None, started_on=None,
                     planned_start_on=None, agent=None, ip: str | None = None) -> Project:  # fmt: skip
    """Move the project on: its stage, the actual start date (which makes it 开工 at least),
    a new planned start date, another full-process agent. A stage from 开工 on needs the start
    date; one before 开工 cannot have it (InvalidInput)."""
    project = _locked(project, by)
    changed = {}
    if planned_start_on not in (None, ""):
        planned_start_on = _day(planned_start_on, "planned_start_on")
        if planned_start_on < project.signed_on:
            raise InvalidInput(_("计划开工日期不能早于签约日期"), code="invalid_dates",
                               field="planned_start_on")  # fmt: skip
        changed["planned_start_on"] = planned_start_on
    if started_on not in (None, ""):
        started_on = _day(started_on, "started_on")
        _not_future(started_on, "started_on")
        if started_on < project.signed_on:
            raise InvalidInput(
                _("实际开工日期不能早于签约日期"), code="invalid_dates", field="started_on"
            )
        changed["started_on"] = started_on
    if agent not in (None, ""):
        changed["agent"] = _agent(agent)
    new_stage = _choice(stage, Stage, "stage") if stage not in (None, "") else project.stage
    start = changed.get("started_on", project.started_on)
    if start is not None and new_stage not in STARTED_STAGES:
        if stage not in (None, ""):
            raise InvalidInput(_("已记录实际开工日期的项目，阶段应为开工或投产"),
                               code="stage_before_start", field="stage")  # fmt: skip
        new_stage = Stage.STARTED
    if start is None and new_stage in STARTED_STAGES:
        raise InvalidInput(_("请填写实际开工日期"), code="started_on_required", field="started_on")
    if new_stage != project.stage:
        changed["stage"] = new_stage
    if not changed:
        return project
    for field, value in changed.items():
        setattr(project, field, value)
    project.save(update_fields=list(changed))
    record(event="project.progressed", user=by, ip=ip, target=project.pk,
           **{k: getattr(v, "username", v) for k, v in changed.items()})  # fmt: skip
    return project


@transaction.atomic
def member_add(*, project: Project, user, duty: str, by: User, ip: str | None = None) -> Member:
    """Add `user` (a user or user name: staff of any office or department) to the task force
    with `duty`. Conflict `member_exists` when they are in it already."""
    project = _locked(project, by)
    user = _staff(user, field="user")
    duty = text_clean(duty, field="duty", label=_("职责"), max_length=100, required=True)
    try:
        with transaction.atomic():
            member = Member.objects.create(project=project, user=user, duty=duty)
    except IntegrityError:
        raise Conflict(_("%(name)s 已在专班中") % {"name": user.username}, code="member_exists",
                       field="user") from None  # fmt: skip
    record(event="project.member_added", user=by, ip=ip, target=project.pk, member=user.username,
           duty=duty)  # fmt: skip
    return member


@transaction.atomic
def task_add(*, project: Project, title: str, responsible, planned_on, by: User,
             ip: str | None = None) -> Task:  # fmt: skip
    """Add a task to the timetable: `responsible` is the project's agent or a member of its
    task force (InvalidInput `not_in_task_force` otherwise)."""
    project = _locked(project, by)
    title = text_clean(title, field="title", label=_("任务名称"), max_length=200, required=True)
    responsible = _staff(responsible, field="responsible")
    if responsible.pk != project.agent_id and not project.members.filter(user=responsible).exists():
        raise InvalidInput(_("责任人应为帮办专员或专班成员"), code="not_in_task_force",
                           field="responsible")  # fmt: skip
    planned_on = _day(planned_on, "planned_on")
    if planned_on < project.signed_on:
        raise InvalidInput(
            _("计划完成日期不能早于签约日期"), code="invalid_dates", field="planned_on"
        )
    task = Task.objects.create(project=project, title=title, responsible=responsible,
                               planned_on=planned_on)  # fmt: skip
    record(event="project.task_added", user=by, ip=ip, target=project.pk, task=task.pk,
           responsible=responsible.username, planned_on=planned_on)  # fmt: skip
    return task


@transaction.atomic
def task_done(*, task: Task, by: User, done_on=None, ip: str | None = None) -> Task:
    """Mark `task` done on `done_on` (today). Its responsible person may, besides whoever may
    change the project. Conflict `task_done_already` when it was done already."""
    project = Project.objects.select_for_update().get(pk=task.project_id)
    task = Task.objects.get(pk=task.pk)
    if not project_visible(by, project):
        raise _not_found()
    if not task_completable(by, task, project):
        raise Forbidden(_("只有任务责任人或项目的帮办专员可以标记完成"), code="project_forbidden")
    if task.done_on is not None:
        raise Conflict(_("任务已于 %(day)s 完成") % {"day": task.done_on}, code="task_done_already")
    done_on = _day(done_on, "done_on", required=False) or timezone.localdate()
    _not_future(done_on, "done_on")
    task.done_on, task.done_by = done_on, by
    task.save(update_fields=["done_on", "done_by"])
    record(event="project.task_done", user=by, ip=ip, target=project.pk, task=task.pk,
           done_on=done_on)  # fmt: skip
    return task


def _item(code) -> ServiceItem:
    item = ServiceItem.objects.filter(code=str(code or "").strip()).first()
    if item is None:
        raise InvalidInput(_("没有事项 %(code)r") % {"code": shown(code)}, code="unknown_item",
                           field="item")  # fmt: skip
    return item


def _task_of(project: Project, task) -> Task | None:
    if task in (None, ""):
        return None
    pk = task.pk if isinstance(task, Task) else task
    found = None
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**31:
        found = Task.objects.filter(pk=pk, project_id=project.pk).first()
    if found is None:
        raise InvalidInput(_("项目没有这个任务"), code="unknown_task", field="task")
    return found


def _case_for(approval: Approval, project: Project, number) -> Case:
    """The case `number`, checked to be an application of the approval's item by the
    project's investor and not linked to another approval; its row locked, so that two
    approvals cannot take it at once. A number that is not the investor's application of that
    item, or no case at all, gets one and the same answer: whoever follows a project learns
    nothing of other people's cases."""
    number = str(number or "").strip()
    case = case_by_number(number, lock=True) if 0 < len(number) <= 24 and "\x00" not in number else None
    if case is None or case.applicant_id != project.investor_id or case.item_id != approval.item_id:
        raise InvalidInput(_("投资方没有编号为 %(number)s 的“%(item)s”办件") % {
                               "number": shown(number), "item": approval.item.name},
                           code="case_not_found", field="case")  # fmt: skip
    taken = Approval.objects.filter(case_id=case.pk).exclude(pk=approval.pk).first()
    if taken is not None:
        raise Conflict(_("办件 %(number)s 已关联到另一个项目审批") % {"number": number},
                       code="case_linked_elsewhere", field="case")  # fmt: skip
    return case


def _outside(approval: Approval, outside: dict) -> None:
    if not isinstance(outside, dict):
        raise InvalidInput(_("outside 应为对象"), code="invalid", field="outside")
    approval.issuing_body = text_clean(outside.get("issuing_body"), field="issuing_body",
                                       label=_("发证机关"), max_length=100, required=True)  # fmt: skip
    approval.applied_on = _day(outside.get("applied_on"), "applied_on")
    approval.approved_on = _day(outside.get("approved_on"), "approved_on", required=False)
    approval.reference = text_clean(outside.get("reference"), field="reference",
                                    label=_("批准文号"), max_length=100)  # fmt: skip
    _not_future(approval.applied_on, "applied_on")
    _not_future(approval.approved_on, "approved_on")
    if approval.approved_on is not None and approval.approved_on < approval.applied_on:
        raise InvalidInput(_("批准日期不能早于申请日期"), code="invalid_dates", field="approved_on")
    approval.case = None


def _link(approval: Approval, project: Project, case_number, outside) -> dict:
    """Link a case or record an outside approval on `approval` (not saved); what to audit."""
    if case_number not in (None, "") and outside is not None:
        raise InvalidInput(_("办件编号和外部审批只能填一个"), code="case_or_outside", field="case")
    if case_number not in (None, ""):
        if approval.case_id is not None:
            current = Case.objects.only("status", "result").get(pk=approval.case_id)
            ended = case_unapproved(current)
            if not ended:
                raise Conflict(_("该审批已关联办件，只有办件未获批准结束后才能关联新的办件"),
                               code="approval_linked", field="case")  # fmt: skip
        approval.case = _case_for(approval, project, case_number)
        approval.issuing_body, approval.applied_on, approval.approved_on = "", None, None
        approval.reference = ""
        return {"case": approval.case.number}
    if outside is not None:
        if approval.case_id is not None:
            raise Conflict(_("该审批已在通办中办理（办件 %(number)s）") % {
                               "number": approval.case.number}, code="approval_linked")  # fmt: skip
        _outside(approval, outside)
        return {"outside": approval.issuing_body, "applied_on": approval.applied_on,
                "approved_on": approval.approved_on}  # fmt: skip
    return {}


@transaction.atomic
def approval_add(*, project: Project, item: str, by: User, task=None, case_number: str | None = None,
                 outside: dict | None = None, ip: str | None = None) -> Approval:  # fmt: skip
    """Add an approval the project needs: item `item` (a code), brought in by `task` (its id:
    to be applied for by the task's date), with the tongban case `case_number` (an application
    of that item by the investor), or `outside` ({issuing_body, applied_on, approved_on,
    reference}) for one handled outside tongban, or neither yet."""
    project = _locked(project, by)
    approval = Approval(project=project, item=_item(item), task=_task_of(project, task),
                        created_by=by)  # fmt: skip
    done = _link(approval, project, case_number, outside)
    approval.save()
    record(event="project.approval_added", user=by, ip=ip, target=project.pk,
           approval=approval.pk, item=approval.item.code, **done)  # fmt: skip
    return approval


@transaction.atomic
def approval_update(*, approval: Approval, by: User, case_number: str | None = None,
                    outside: dict | None = None, ip: str | None = None) -> Approval:  # fmt: skip
    """Link a tongban case to an approval (again, once its case ended without the approval),
    or record or bring up to date an approval handled outside (its approved date, when it
    comes). Conflict `approval_linked` for an approval whose case is still running."""
    project = _locked(approval.project, by)
    approval = Approval.objects.select_related("case", "item").get(pk=approval.pk)
    if case_number in (None, "") and outside is None:
        raise InvalidInput(_("请填写办件编号或外部审批情况"), code="required", field="case")
    done = _link(approval, project, case_number, outside)
    approval.save()
    record(event="project.approval_updated", user=by, ip=ip, target=project.pk,
           approval=approval.pk, item=approval.item.code, **done)  # fmt: skip
    return approval


@transaction.atomic
def member_remove(*, project: Project, user, by: User, ip: str | None = None) -> None:
    """Take `user` (a user or user name) off the task force. Conflict `member_has_tasks` while
    they are responsible for a task not done: hand it to someone else first (a new task)."""
    project = _locked(project, by)
    username = getattr(user, "username", user)
    member = project.members.select_related("user").filter(user__username=username).first()
    if member is None:
        raise NotFound(_("%(name)s 不在专班中") % {"name": shown(username)},
                       code="member_not_found")  # fmt: skip
    open_tasks = project.tasks.filter(responsible_id=member.user_id, done_on__isnull=True)
    if open_tasks.exists():
        raise Conflict(_("%(name)s 仍负责未完成的任务：%(tasks)s，请先移交") % {
                           "name": username, "tasks": "、".join(t.title for t in open_tasks[:5])},
                       code="member_has_tasks", field="user")  # fmt: skip
    member.delete()
    record(event="project.member_removed", user=by, ip=ip, target=project.pk, member=username)


@transaction.atomic
def task_remove(*, task: Task, by: User, ip: str | None = None) -> None:
    """Take a task not done off the timetable (planned by mistake, or no longer needed); the
    approvals it brought in stay, without a task. A task done is the project's history:
    Conflict `task_done_already`."""
    project = _locked(Project(pk=task.project_id), by)
    task = Task.objects.get(pk=task.pk)
    if task.done_on is not None:
        raise Conflict(_("任务已于 %(day)s 完成，不能删除") % {"day": task.done_on},
                       code="task_done_already")  # fmt: skip
    title = task.title
    task.delete()
    record(event="project.task_removed", user=by, ip=ip, target=project.pk, task=title)


@transaction.atomic
def approval_remove(*, approval: Approval, by: User, ip: str | None = None) -> None:
    """Take an approval the project turned out not to need off its list. One that was granted
    (its case approved, or approved outside) stays: Conflict `approval_granted`."""
    project = _locked(approval.project, by)
    approval = Approval.objects.select_related("case", "item").get(pk=approval.pk)
    granted = approval.approved_on is not None or (
        approval.case_id is not None and approval.case.result == Case.Result.APPROVED
    )
    if granted:
        raise Conflict(_("该审批事项已获批准，不能删除"), code="approval_granted")
    item = approval.item.code
    approval.delete()
    record(event="project.approval_removed", user=by, ip=ip, target=project.pk, item=item,
           case=approval.case.number if approval.case_id else None)  # fmt: skip

"""重点项目全程帮办: a key investment project followed by a named agent from signing to start.

A project needs approvals (审批) of several departments; each is a catalog item, handled either
by tongban's own case lifecycle (the approval links the case) or outside it (its dates and the
issuing body recorded by hand). A task force (专班) of named people carries tasks with a
timetable toward the planned start date. Writes: projects.services; who sees what:
projects.access; the board and the figures: projects.selectors."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from tongban.cases.models import Result, Status


class Stage(models.TextChoices):
    SIGNED = "signed", gettext_lazy("签约")
    FILED = "filed", gettext_lazy("立项")
    APPROVING = "approving", gettext_lazy("审批")
    STARTED = "started", gettext_lazy("开工")
    PRODUCING = "producing", gettext_lazy("投产")


STAGES = list(Stage.values)  # in the order a project goes through them
STARTED_STAGES = (Stage.STARTED, Stage.PRODUCING)


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", gettext_lazy("先进制造")
    AGRICULTURE = "agriculture", gettext_lazy("现代农业")
    FOOD = "food", gettext_lazy("食品加工")
    ENERGY = "energy", gettext_lazy("新能源")
    LOGISTICS = "logistics", gettext_lazy("商贸物流")
    TOURISM = "tourism", gettext_lazy("文化旅游")
    HEALTH = "health", gettext_lazy("医养健康")
    OTHER = "other", gettext_lazy("其他")


class Project(models.Model):
    name = models.CharField("项目名称", max_length=200)
    # An employer (参保单位/企业), named by its unified social credit code.
    investor = models.ForeignKey("people.Applicant", models.PROTECT, related_name="projects")
    county = models.ForeignKey("offices.Office", models.PROTECT, related_name="projects")
    amount = models.DecimalField("投资额（万元）", max_digits=12, decimal_places=2)
    industry = models.CharField("行业", max_length=20, choices=Industry)
    stage = models.CharField("阶段", max_length=12, choices=Stage, default=Stage.SIGNED)
    signed_on = models.DateField("签约日期")
    planned_start_on = models.DateField("计划开工日期")
    started_on = models.DateField("实际开工日期", null=True, blank=True)
    # 帮办专员: the full-process agent (a user of the agent role, or a clerk).
    agent = models.ForeignKey("people.User", models.PROTECT, related_name="projects_followed")
    created_by = models.ForeignKey("people.User", models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点项目"
        constraints = [
            models.CheckConstraint(condition=Q(planned_start_on__gte=models.F("signed_on")),
                                   name="project_start_after_signing"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_amount_positive"),
        ]  # fmt: skip
        indexes = [
            # The lists: newest signed first, per county, per agent, or the whole city.
            models.Index(fields=["county", "-signed_on", "-id"], name="project_county_idx"),
            models.Index(fields=["agent", "-signed_on", "-id"], name="project_agent_idx"),
            models.Index(fields=["-signed_on", "-id"], name="project_signed_idx"),
        ]

    def __str__(self):
        return self.name


class Member(models.Model):
    """A member of the project's task force (专班) and their duty in it."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="members")
    user = models.ForeignKey("people.User", models.PROTECT, related_name="project_memberships")
    duty = models.CharField("职责", max_length=100)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = verbose_name_plural = "专班成员"
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="member_once_per_project")
        ]

    def __str__(self):
        return f"{self.project_id} {self.user_id} {self.duty}"


class Task(models.Model):
    """A task of the timetable, with the person responsible for it."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="tasks", db_index=False)
    title = models.CharField("任务", max_length=200)
    responsible = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    planned_on = models.DateField("计划完成日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = verbose_name_plural = "任务"
        indexes = [
            models.Index(fields=["project", "planned_on"], name="task_project_idx"),
            # The lists' "blocked" filter asks for late tasks of every project.
            models.Index(fields=["project", "planned_on"], condition=Q(done_on__isnull=True),
                         name="task_open_idx"),
        ]  # fmt: skip

    def __str__(self):
        return self.title


class Approval(models.Model):
    """An approval the project needs: an item of the catalog, handled in tongban (`case`) or
    outside it (issuing body, applied and approved dates recorded by hand), or neither yet."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="approvals", db_index=False)
    item = models.ForeignKey("catalog.ServiceItem", models.PROTECT, related_name="+")
    # The task that brings it in: the approval should be applied for by the task's date.
    task = models.ForeignKey(
        Task, models.SET_NULL, null=True, blank=True, related_name="approvals", db_index=False
    )
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, null=True, blank=True, related_name="project_approvals",
        db_index=False,
    )  # fmt: skip
    issuing_body = models.CharField("发证机关", max_length=100, blank=True)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    reference = models.CharField("批准文号", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("people.User", models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "项目审批事项"
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(case__isnull=False),
                                    name="approval_one_per_case"),
            # Either a tongban case or an outside record, never both.
            models.CheckConstraint(
                condition=Q(case__isnull=True)
                | Q(issuing_body="", applied_on__isnull=True, approved_on__isnull=True),
                name="approval_case_or_outside",
            ),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True)
                | Q(applied_on__isnull=False, approved_on__gte=models.F("applied_on")),
                name="approval_approved_after_applied",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["project", "id"], name="approval_project_idx")]

    def __str__(self):
        return f"{self.project_id} {self.item_id}"

    @property
    def outside(self) -> bool:
        return self.case_id is None and bool(self.issuing_body)


def unapproved_q(prefix: str = "") -> Q:
    """Cases that ended without the approval (不予受理, 撤回, 不予批准): the project needs a new
    application. `prefix` reaches the case through a relation ("case__")."""
    return Q(**{f"{prefix}status__in": [Status.REJECTED, Status.WITHDRAWN]}) | Q(
        **{f"{prefix}status": Status.COMPLETED, f"{prefix}result": Result.DENIED}
    )


def case_unapproved(case) -> bool:
    """unapproved_q, of one case."""
    return case.status in (Status.REJECTED, Status.WITHDRAWN) or (
        case.status == Status.COMPLETED and case.result == Result.DENIED
    )

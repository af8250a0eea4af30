from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tongban.catalog.models import ONLINE_CHANNELS, Channel
from tongban.lib.sealed import SealedField, SealedJSONField
from tongban.lib.sql import PlainFromDb


class Status(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("已申请")
    AWAITING_SUPPLEMENT = "awaiting_supplement", gettext_lazy("待补正")
    ACCEPTED = "accepted", gettext_lazy("已受理")
    COMPLETED = "completed", gettext_lazy("已办结")
    REJECTED = "rejected", gettext_lazy("不予受理")
    WITHDRAWN = "withdrawn", gettext_lazy("已撤回")


class Result(models.TextChoices):
    APPROVED = "approved", gettext_lazy("准予")
    DENIED = "denied", gettext_lazy("不予批准")


OPEN_STATUSES = (Status.SUBMITTED, Status.AWAITING_SUPPLEMENT, Status.ACCEPTED)
FINAL_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN)

# The city-wide intake (首问负责): applications no office has taken yet. Every clerk of the city
# sees them; the first to act on one owns it, and it moves to their office's queue (or out of
# the intake for good: refused, withdrawn). Window applications belong to their office from the
# start, so only online ones are ever here. The partial index case_intake_idx is this condition;
# Case.in_intake says the same of one case.
IN_INTAKE = Q(status=Status.SUBMITTED, handling_office__isnull=True)


def overdue_q(today) -> Q:
    """Cases overdue on `today` (a local date): accepted, clock running, deadline passed.
    A case waiting for a supplement has no deadline while its clock stands still; a finished
    case is never overdue, however late it was (the figures count that apart). Along the
    partial index case_open_deadline_idx; Case.is_overdue says the same of one case."""
    return Q(status=Status.ACCEPTED, deadline__lt=today)


class Action(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("申请")
    CLAIM = "claim", gettext_lazy("认领")
    ACCEPT = "accept", gettext_lazy("受理")
    REJECT = "reject", gettext_lazy("不予受理")
    REQUEST_SUPPLEMENT = "request_supplement", gettext_lazy("一次性告知补正")
    SUPPLEMENT = "supplement", gettext_lazy("补正材料")
    APPROVE = "approve", gettext_lazy("审核通过")
    DENY = "deny", gettext_lazy("不予批准")
    WITHDRAW = "withdraw", gettext_lazy("撤回")
    TRANSFER = "transfer", gettext_lazy("转办")
    DEEM_ACCEPTED = "deem_accepted", gettext_lazy("逾期视为受理")
    RECOMPUTE = "recompute", gettext_lazy("重算时限")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("申请延期")
    DECIDE_EXTENSION = "decide_extension", gettext_lazy("审批延期")
    START_PROCEDURE = "start_procedure", gettext_lazy("启动特别程序")
    END_PROCEDURE = "end_procedure", gettext_lazy("结束特别程序")
    FORWARD = "forward", gettext_lazy("转交办理地")
    # Not a transition: the applicant pressed a late case (cases.services.case_urge).
    URGE = "urge", gettext_lazy("催办")


class PartnerRole(models.TextChoices):
    """A case's part in 异地代收代办 (跨区通办) with a partner platform."""

    COLLECTING = "collecting", gettext_lazy("收件地（已转交办理地）")  # taken here, decided by the partner
    DECIDING = "deciding", gettext_lazy("办理地（对方转来）")  # taken at the partner's window, decided here


class Case(PlainFromDb, models.Model):
    """One application of one item by one applicant (办件)."""

    Status = Status
    Result = Result

    # The whole workflow: where each status may go. Every status change goes through
    # cases.services._move(), which checks this table and writes the CaseEvent.
    # ACCEPTED -> ACCEPTED is a review step passed, a transfer or a 容缺 material arriving.
    TRANSITIONS = {
        Status.SUBMITTED: {
            Status.SUBMITTED,  # taken from the intake queue (首问负责)
            Status.ACCEPTED,
            Status.AWAITING_SUPPLEMENT,
            Status.REJECTED,
            Status.WITHDRAWN,
        },  # fmt: skip
        # Back to SUBMITTED when asked before acceptance, to ACCEPTED when asked in review;
        # REJECTED or COMPLETED (denied) when the supplement never comes.
        Status.AWAITING_SUPPLEMENT: {
            Status.SUBMITTED,
            Status.ACCEPTED,
            Status.REJECTED,
            Status.COMPLETED,
            Status.WITHDRAWN,
        },
        Status.ACCEPTED: {
            Status.ACCEPTED,
            Status.AWAITING_SUPPLEMENT,
            Status.COMPLETED,
            Status.WITHDRAWN,
        },
    }
    # The statuses each action may be taken from; action_open() below adds the finer
    # rules (a refusal only before acceptance, a supplement in ACCEPTED only for 容缺).
    ACTIONS = {
        Action.CLAIM: {Status.SUBMITTED},
        Action.ACCEPT: {Status.SUBMITTED},
        Action.REJECT: {Status.SUBMITTED, Status.AWAITING_SUPPLEMENT},
        Action.REQUEST_SUPPLEMENT: {Status.SUBMITTED, Status.ACCEPTED},
        Action.SUPPLEMENT: {Status.AWAITING_SUPPLEMENT, Status.ACCEPTED},
        Action.APPROVE: {Status.ACCEPTED},
        Action.DENY: {Status.ACCEPTED},
        Action.WITHDRAW: {Status.SUBMITTED, Status.AWAITING_SUPPLEMENT, Status.ACCEPTED},
        Action.TRANSFER: {Status.ACCEPTED},
        Action.REQUEST_EXTENSION: {Status.ACCEPTED},
        Action.DECIDE_EXTENSION: {Status.ACCEPTED},
        Action.START_PROCEDURE: {Status.ACCEPTED},
        Action.END_PROCEDURE: {Status.ACCEPTED},
    }

    number = models.CharField(
        "办件编号", max_length=24, unique=True
    )  # shown to people; never the pk
    # Every index is written by every action (an action changes indexed columns, so PostgreSQL
    # cannot update in place): foreign keys that no query filters on, or that lead a composite
    # index below, have none. Deleting a row they point to is refused (PROTECT) after a scan.
    item = models.ForeignKey(
        "catalog.ServiceItem", models.PROTECT, related_name="cases", db_index=False
    )  # case_item_idx
    item_version = models.ForeignKey(
        "catalog.ItemVersion", models.PROTECT, related_name="cases", db_index=False
    )
    applicant = models.ForeignKey(
        "people.Applicant", models.PROTECT, related_name="cases", db_index=False
    )  # case_applicant_idx
    # 参保地 at the time of application; it never limits where the case is handled.
    insured_region = models.ForeignKey("offices.Office", models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The 委托书 the agent applied under (cases.authorisations); the agent follows and acts on
    # the case while it is in force.
    authorisation = models.ForeignKey(
        "cases.Authorisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    # The 代办点 the case came through (its submitter's, an agent or a clerk stationed there).
    agent_point = models.ForeignKey(
        "offices.AgentPoint",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )  # case_agent_point_idx
    submitted_by = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", db_index=False
    )  # case_unique_idempotency_key serves the retry lookup
    channel = models.CharField("渠道", max_length=10, choices=Channel)
    window = models.ForeignKey(
        "offices.Window", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    bundle_application = models.ForeignKey(
        "cases.BundleApplication", models.PROTECT, null=True, blank=True, related_name="cases"
    )
    # 跨区通办: the agreement a forwarded case travels under, its part, and its number on the
    # other platform. Loaded with every case, so that a case action decides from the row it has
    # whether to write an outbox message (cases.services._move), without a query.
    agreement = models.ForeignKey(
        "catalog.Agreement", models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )  # fmt: skip
    partner_role = models.CharField(
        "跨区通办角色", max_length=10, choices=PartnerRole, blank=True, default="", db_default=""
    )
    partner_number = models.CharField("对方平台办件编号", max_length=30, blank=True, default="",
                                      db_default="")  # fmt: skip

    status = models.CharField("状态", max_length=20, choices=Status, default=Status.SUBMITTED)
    result = models.CharField("结果", max_length=10, choices=Result, blank=True)
    step = models.PositiveSmallIntegerField(
        "当前审核环节", default=0
    )  # index into item_version.steps
    reason = models.TextField("最近理由", blank=True)

    # 首问负责: the clerk who took an online application from the intake queue.
    owner = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    taken_at = models.DateTimeField("认领时间", null=True, blank=True)  # left the city-wide intake
    accepting_office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    handling_office = models.ForeignKey(  # indexed with the number: case_office_number_idx
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    submitted_at = models.DateTimeField("申请时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)

    # The time limit (docs/domain.md, "Counting a time limit"). The clock counts working days
    # from clock_started_on, that day included (the day after acceptance, or the acceptance
    # day itself under TONGBAN_COUNT_FROM same_day; the day after a stop ends); workdays_used
    # holds the days counted before the last stop. While the clock stands still (a supplement
    # asked for in review, a special procedure) deadline is null.
    deadline = models.DateField("办结期限", null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    clock_started_on = models.DateField(null=True, blank=True)
    workdays_used = models.PositiveSmallIntegerField(default=0)
    # 行政许可法 §32: an application not answered by prereview_due counts as accepted. Counted
    # from prereview_started_on (received, or a pre-acceptance supplement handed in).
    prereview_due = models.DateField("预审期限", null=True, blank=True)
    prereview_due_provisional = models.BooleanField(default=False, db_default=False)
    prereview_started_on = models.DateField(null=True, blank=True)
    # 延期: an extension asked for and not decided yet; the working days approved so far.
    extension_pending = models.BooleanField(default=False, db_default=False)
    extended_days = models.PositiveSmallIntegerField(default=0, db_default=0)
    procedures = models.PositiveSmallIntegerField(
        default=0, db_default=0
    )  # 特别程序 started, for the figures
    urged = models.PositiveSmallIntegerField(
        default=0, db_default=0
    )  # 催办 pressed, for the figures

    form = SealedJSONField("申请表", default=dict, blank=True)  # bank accounts: sealed at rest
    # What the reviewer who finished it filled in (办结结果, the item version's decision fields).
    decision = SealedJSONField("办结结果", default=dict, blank=True, db_default="")
    # The form's and the decision's money fields marked "total" (catalog.services.fields_total),
    # in plain columns so that the figures sum them in the database (the form is sealed).
    amount_claimed = models.DecimalField(
        "申请金额", max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_paid = models.DecimalField(
        "核准支付金额", max_digits=12, decimal_places=2, null=True, blank=True
    )
    supplied_materials = models.JSONField("已提交材料", default=list)
    missing_materials = models.JSONField("待补材料", default=list)
    promised_supplement_by = models.DateField("容缺承诺补齐日期", null=True, blank=True)
    # While awaiting a supplement: its last day, counted from the day it was asked for.
    supplement_due = models.DateField("补正期限", null=True, blank=True)
    supplement_due_provisional = models.BooleanField(default=False, db_default=False)
    supplement_asked_on = models.DateField(null=True, blank=True)

    # Flagged, once, by the deadline scan when it raised the red card (a guard, so the card is
    # raised once). Whether a case is overdue now is overdue_q() / is_overdue(): a later
    # calendar or an extension can move a deadline past today again.
    overdue = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)  # bumped by every change; stale writes get 409
    idempotency_key = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_unique_idempotency_key",
            ),
        ]
        indexes = [
            # The city-wide intake queue and the office work queues.
            models.Index(
                fields=["status", "handling_office", "submitted_at"], name="case_queue_idx"
            ),
            # The city-wide intake, first come first served: read in order, whatever the
            # planner's estimates (only applications nobody has taken are in it).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted", handling_office__isnull=True),
                name="case_intake_idx",
            ),
            # An office's cases; with the number, what a clerk finds by a number's beginning is
            # counted from the index alone (stats and lists by office use it as the office's).
            models.Index(fields=["handling_office", "number"], name="case_office_number_idx"),
            models.Index(fields=["applicant", "submitted_at"], name="case_applicant_idx"),
            models.Index(fields=["item", "submitted_at"], name="case_item_idx"),
            models.Index(fields=["submitted_at"], name="case_submitted_idx"),
            # 帮办代办's figures and lists: the few cases an agent or an agent point brought.
            models.Index(
                fields=["agent_point", "submitted_at"],
                condition=Q(agent_point__isnull=False),
                name="case_agent_point_idx",
            ),
            # Deadline sweeps and the overdue list read only open cases with a deadline. The
            # figures count the overdue ones by the columns included, from the index alone
            # (stats.selectors.Figures._overdue_counts; PostgreSQL, SQLite has no INCLUDE).
            models.Index(
                fields=["deadline"],
                include=["submitted_at", "handling_office", "item", "channel", "insured_region",
                         "item_version"],
                condition=Q(status="accepted"),
                name="case_open_deadline_idx",
            ),  # fmt: skip
            models.Index(
                fields=["prereview_due"], condition=Q(status="submitted"), name="case_prereview_idx"
            ),
            models.Index(
                fields=["supplement_due"],
                condition=Q(status="awaiting_supplement"),
                name="case_supplement_due_idx",
            ),
            models.Index(
                fields=["promised_supplement_by"],
                condition=Q(status="accepted"),
                name="case_promise_due_idx",
            ),
            # A message from the partner finds its case on the deciding side by the number the
            # collecting side gave it (the collecting side by its own number).
            models.Index(
                fields=["agreement", "partner_number"],
                condition=Q(agreement__isnull=False),
                name="case_partner_idx",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def in_intake(self) -> bool:
        """IN_INTAKE, of this case."""
        return self.status == Status.SUBMITTED and self.handling_office_id is None

    @property
    def in_procedure(self) -> bool:
        """A special procedure (特别程序) is under way: accepted, and the clock stands still.
        (A supplement asked for in review stands it still too, in AWAITING_SUPPLEMENT.)"""
        return self.status == Status.ACCEPTED and self.deadline is None

    def is_overdue(self, today) -> bool:
        """overdue_q(today), of this case."""
        return (
            self.status == Status.ACCEPTED and self.deadline is not None and self.deadline < today
        )

    @property
    def overdue_now(self) -> bool:
        """is_overdue today (Asia/Shanghai): for the pages."""
        return self.is_overdue(timezone.localdate())

    @property
    def current_step(self) -> dict | None:
        steps = self.item_version.steps
        if self.status == Status.ACCEPTED and self.step < len(steps):
            return steps[self.step]
        return None


def action_open(case: Case, action: str) -> bool:
    """Whether `action` may be taken from the case's status: Case.ACTIONS plus the finer rules
    that read more of the case. Who may take it is cases.access.action_permitted's to say."""
    if case.status not in Case.ACTIONS.get(action, ()):
        return False
    if case.partner_role == PartnerRole.COLLECTING and action != Action.SUPPLEMENT:
        return False  # the partner decides; here the window only answers its supplement notices
    accepted = case.accepted_at is not None
    match action:
        case Action.REJECT:
            return not accepted
        case Action.CLAIM:
            return case.owner_id is None and case.channel in ONLINE_CHANNELS
        case Action.SUPPLEMENT:
            return case.status == Status.AWAITING_SUPPLEMENT or bool(case.missing_materials)
        case Action.REQUEST_SUPPLEMENT:
            return case.status == Status.SUBMITTED or not (
                case.missing_materials or case.in_procedure
            )
        case Action.APPROVE | Action.DENY | Action.START_PROCEDURE:
            return not case.in_procedure  # the procedure's outcome comes first
        case Action.END_PROCEDURE:
            return case.in_procedure
        case Action.REQUEST_EXTENSION:
            return not (case.in_procedure or case.extension_pending)
        case Action.DECIDE_EXTENSION:
            return case.extension_pending
    return True


class CaseEvent(models.Model):
    """One row per action on a case: who, when, from where and why. Never changed."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="events")
    action = models.CharField(max_length=24, choices=Action)
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField()
    # Read through the case, never by who or where: no index of their own (one less to write
    # on every action).
    actor = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "办件流转记录"

    def __str__(self):
        return f"{self.action} {self.from_status}->{self.to_status}"


class Extension(models.Model):
    """延期: a reviewer asks for more working days before the deadline, with a reason; a
    supervisor of the handling office approves (the deadline moves, the applicant gets a
    延期办理告知书) or refuses. At most one is pending per case."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已批准")
        REFUSED = "refused", gettext_lazy("不予批准")

    case = models.ForeignKey(Case, models.PROTECT, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    deadline_before = models.DateField("原办结期限")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    deadline_after = models.DateField("延长后办结期限", null=True, blank=True)
    deadline_after_provisional = models.BooleanField(default=False)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="extension_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.case_id} +{self.days} {self.status}"


class SpecialProcedure(models.Model):
    """特别程序 (听证、检验检测、鉴定、专家评审、现场核查): the clock stands still from the day it
    starts until it ends with its outcome; the stopped working days are not counted."""

    class Kind(models.TextChoices):
        HEARING = "hearing", gettext_lazy("听证")
        TESTING = "testing", gettext_lazy("检验检测")
        APPRAISAL = "appraisal", gettext_lazy("鉴定")
        EXPERT_REVIEW = "expert_review", gettext_lazy("专家评审")
        SITE_CHECK = "site_check", gettext_lazy("现场核查")

    case = models.ForeignKey(Case, models.PROTECT, related_name="special_procedures")
    kind = models.CharField("程序", max_length=16, choices=Kind)
    reason = models.TextField("理由")
    started_on = models.DateField()
    started_by = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField("结果", blank=True)
    clock_stop = models.OneToOneField(
        "cases.ClockStop", models.PROTECT, related_name="procedure", null=True, blank=True
    )

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = verbose_name_plural = "特别程序"
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="procedure_one_open"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.started_on}"


class ClockStop(models.Model):
    """A stop of the time limit (补正, 特别程序): it must carry a reason."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="clock_stops")
    reason = models.TextField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self):
        return f"{self.started_on}–{self.ended_on or '…'} {self.reason}"


class Attachment(models.Model):
    """A material file uploaded for a case."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="attachments")
    material = models.CharField(max_length=20)  # a material code of the case's item version
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.original_name


class IssuedNotice(models.Model):
    """What every written notice has: when and by whom it was issued, for which office, and
    its content fixed at issue (`data`), so the PDF renders again identically."""

    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(  # read through the case: no index of its own, as events
        "people.User", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    data = SealedJSONField(default=dict, blank=True)  # the applicant's name: sealed at rest

    class Meta:
        abstract = True
        ordering = ["issued_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.data.get('number', '')}"


class Notice(IssuedNotice):
    """A written notice issued on a case (受理/不予受理/补正/办结通知书).

    The content is fixed at issue in `data`, so the PDF can be rendered again identically."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", gettext_lazy("受理通知书")
        REFUSAL = "refusal", gettext_lazy("不予受理通知书")
        SUPPLEMENT = "supplement", gettext_lazy("补正材料通知书")
        COMPLETION = "completion", gettext_lazy("办结通知书")
        EXTENSION = "extension", gettext_lazy("延期办理告知书")
        PROCEDURE = "procedure", gettext_lazy("特别程序告知书")
        PROMISE = "promise", gettext_lazy("容缺受理承诺书")

    case = models.ForeignKey(Case, models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind)

    class Meta(IssuedNotice.Meta):
        pass


class CaseCounter(models.Model):
    """The last sequence number handed out per prefix (office code) and day, for numbers."""

    prefix = models.CharField(max_length=10)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="case_counter_unique")
        ]

    def __str__(self):
        return f"{self.prefix} {self.day} {self.last}"


class Authorisation(models.Model):
    """委托书: `applicant` authorises `agent` (a user with the agent role) to apply, hand in
    supplements, withdraw and follow cases for them: for `items` (none: every item), from
    `valid_from` to `valid_to` inclusive, until revoked. Made at a window by a clerk who saw
    both identity documents, or by the applicant on the portal; the signed letter is kept as a
    file (stored as material files are: cases.attachments)."""

    class Channel(models.TextChoices):
        WINDOW = "window", gettext_lazy("窗口")
        WEB = "web", gettext_lazy("网上")

    applicant = models.ForeignKey("people.Applicant", models.PROTECT, related_name="authorisations")
    agent = models.ForeignKey("people.User", models.PROTECT, related_name="authorisations_held")
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="+")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("截止日期")
    letter = models.FileField(upload_to="authorisations/%Y/%m/")
    letter_name = models.CharField(max_length=200)
    letter_sha256 = models.CharField(max_length=64)
    channel = models.CharField(max_length=6, choices=Channel)
    made_by = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "委托书"
        indexes = [models.Index(fields=["agent", "applicant"], name="authorisation_agent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="authorisation_dates_in_order",
            )
        ]

    def __str__(self):
        return f"委托书 {self.pk}"


class HomeVisit(models.Model):
    """上门办: a person who cannot come (the elderly, the disabled, the sick) asks for a visit;
    the office assigns an agent, who goes, takes the applications (under an authorisation when
    the agent applies for them) and records the visit done or not done. cases.visits holds
    the rules."""

    class Status(models.TextChoices):
        REQUESTED = "requested", gettext_lazy("待派单")
        ASSIGNED = "assigned", gettext_lazy("已派单")
        DONE = "done", gettext_lazy("已上门办理")
        NOT_DONE = "not_done", gettext_lazy("未办成")
        CANCELLED = "cancelled", gettext_lazy("已取消")

    class Period(models.TextChoices):
        MORNING = "morning", gettext_lazy("上午")
        AFTERNOON = "afternoon", gettext_lazy("下午")
        ANY = "any", gettext_lazy("不限")

    class Channel(models.TextChoices):
        WEB = "web", gettext_lazy("网上")
        PHONE = "phone", gettext_lazy("电话")
        WINDOW = "window", gettext_lazy("窗口")

    applicant = models.ForeignKey("people.Applicant", models.PROTECT, related_name="home_visits")
    office = models.ForeignKey("offices.Office", models.PROTECT, related_name="home_visits",
                               verbose_name="服务机构")  # fmt: skip
    agent_point = models.ForeignKey(
        "offices.AgentPoint", models.PROTECT, null=True, blank=True, related_name="home_visits"
    )
    # Where and how to reach the person: personal data, sealed at rest.
    address = SealedField("上门地址")
    phone = SealedField("联系电话")
    preferred_date = models.DateField("希望上门日期")
    preferred_period = models.CharField("时段", max_length=10, choices=Period, default=Period.ANY)
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="+")
    note = models.CharField("需求说明", max_length=300, blank=True)
    channel = models.CharField("申请渠道", max_length=6, choices=Channel)
    requested_by = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    status = models.CharField("状态", max_length=10, choices=Status, default=Status.REQUESTED)
    agent = models.ForeignKey("people.User", models.PROTECT, null=True, blank=True,
                              related_name="home_visits")  # fmt: skip
    assigned_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.CharField("办理情况", max_length=300, blank=True)
    closed_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "上门服务"
        indexes = [
            models.Index(fields=["office", "status", "preferred_date"], name="visit_office_idx"),
            models.Index(fields=["agent", "status", "preferred_date"], name="visit_agent_idx"),
        ]

    def __str__(self):
        return f"上门服务 {self.pk}"

    @property
    def open(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.ASSIGNED)


class BundleApplication(models.Model):
    """One one-form application (一表申请) that created a linked case per item of a bundle.

    It goes to one office and one clerk: at a window the submitting clerk's office from the
    start; online, whoever first takes any of its cases takes them all (cases.services._take).
    Its status is its cases' (cases.selectors.bundle_status)."""

    number = models.CharField(max_length=24, unique=True)
    bundle = models.ForeignKey("catalog.Bundle", models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("people.Applicant", models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", db_index=False
    )  # bundle_unique_idempotency_key serves the retry lookup
    submitted_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.WEB)
    # The clerk and office that hold every case of it (None while online and untaken).
    owner = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="bundle_unique_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["applicant", "submitted_at"], name="bundle_applicant_idx")]
        verbose_name = verbose_name_plural = "一件事申请"

    def __str__(self):
        return self.number


class BundleNotice(IssuedNotice):
    """A written notice issued on a bundle as a whole: the receipt (回执) listing its cases,
    and the one supplement notice (一次性告知) naming every material missing for every item.
    Its content is fixed at issue, like Notice's."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", gettext_lazy("一件事申请回执")
        SUPPLEMENT = "supplement", gettext_lazy("一件事补正材料通知书")

    application = models.ForeignKey(BundleApplication, models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind)

    class Meta(IssuedNotice.Meta):
        pass

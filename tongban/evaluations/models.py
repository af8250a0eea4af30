"""好差评 (docs/domain.md, "Evaluation"): one rating per case on five levels, the rectification a
bad rating opens, and the appeals offices file against ratings they think mistaken.

The figures (tongban.stats) read Evaluation.score / created_at / excluded and
Rectification.office / due / closed_at; keep those names.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Score(models.IntegerChoices):
    VERY_SATISFIED = 5, gettext_lazy("非常满意")
    SATISFIED = 4, gettext_lazy("满意")
    BASICALLY_SATISFIED = 3, gettext_lazy("基本满意")
    DISSATISFIED = 2, gettext_lazy("不满意")
    VERY_DISSATISFIED = 1, gettext_lazy("非常不满意")


def score_scale() -> list[tuple[int, str]]:
    """The five levels in the order every rating face lays them out: worst to best, left to
    right (top to bottom on a narrow tablet). The portal's stars and the window tablet run the
    same way; the portal's form lists them best first only because its CSS lays the stars out
    right to left (so that hovering lights the stars before the one pointed at)."""
    return sorted(Score.choices)


class RatingChannel(models.TextChoices):
    PORTAL = "portal", gettext_lazy("网上评价")
    QR = "qr", gettext_lazy("扫码评价")
    WINDOW = "window", gettext_lazy("窗口评价器")


def good_rating_min() -> int:
    """The lowest good score: Shandong counts 3 and above as good (鲁政办发〔2020〕10号)."""
    return settings.TONGBAN_GOOD_RATING_MIN


def good_q(prefix: str = "") -> Q:
    """A filter for good ratings under the current setting, e.g. for the figures."""
    return Q(**{f"{prefix}score__gte": good_rating_min()})


class Evaluation(models.Model):
    """One rating of one case (一事一评; a window visit is a case too)."""

    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="evaluations")
    score = models.PositiveSmallIntegerField("评价等级", choices=Score)
    comment = models.TextField("评价内容", blank=True)
    channel = models.CharField("评价渠道", max_length=10, choices=RatingChannel)
    created_at = models.DateTimeField("评价时间", default=timezone.now)
    # The applicant (portal), the clerk whose window tablet was used, or nobody (QR code).
    rated_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    # An upheld appeal takes the rating out of the figures; the row itself stays.
    excluded = models.BooleanField("已剔除", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "好差评"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], name="evaluation_one_per_case"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="evaluation_score_1_5"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="evaluation_created_idx")]

    def __str__(self):
        return f"{self.case_id}: {self.score}"

    @property
    def is_good(self) -> bool:
        return self.score >= good_rating_min()

    @property
    def is_bad(self) -> bool:
        return not self.is_good


class Rectification(models.Model):
    """整改: what a bad rating opens for the office that handled the case (谁办理、谁负责).

    Verified and rectified by the office, a call-back to the applicant (回访), then closed by
    a supervisor, all within `due`. An upheld appeal closes it as void."""

    evaluation = models.OneToOneField(Evaluation, models.PROTECT, related_name="rectification")
    office = models.ForeignKey("offices.Office", models.PROTECT, related_name="rectifications")
    opened_at = models.DateTimeField("开始时间", default=timezone.now)
    due = models.DateField("整改期限")
    due_provisional = models.BooleanField(
        default=False, db_default=False
    )  # counted into a year not yet loaded

    verification = models.TextField("核实与整改情况", blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )

    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    callback_outcome = models.TextField("回访情况", blank=True)
    callback_satisfied = models.BooleanField("回访满意", null=True, blank=True)

    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_note = models.TextField("办结意见", blank=True)
    void = models.BooleanField("申诉成立作废", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["due", "id"]
        indexes = [
            models.Index(
                fields=["office", "due"], condition=Q(closed_at__isnull=True), name="rect_open_idx"
            ),
        ]

    def __str__(self):
        return f"整改 {self.evaluation_id} ({self.office_id})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, today) -> bool:
        """Still open after its due date (`today` a local date)."""
        return self.closed_at is None and self.due < today

    @property
    def closed_in_time(self) -> bool | None:
        """Closed on or before its due date; None while open."""
        if self.closed_at is None:
            return None
        return timezone.localdate(self.closed_at) <= self.due

    @property
    def stage(self) -> str:
        if self.void:
            return "void"
        if self.closed_at:
            return "closed"
        if self.callback_at:
            return "called_back"
        if self.verified_at:
            return "verified"
        return "open"

    STAGE_LABELS = {
        "open": "待核实整改",
        "verified": "待回访",
        "called_back": "待办结",
        "closed": "已办结",
        "void": "申诉成立，已作废",
    }

    @property
    def stage_label(self) -> str:
        return self.STAGE_LABELS[self.stage]


class Appeal(models.Model):
    """申诉: an office believes a rating mistaken or malicious; a city supervisor decides."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待审核")
        UPHELD = "upheld", gettext_lazy("申诉成立")
        REJECTED = "rejected", gettext_lazy("申诉不成立")

    evaluation = models.ForeignKey(Evaluation, models.PROTECT, related_name="appeals")
    office = models.ForeignKey("offices.Office", models.PROTECT, related_name="+")
    reason = models.TextField("申诉理由")
    filed_at = models.DateTimeField(default=timezone.now)
    filed_by = models.ForeignKey("people.User", models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评申诉"
        ordering = ["-filed_at", "-id"]
        constraints = [
            # One appeal per rating: a decided appeal is final.
            models.UniqueConstraint(fields=["evaluation"], name="appeal_one_per_evaluation"),
        ]

    def __str__(self):
        return f"申诉 {self.evaluation_id} {self.status}"

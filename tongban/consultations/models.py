from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tongban.lib.sealed import BlindIndexField, SealedField


class Consultation(models.Model):
    """One enquiry at a window or on the phone (咨询), logged by the first staff member asked.

    首问负责 (docs/domain.md): `clerk` is whoever took the enquiry first; it is set once and
    never changed. `owner` is who answers for it now: the first responder until they hand it
    on to a named colleague (each hand-on is a ConsultationHandOff row, so the chain is on
    record). It is open until `closed_at`; `answer` is what was said on the spot, `reply` the
    final answer given when it was closed. Writes go through
    tongban.consultations.services."""

    class Channel(models.TextChoices):
        WINDOW = "window", gettext_lazy("窗口")
        PHONE = "phone", gettext_lazy("电话")

    office = models.ForeignKey("offices.Office", models.PROTECT, related_name="+")
    clerk = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", verbose_name="首问责任人"
    )
    owner = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", verbose_name="当前责任人"
    )
    asked_at = models.DateTimeField("咨询时间", default=timezone.now)
    channel = models.CharField("方式", max_length=10, choices=Channel, default=Channel.WINDOW)
    asker_name = models.CharField("咨询人", max_length=100, blank=True)
    asker_phone = SealedField("联系电话", blank=True)
    asker_phone_index = BlindIndexField(source="asker_phone", db_index=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事项",
    )
    question = models.TextField("咨询内容")
    answer = models.TextField("答复")
    reply = models.TextField("办结答复", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "people.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    turned_into_case = models.ForeignKey(
        "cases.Case",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转为办件",
    )

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = verbose_name_plural = "咨询记录"
        indexes = [
            # The desk's list: one office's enquiries, newest first.
            models.Index(fields=["office", "-asked_at"], name="consultation_office_idx"),
            # 我的咨询: the enquiries a user owns, open first (closed_at NULL sorts first in a
            # descending index on PostgreSQL), then oldest asked first
            # (selectors.consultations_owned).
            models.Index(fields=["owner", "-closed_at", "asked_at"], name="consultation_owner_idx"),
        ]
        constraints = [
            # Closed means closed by someone, with a final answer; open means neither.
            models.CheckConstraint(
                condition=(
                    models.Q(closed_at__isnull=True, closed_by__isnull=True, reply="")
                    | (
                        models.Q(closed_at__isnull=False, closed_by__isnull=False)
                        & ~models.Q(reply="")
                    )
                ),
                name="consultation_closed_whole",
            ),
        ]

    def __str__(self):
        return f"{self.asked_at:%Y-%m-%d %H:%M} {self.question[:20]}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def state(self) -> str:
        return "open" if self.closed_at is None else "closed"


class ConsultationHandOff(models.Model):
    """One hand-on of an enquiry (首问负责): from its owner then to a named colleague, when and
    why, and who did it (the owner, or a supervisor on their behalf). Each row's `from_user`
    is the previous row's `to_user` (the first row's is the first responder), so the rows are
    the whole chain. Written only by services.consultation_hand_on; never changed."""

    consultation = models.ForeignKey(
        Consultation, models.PROTECT, related_name="hand_offs", verbose_name="咨询记录"
    )
    from_user = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", verbose_name="转出人"
    )
    to_user = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", verbose_name="接收人"
    )
    by = models.ForeignKey("people.User", models.PROTECT, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("转交时间", default=timezone.now)
    note = models.TextField("转交说明")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "咨询转交记录"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_user_id} → {self.to_user_id}"


class PolicyQA(models.Model):
    """A question and answer of the policy library (政策解读), maintained by the catalog
    administrator and shown beside the guide of its item."""

    item = models.ForeignKey(
        "catalog.ServiceItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name="事项",
        help_text="留空表示通用政策",
    )
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("解答")
    source = models.CharField("政策依据", max_length=300, blank=True)
    published = models.BooleanField("已发布", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["item__code", "id"]
        verbose_name = verbose_name_plural = "政策解读"

    def __str__(self):
        return self.question

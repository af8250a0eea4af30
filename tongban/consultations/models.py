from django.db import models
from django.utils import timezone


class Consultation(models.Model):
    """One enquiry at a window or on the phone (咨询), logged by the first staff member asked.

    首问负责: `clerk` is whoever took the enquiry first; it is set once and never changed."""

    class Channel(models.TextChoices):
        WINDOW = "window", "窗口"
        PHONE = "phone", "电话"

    office = models.ForeignKey("offices.Office", models.PROTECT, related_name="+")
    clerk = models.ForeignKey(
        "people.User", models.PROTECT, related_name="+", verbose_name="首问责任人"
    )
    asked_at = models.DateTimeField("咨询时间", default=timezone.now)
    channel = models.CharField("方式", max_length=10, choices=Channel, default=Channel.WINDOW)
    asker_name = models.CharField("咨询人", max_length=100, blank=True)
    asker_phone = models.CharField("联系电话", max_length=20, blank=True)
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
        ]

    def __str__(self):
        return f"{self.asked_at:%Y-%m-%d %H:%M} {self.question[:20]}"


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

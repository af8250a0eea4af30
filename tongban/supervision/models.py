"""Supervision: deadline cards, the notifications sent from background jobs, and the small
bookkeeping rows that let several workers share the jobs safely."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.lib.sealed import BlindIndexField, SealedField


class Level(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Warning(models.Model):  # the domain word (预警); shadows the builtin only in this module
    """A yellow card (time nearly used up) or a red card (overdue) on a case.

    Raised once per case and level by the deadline scan (services.deadlines_scan); the unique
    constraint is what makes concurrent scans safe."""

    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="warnings")
    level = models.CharField(max_length=6, choices=Level)
    raised_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateField("当时的办结期限")
    # The handling office when the card was raised (the board follows the case's current one).
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "超期预警"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="warning_once_per_level"),
        ]
        indexes = [models.Index(fields=["raised_at"], name="warning_raised_idx")]

    def __str__(self):
        return f"{self.get_level_display()} {self.case_id}"


# What each notification's event code means, for people (the notification log shows these,
# never the codes). The codes are written by supervision.notifications.
EVENTS = {
    "case.accepted": _("已受理"),
    "case.supplement": _("补正材料通知"),
    "case.rejected": _("不予受理"),
    "case.extended": _("延期办理"),
    "case.extension_requested": _("延期申请待审批"),
    "case.procedure": _("特别程序"),
    "case.procedure_ended": _("特别程序结束"),
    "case.completed": _("已办结"),
    "case.urged": _("申请人催办"),
    "warning.yellow": _("黄牌预警"),
    "warning.red": _("红牌预警"),
    "rating.bad": _("差评"),
}


class Notification(models.Model):
    """One message to one recipient about one event. `key` names the event, the channel and
    the recipient, so a message is recorded once and sent at most once, however many
    dispatchers run."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    key = models.CharField(max_length=120, unique=True)
    event = models.CharField(max_length=40)  # dotted: case.accepted, warning.red, rating.bad
    channel = models.CharField(max_length=5, choices=Channel)
    recipient = SealedField()  # a phone number or an e-mail address
    recipient_index = BlindIndexField(source="recipient", db_index=True)
    user = models.ForeignKey(
        "people.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender reads only what is waiting.
            models.Index(
                fields=["id"], condition=Q(status="pending"), name="notification_pending_idx"
            ),
            models.Index(fields=["case"], name="notification_case_idx"),
        ]

    def __str__(self):
        return self.key

    @property
    def event_label(self) -> str:
        return EVENTS.get(self.event, self.event)


class Checkpoint(models.Model):
    """How far a reader of an append-only table got (the outbox cursor over CaseEvent and co.)."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name}@{self.position}"


class ScheduledJob(models.Model):
    """When each periodic job is next due. Every worker's scheduler tries to move `next_run_at`
    forward with a guarded UPDATE; the one that succeeds enqueues the job, so several workers
    enqueue each run once."""

    name = models.CharField(max_length=60, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_enqueued_by = models.CharField(max_length=100, blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class WorkerHeartbeat(models.Model):
    """One row per background worker process: when it started, last polled its queue and last
    finished a job. `tongban worker` writes it at most every HEARTBEAT_EVERY seconds
    (tongban.supervision.heartbeat); the city supervisors' pages and /health read it."""

    worker = models.CharField(
        max_length=100, unique=True
    )  # host:pid (tongban.ops.tasks.worker_name)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()  # the last poll of the queue
    job_at = models.DateTimeField(null=True, blank=True)  # the last job finished
    jobs = models.PositiveIntegerField(default=0)  # jobs run since it started

    def __str__(self):
        return self.worker

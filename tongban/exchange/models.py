import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from tongban.lib.sealed import SealedJSONField


class Message(models.Model):
    """One message to a partner platform: the outbox (transactional outbox).

    Written in the transaction of the change it reports (exchange.services.outbox_put), so a
    change and its message are kept or lost together; the background worker delivers it
    (crossregion.services.outbox_deliver) and retries with back-off while the partner is down.
    """

    class State(models.TextChoices):
        WAITING = "waiting", gettext_lazy("待发送")
        DELIVERED = "delivered", gettext_lazy("已送达")
        FAILED = "failed", gettext_lazy("发送失败")  # refused by the partner, or given up after every retry

    message_id = models.UUIDField("报文编号", default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey("catalog.Agreement", models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=40)
    case_number = models.CharField("办件编号", max_length=30, blank=True, db_index=True)
    body = SealedJSONField(default=dict)  # names and ID numbers: sealed at rest
    state = models.CharField("状态", max_length=10, choices=State, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("写入时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "发出报文"
        indexes = [  # the worker's scan: only what waits
            models.Index(fields=["next_attempt_at"], name="message_waiting_idx",
                         condition=Q(state="waiting")),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.kind} {self.message_id}"


class Received(models.Model):
    """A message that came in from a partner platform, taken or refused, with the reason.

    A message id is taken once: a repeat of a taken one (the sender retrying after a lost
    answer) is answered as taken and changes nothing. Refused ones stay for the record and do
    not block a later, valid message with the same id."""

    class Outcome(models.TextChoices):
        TAKEN = "taken", gettext_lazy("已接收")
        REFUSED = "refused", gettext_lazy("已拒收")

    message_id = models.CharField("报文编号", max_length=64)
    agreement = models.ForeignKey(
        "catalog.Agreement", models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender = models.CharField("发送方", max_length=20, blank=True)
    kind = models.CharField("类型", max_length=40, blank=True)
    case_number = models.CharField("办件编号", max_length=30, blank=True, db_index=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome)
    reason_code = models.CharField("拒收代码", max_length=40, blank=True)
    reason = models.TextField("拒收理由", blank=True)
    received_at = models.DateTimeField("接收时间")
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = verbose_name_plural = "收到报文"
        constraints = [
            models.UniqueConstraint(fields=["message_id"], condition=Q(outcome="taken"),
                                    name="received_taken_once"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.kind} {self.message_id} {self.outcome}"

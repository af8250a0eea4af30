from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .chain import GENESIS


class Outcome(models.TextChoices):
    SUCCESS = "success", gettext_lazy("成功")
    FAILURE = "failure", gettext_lazy("失败")


class AuditEntry(models.Model):
    """An important action or security event (等保 audit): who, from which office and address,
    did what to which object, when, and whether it worked.

    Rows are only ever inserted, by audit.services.record(), which chains each to the one
    before with an SM3 hash (audit.chain). The admin cannot change or delete them; on
    PostgreSQL a trigger refuses UPDATE and DELETE to every role (migration 0005)."""

    seq = models.BigIntegerField(unique=True)  # the place in the chain, from 1
    # Stamped under the chain's lock: never earlier than the entry before (on one clock).
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey("people.User", models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)  # as typed, for failed sign-ins
    # The office the action was taken for (by default the user's own).
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    event = models.CharField(max_length=50)  # dotted: "auth.login_failed", "catalog.item_revised"
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.SUCCESS)
    target = models.CharField(max_length=100, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["username", "event", "at"], name="audit_username_event_idx"),
            # The auditors' "what happened to this case / applicant / item".
            models.Index(fields=["target", "seq"], name="audit_target_idx"),
        ]
        verbose_name = verbose_name_plural = "审计记录"

    def __str__(self):
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.event} {self.outcome}"


class AuditHead(models.Model):
    """The end of the chain: the last entry's seq and hash, in one row (pk 1). record() locks
    it to append, so entries are chained one after another on any database; it also shows
    when entries were cut off the end."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self):
        return f"#{self.seq} {self.hash[:16]}"

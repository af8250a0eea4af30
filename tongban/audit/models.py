from django.db import models


class AuditEntry(models.Model):
    """An important action or security event outside a case's own history (等保 audit).

    Rows are only ever inserted; the admin cannot change or delete them."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey("people.User", models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)  # as typed, for failed sign-ins
    event = models.CharField(max_length=50)  # dotted: "auth.login_failed", "catalog.item_revised"
    outcome = models.CharField(max_length=10, default="success")  # success | failure
    target = models.CharField(max_length=100, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        # The sign-in lock-out counts a username's recent failures.
        indexes = [
            models.Index(fields=["username", "event", "at"], name="audit_username_event_idx")
        ]
        verbose_name = verbose_name_plural = "审计记录"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.event} {self.outcome}"

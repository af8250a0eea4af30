from .models import AuditEntry


def record(
    *, event: str, user=None, outcome: str = "success", target: str = "", ip=None, **data
) -> AuditEntry:
    """Write one audit row. Call inside the transaction of the action it records."""
    return AuditEntry.objects.create(
        event=event,
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or data.pop("username", ""),
        outcome=outcome,
        target=str(target),
        ip=ip,
        data=data,
    )

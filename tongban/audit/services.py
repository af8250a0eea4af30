"""Writing the audit trail: record() appends one entry to the chain (audit.chain)."""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from tongban.lib import sql

from .chain import GENESIS, entry_hash, ip_text, plain
from .models import AuditEntry, AuditHead, Outcome


def record(*, event: str, user=None, office=None, outcome: str = Outcome.SUCCESS,
           target="", ip=None, **data) -> AuditEntry:  # fmt: skip
    """Append one entry to the audit chain: `event` (dotted, "catalog.item_revised") done by
    `user` for `office` (by default the user's own) to `target`, from address `ip`, with
    `outcome`; `data` is kept as JSON (a `username` in it names who was meant when there is
    no user, as for a failed sign-in).

    Call it inside the transaction of the action it records, as its last write: it holds the
    chain's one lock (AuditHead) until that transaction ends, and a rollback takes the entry
    away with the action, leaving the chain whole. Raises ValueError for an unknown outcome."""
    if outcome not in Outcome.values:
        raise ValueError(f"audit outcome must be one of {Outcome.values}, not {outcome!r}")
    user_id = user.pk if getattr(user, "pk", None) else None
    if office is None and user_id is not None:
        office_id = getattr(user, "office_id", None)
    else:
        office_id = getattr(office, "pk", office)
    entry = AuditEntry(
        user_id=user_id,
        username=(getattr(user, "username", "") or str(data.pop("username", "") or ""))[:150],
        office_id=office_id,
        event=event[:50],
        outcome=outcome,
        target=str(target)[:100],
        ip=ip_text(ip),
        data=plain(data),
    )
    # No savepoint of its own: if anything here fails, the caller's transaction fails with it.
    with transaction.atomic(savepoint=False):
        # Prepared statements (lib.sql) from the lock on: every writer of the city waits while
        # it is held, and the ORM's compiling of the INSERT and UPDATE doubled that time
        # (bench/audit_chain.py).
        head = head_lock()
        entry.at = timezone.now()
        entry.seq = head.seq + 1
        entry.prev_hash = head.hash
        entry.hash = entry_hash(entry)
        sql.save_new(entry)
        head.seq, head.hash = entry.seq, entry.hash
        sql.update(head, ("seq", "hash"))
    return entry


def head_lock() -> AuditHead:
    """The chain's head, locked until the transaction ends (SELECT … FOR UPDATE on
    PostgreSQL: a writer waiting for it reads the head its predecessor left; SQLite's
    transactions are IMMEDIATE, one writer at a time). Made again where it is missing (a
    flushed test database): from the last entry, so that seq stays unique."""
    head = _head_read()
    if head is None:
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, hash_ = last or (0, GENESIS)
        AuditHead.objects.bulk_create([AuditHead(pk=1, seq=seq, hash=hash_)], ignore_conflicts=True)
        head = _head_read()
    return head


def _head_read() -> AuditHead | None:
    db = connections[DEFAULT_DB_ALIAS]
    lock = " FOR UPDATE" if db.features.has_select_for_update else ""
    with sql.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {sql.table(AuditHead)} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        return None
    head = AuditHead(pk=1, seq=row[0], hash=row[1])
    head._state.adding = False
    return head

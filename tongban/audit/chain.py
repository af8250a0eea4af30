"""The audit trail's proof: every AuditEntry carries the SM3 hash (GB/T 32905) of its own
content and of the hash of the entry before it, so that a changed, removed or reordered entry
breaks the chain where it was touched.

The hash is over one canonical serialisation of every field of the entry (`canonical`), the
same whichever database holds it and whatever order a JSON column returns its keys in. Its
position (`seq`) is not in it: the chain itself (`prev_hash`) is the order, and
`chain_verify` checks that the numbering follows it, which tells "removed" and "reordered"
apart from "changed".

What the chain proves, and what it cannot: someone who can write the table and recompute
every hash after the entry they changed, and the head, makes a chain that verifies again. So
the head (`AuditHead`, shown on the auditors' page and printed by `tongban audit verify`) is
worth writing down outside the database now and then: a later head must extend it.
"""

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from cryptography.hazmat.primitives import hashes

GENESIS = "0" * 64  # the `prev_hash` of the first entry
FORMAT = "tongban-audit-1"  # leads every serialisation; a new format gets a new name


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def plain(value):
    """`value` as JSON that comes back the same from SQLite's text and PostgreSQL's jsonb:
    dates as ISO text, decimals and other objects as their text, and a float that is a whole
    number as an int (jsonb gives 1e20 back as 100000000000000000000)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def ip_text(value) -> str | None:
    """An address in one spelling (PostgreSQL's inet shortens IPv6 as Python does)."""
    if value in (None, ""):
        return None
    return str(ipaddress.ip_address(str(value)))


def canonical(*, at: datetime, user_id, username: str, office_id, event: str, outcome: str,
              target: str, ip, data, prev_hash: str) -> bytes:  # fmt: skip
    """The bytes an entry's hash is taken over: a JSON array in a fixed order, UTF-8, sorted
    keys inside `data`, no spaces; the time in UTC to the microsecond."""
    fields = [
        FORMAT,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        user_id,
        username,
        office_id,
        event,
        outcome,
        target,
        ip_text(ip),
        plain(data),
        prev_hash,
    ]
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


def entry_hash(entry) -> str:
    """The hash `entry` (an AuditEntry, or anything with its attributes) should carry."""
    return sm3(
        canonical(at=entry.at, user_id=entry.user_id, username=entry.username,
                  office_id=entry.office_id, event=entry.event, outcome=entry.outcome,
                  target=entry.target, ip=entry.ip, data=entry.data, prev_hash=entry.prev_hash)
    )  # fmt: skip


@dataclass
class Verdict:
    """What `chain_verify` found: `ok`, how many entries it read, and for a broken chain the
    first bad place: `seq` and `entry_id` (None when what is missing is past the last entry),
    `kind` (changed | removed | reordered | renumbered | head) and a sentence for people."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    kind: str = ""
    seq: int | None = None
    entry_id: int | None = None
    problem: str = ""

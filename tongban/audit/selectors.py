"""Reading the audit trail: the proof walked (chain_verify), and the auditors' lists."""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from .chain import GENESIS, Verdict, entry_hash
from .models import AuditEntry, AuditHead

_WALK_FIELDS = ("seq", "pk", "at", "user_id", "username", "office_id", "event", "outcome", "target",
                "ip", "data", "prev_hash", "hash")  # fmt: skip


class _Row(NamedTuple):  # what entry_hash reads, without building a model instance per row
    seq: int
    pk: int
    at: object
    user_id: int | None
    username: str
    office_id: int | None
    event: str
    outcome: str
    target: str
    ip: str | None
    data: dict
    prev_hash: str
    hash: str


def audit_head() -> tuple[int, str]:
    """(seq, hash) of the chain's last entry as the head records it: (0, GENESIS) for none."""
    return AuditHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS)


def chain_verify(*, chunk: int = 2000) -> Verdict:
    """Walk the audit chain from its first entry to its last and name the first entry that was
    changed (its content no longer gives its hash), removed (the entry its successor was
    chained to is gone), reordered (that entry is elsewhere in the chain) or renumbered; then
    hold the end against the head: entries cut off the end, a rewritten last entry, entries
    past a head that was moved back.

    Entries appended while it walks are walked too. Reads every entry once, in pages of
    `chunk` by seq (about 15 µs of CPU an entry)."""
    prev, expected, checked, last = GENESIS, 1, 0, 0
    while True:
        rows = [
            _Row(*r)
            for r in AuditEntry.objects.filter(seq__gt=last)
            .order_by("seq")
            .values_list(*_WALK_FIELDS)[:chunk]
        ]
        for row in rows:
            bad = _bad(row, prev, expected)
            if bad:
                return Verdict(False, checked, *audit_head(), *bad)
            checked += 1
            prev, expected, last = row.hash, row.seq + 1, row.seq
        if len(rows) == chunk:
            continue
        head_seq, head_hash = audit_head()
        if head_seq > last and AuditEntry.objects.filter(seq__gt=last).exists():
            continue  # appended since the last page was read
        break
    if last < head_seq:
        return Verdict(False, checked, head_seq, head_hash, "removed", last + 1, None,
                       _("第 %(first)s 至 %(last)s 条记录（链尾）被删除：审计链头为第 %(last)s 条")
                       % {"first": last + 1, "last": head_seq})  # fmt: skip
    if last > head_seq:
        return Verdict(False, checked, head_seq, head_hash, "head", head_seq + 1, None,
                       _("第 %(seq)s 条及以后的记录在审计链头（第 %(head)s 条）之后：链头被改回")
                       % {"seq": head_seq + 1, "head": head_seq})  # fmt: skip
    if prev != head_hash:
        return Verdict(False, checked, head_seq, head_hash, "changed", head_seq, None,
                       _("第 %(seq)s 条记录（链尾）与审计链头的哈希不符：被改写")
                       % {"seq": head_seq})  # fmt: skip
    return Verdict(True, checked, head_seq, head_hash)


def _bad(row: _Row, prev: str, expected: int) -> tuple | None:
    """(kind, seq, entry id, sentence) of what is wrong with `row` where the chain expects
    the entry after hash `prev`, numbered `expected`; None when nothing is."""
    where = {"seq": row.seq, "id": row.pk}
    if entry_hash(row) != row.hash:
        return ("changed", row.seq, row.pk,
                _("第 %(seq)s 条记录（id %(id)s）的内容与其哈希不符：被修改") % where)  # fmt: skip
    if row.prev_hash != prev:
        before = None
        if row.prev_hash != GENESIS:
            before = AuditEntry.objects.filter(hash=row.prev_hash).values_list("seq", flat=True)
            before = before.first()
        if before is not None:
            return ("reordered", row.seq, row.pk,
                    _("第 %(seq)s 条记录（id %(id)s）原本接在第 %(before)s 条之后：顺序被改动")
                    % {**where, "before": before})  # fmt: skip
        return ("removed", expected, row.pk,
                _("第 %(seq)s 条记录（id %(id)s）之前的记录被删除或改写：它所接的记录已不在链上")
                % where)  # fmt: skip
    if row.seq != expected:
        return ("renumbered", row.seq, row.pk,
                _("第 %(seq)s 条记录（id %(id)s）应为第 %(expected)s 条：编号被改动")
                % {**where, "expected": expected})  # fmt: skip
    return None


def entries_filtered(*, start: date | None = None, end: date | None = None, username: str = "", event: str = "",
                     outcome: str = "", target: str = ""):  # fmt: skip
    """The audit entries the auditors' page and its exports list, newest first: local days
    `start` to `end` (dates, both included), the exact `username` (a user's, or as typed at a
    failed sign-in), events starting with `event` ("auth." for every sign-in event), an
    `outcome`, the exact `target`. Empty means any."""
    rows = AuditEntry.objects.select_related("office").order_by("-seq")
    tz = timezone.get_default_timezone()
    if start:
        rows = rows.filter(at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        rows = rows.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))
    if username:
        rows = rows.filter(username=username)
    if event:
        rows = rows.filter(event__startswith=event)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if target:
        rows = rows.filter(target=target)
    return rows

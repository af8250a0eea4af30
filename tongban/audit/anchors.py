"""Case transitions in the proof, a day at a time: each finished day's rows of the anchored
tables are digested (SM3) into one audit entry, `audit.anchored`, and so into the chain.

Why not an audit entry per transition: every case action writes its CaseEvent on the hot path,
and appending each to the chain would add the chain's lock and its round trips to every action,
and make one lock of every action in the city. Measured with bench/audit_chain.py (figures
in docs/architecture.md, "The audit trail"): far more than the 5% a case action may grow
by. A day's digest costs the case actions nothing.

What it proves: once a day is anchored, a change, removal, reordering or addition among its
transitions makes `anchors_verify` name the day and the block of BLOCK rows where they first
differ (and a change of the anchor itself breaks the chain). What it does not: a transition of today, or of a day
finished less than ANCHOR_DELAY ago, is not yet anchored; `tongban audit anchor` (or the job
that runs it) anchors every finished day not yet anchored.

The tables are named by label, not imported: audit sits below cases in the layers
(docs/architecture.md), and reads them through the app registry, as a ForeignKey's "app.Model"
string does.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cryptography.hazmat.primitives import hashes
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .chain import ip_text, plain
from .models import AuditEntry
from .services import head_lock, record

# label -> the time field that puts a row in a day
ANCHORED = {"cases.CaseEvent": "at"}
EVENT = "audit.anchored"
BLOCK = 100  # rows per block digest: how closely verify points at a difference
ANCHOR_DELAY = timedelta(minutes=10)  # lets an action stamped before midnight commit


@dataclass
class DayDigest:
    count: int
    first_id: int | None
    last_id: int | None
    digest: str
    blocks: list[str]  # the first 16 hex digits of each block's SM3, in id order
    block_ids: list[tuple[int, int]]  # (first id, last id) of each block, to name one


def _value(field: models.Field, value):
    if value is None:
        return None
    if isinstance(field, models.GenericIPAddressField):
        return ip_text(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return plain(value)


def _bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def day_digest(
    label: str, day: date, fields: list[str] | None = None
) -> tuple[DayDigest, list[str]]:
    """The digest of `label`'s rows of local `day` (by ANCHORED's time field), in id order:
    each row a canonical JSON array of `fields` (attnames; by default every column now), SM3
    over them all and over each block of BLOCK rows. Returns it with the fields used."""
    model = apps.get_model(label)
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = fields or list(by_name)
    start, end = _bounds(day)
    rows = (
        model._base_manager.filter(
            **{f"{ANCHORED[label]}__gte": start, f"{ANCHORED[label]}__lt": end}
        )
        .order_by("pk")
        .values_list("pk", *fields)
    )
    whole, block, blocks, block_ids = hashes.Hash(hashes.SM3()), None, [], []
    count, first_id, last_id = 0, None, None
    for pk, *values in rows.iterator(chunk_size=2000):
        line = json.dumps([_value(by_name[f], v) for f, v in zip(fields, values, strict=True)],
                          ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"  # fmt: skip
        whole.update(line)
        if count % BLOCK == 0:
            if block is not None:
                blocks.append(block.finalize().hex()[:16])
            block = hashes.Hash(hashes.SM3())
            block_ids.append([pk, pk])
        block.update(line)
        block_ids[-1][1] = pk
        count += 1
        first_id = first_id or pk
        last_id = pk
    if block is not None:
        blocks.append(block.finalize().hex()[:16])
    digest = DayDigest(count, first_id, last_id, whole.finalize().hex(), blocks,
                       [tuple(ids) for ids in block_ids])  # fmt: skip
    return digest, fields


def _target(label: str, day: date) -> str:
    return f"{label} {day.isoformat()}"


def anchors_make(*, now: datetime | None = None, limit: int | None = None) -> list[AuditEntry]:
    """Anchor every finished day (ended ANCHOR_DELAY ago or more) of every anchored table that
    has no anchor yet, from the day of its first row, oldest first (at most `limit` days a
    table). Safe to run on several workers at once: a day is anchored once. Returns the new
    entries. Costs one read of each day's rows."""
    now = now or timezone.now()
    last_day = timezone.localdate(now - ANCHOR_DELAY) - timedelta(days=1)
    made = []
    for label, field in ANCHORED.items():
        model = apps.get_model(label)
        done = set(
            AuditEntry.objects.filter(event=EVENT, target__startswith=f"{label} ").values_list(
                "target", flat=True
            )
        )
        if done:  # days are anchored oldest first: go on from the newest one
            day = max(date.fromisoformat(t.rsplit(" ", 1)[1]) for t in done) + timedelta(days=1)
        else:  # the first row's day, by the primary key's index (the time field has none)
            first = model._base_manager.order_by("pk").values_list(field, flat=True).first()
            if first is None:
                continue
            day = timezone.localdate(first)
        todo = []
        while day <= last_day:
            if _target(label, day) not in done:
                todo.append(day)
            day += timedelta(days=1)
        for day in todo[:limit]:
            digest, fields = day_digest(label, day)  # before the chain's lock: it reads a day
            with transaction.atomic():
                head_lock()
                if AuditEntry.objects.filter(event=EVENT, target=_target(label, day)).exists():
                    continue  # another worker was first
                made.append(record(
                    event=EVENT, target=_target(label, day), table=label, day=day.isoformat(),
                    fields=fields, count=digest.count, first_id=digest.first_id,
                    last_id=digest.last_id, digest=digest.digest, block=BLOCK, blocks=digest.blocks,
                ))  # fmt: skip
    return made


@dataclass
class AnchorProblem:
    entry_seq: int
    table: str
    day: str
    problem: str


def anchors_verify() -> tuple[int, AnchorProblem | None]:
    """Digest every anchored day again and compare: (days checked, the first day whose rows
    differ from their anchor, or None). Reads every anchored row once."""
    checked = 0
    anchors = AuditEntry.objects.filter(event=EVENT).order_by("seq").values_list("seq", "data")
    for seq, data in anchors.iterator(chunk_size=200):
        label, day = data["table"], date.fromisoformat(data["day"])
        now, _fields = day_digest(label, day, data["fields"])
        checked += 1
        if now.digest == data["digest"] and now.count == data["count"]:
            continue
        where = {"table": label, "day": day.isoformat(), "seq": seq, "then": data["count"],
                 "now": now.count}  # fmt: skip
        problem = _("%(table)s %(day)s 的记录与第 %(seq)s 条审计记录中的锚定值不符（当时 %(then)s 条，现在 %(now)s 条）") % where  # fmt: skip
        for i, (was, is_) in enumerate(zip(data["blocks"], now.blocks, strict=False)):
            if was != is_:
                first, last = now.block_ids[i]
                problem += _("：自 id %(first)s–%(last)s 一段起被修改、删除、插入或调换") % {
                    "first": first, "last": last}  # fmt: skip
                break
        else:
            if len(now.blocks) != len(data["blocks"]):
                problem += _("：末尾的记录被删除或追加")
        return checked, AnchorProblem(seq, label, day.isoformat(), problem)
    return checked, None

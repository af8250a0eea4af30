"""Signed messages between two tongban platforms under a cross-region agreement (跨区通办).

A message is a JSON object, sent as the body of `POST /api/v1/platform/messages` with the
sender's Ed25519 signature of those exact bytes in the `X-Tongban-Signature` header
(tongban.lib.signing says why Ed25519 and not SM2). Its fields:

    id          a UUID; the receiver takes each id once (Received)
    agreement   the agreement's code, the same on both platforms (KQ-371522-410922)
    from, to    the sending and the receiving office's division codes
    kind        case.forward, case.event, case.supplement
    item        the item's code, which must be one of the agreement's
    case        the case's number on the collecting side: the key both sides find it by
    sent_at     ISO 8601
    body        what the kind carries (crossregion.services builds and applies it)

The receiver checks, in this order, and refuses with a stable code and a reason that both
sides record: `malformed`, `unknown_agreement` (no agreement with that code from that
sender), `bad_signature` (not signed with the key the agreement holds for the partner),
`agreement_not_in_force` (expired or not yet valid), `item_not_in_agreement`.

This module knows nothing of cases: it is below them (cases.services writes the outbox row
of a forwarded case's change through outbox_put()), and crossregion, above cases, builds,
delivers and applies the messages.
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.catalog.models import Agreement
from tongban.lib import signing, sql

from .models import Message, Received

SIGNATURE_HEADER = "X-Tongban-Signature"
KINDS = ("case.forward", "case.event", "case.supplement")
# Delivery: the first retry after 30 s, doubling up to an hour; a message still not taken
# after MAX_ATTEMPTS tries (about a day and a half) is marked failed for a person to look at
# (the supervisors' page retries it by hand).
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 40


class Refused(Exception):
    """A message this platform does not take: `code` for machines, `reason` for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


# --- Writing: the outbox ---------------------------------------------------------------------

_receiving: ContextVar[bool] = ContextVar("exchange_receiving", default=False)


@contextmanager
def receiving():
    """While a message from the partner is applied, the changes it makes are not reported
    back to the partner (it made them): outbox_put() writes nothing inside this block."""
    token = _receiving.set(True)
    try:
        yield
    finally:
        _receiving.reset(token)


def outbox_put(*, agreement_id: int, kind: str, case_number: str, body: dict,
               now: datetime | None = None) -> bool:  # fmt: skip
    """Queue a message to the agreement's partner, in the caller's transaction (so the change
    it reports and the message are kept or lost together). One prepared INSERT, written with
    the case's own (tongban.lib.sql.batch). Returns False, writing nothing, while a message
    from the partner is being applied (receiving())."""
    if _receiving.get():
        return False
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    now = now or timezone.now()
    sql.insert(Message, agreement_id=agreement_id, kind=kind, case_number=case_number,
               body=body, next_attempt_at=now, created_at=now)  # fmt: skip
    return True


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min … at most 1 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def message_sent(message: Message, *, now: datetime | None = None) -> None:
    Message.objects.filter(pk=message.pk).update(
        state=Message.State.DELIVERED, delivered_at=now or timezone.now(),
        attempts=message.attempts + 1, last_error="",
    )  # fmt: skip


def message_failed(message: Message, error: str, *, final: bool = False,
                   now: datetime | None = None) -> str:  # fmt: skip
    """Record a failed try: wait and retry (back-off), or, when the partner refused it or
    every try is spent, mark it failed. Returns the new state."""
    now = now or timezone.now()
    attempts = message.attempts + 1
    state = Message.State.FAILED if final or attempts >= MAX_ATTEMPTS else Message.State.WAITING
    Message.objects.filter(pk=message.pk).update(
        state=state, attempts=attempts, last_error=error[:2000],
        next_attempt_at=now + retry_delay(attempts),
    )  # fmt: skip
    return state


def message_retry(*, message_id) -> bool:
    """Send a waiting or failed message again at once (a supervisor's retry button); the
    count of tries starts again. Returns False for a delivered or unknown one."""
    return bool(
        Message.objects.filter(message_id=message_id)
        .exclude(state=Message.State.DELIVERED)
        .update(state=Message.State.WAITING, next_attempt_at=timezone.now(), attempts=0)
    )


def messages_due(*, now: datetime | None = None, limit: int = 50) -> list[Message]:
    """Waiting messages whose time has come, oldest first (along message_waiting_idx)."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(state=Message.State.WAITING, next_attempt_at__lte=now)
        .select_related("agreement", "agreement__partner", "agreement__office")
        .order_by("next_attempt_at", "id")[:limit]
    )


# --- Signing and checking ----------------------------------------------------------------------


def payload_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def payload_sign(payload: dict) -> tuple[bytes, str]:
    """The bytes to send and this platform's signature of them."""
    raw = payload_bytes(payload)
    return raw, signing.sign(signing.platform_key(), raw)


@dataclass
class Incoming:
    agreement: Agreement
    envelope: dict


REQUIRED = ("id", "agreement", "from", "to", "kind", "item", "case", "sent_at", "body")


def message_check(raw: bytes, signature: str, *, today=None) -> Incoming:
    """The agreement and the envelope of a message that passes every check (the module's
    docstring lists them, in order); Refused otherwise."""
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refused("malformed", "报文不是 JSON") from None
    if not isinstance(envelope, dict):
        raise Refused("malformed", "报文应为 JSON 对象")
    missing = [f for f in REQUIRED if f not in envelope]
    if missing:
        raise Refused("malformed", f"报文缺少字段: {', '.join(missing)}")
    if not all(isinstance(envelope[f], str) for f in REQUIRED[:-1]) or not isinstance(
        envelope["body"], dict
    ):
        raise Refused("malformed", "报文字段类型不对（body 应为对象，其余为字符串）")
    if envelope["kind"] not in KINDS:
        raise Refused("malformed", f"未知报文类型 {envelope['kind']!r}")
    agreement = (
        Agreement.objects.select_related("partner", "office")
        .filter(code=envelope["agreement"], partner__code=envelope["from"])
        .first()
    )
    if agreement is None or not agreement.partner_key:
        raise Refused("unknown_agreement",
                      f"本平台没有与 {envelope['from']} 签订编号为 {envelope['agreement']!r} 的协议")  # fmt: skip
    if not signature or not signing.verify(agreement.partner_key, raw, signature):
        raise Refused("bad_signature", "签名无效：报文不是用协议登记的对方平台密钥签名的")
    today = today or timezone.localdate()
    if not agreement.in_force(today):
        raise Refused("agreement_not_in_force",
                      f"协议 {agreement.code} 有效期为 {agreement.valid_from} 至 "
                      f"{agreement.valid_to or '长期'}，今天 {today} 不在其内")  # fmt: skip
    if agreement.office_id and envelope["to"] != agreement.office.code:
        raise Refused("unknown_agreement",
                      f"报文发给 {envelope['to']}，协议 {agreement.code} 的本方是 {agreement.office.code}")  # fmt: skip
    if not agreement.items.filter(code=envelope["item"]).exists():
        raise Refused("item_not_in_agreement",
                      f"事项 {envelope['item']} 不在协议 {agreement.code} 的事项之内")  # fmt: skip
    return Incoming(agreement=agreement, envelope=envelope)


def received_before(message_id: str) -> bool:
    """Whether a message with this id was taken already (a repeat is answered, not applied)."""
    return Received.objects.filter(message_id=message_id, outcome=Received.Outcome.TAKEN).exists()


def received_taken(incoming: Incoming, *, ip=None) -> bool:
    """Record a message as taken, inside the transaction that applies it. Returns False when a
    concurrent delivery of the same id was taken first (the caller then rolls back)."""
    env = incoming.envelope
    try:
        with transaction.atomic():
            Received.objects.create(
                message_id=env["id"][:64], agreement=incoming.agreement, sender=env["from"][:20],
                kind=env["kind"][:40], case_number=env["case"][:30],
                outcome=Received.Outcome.TAKEN, received_at=timezone.now(), ip=ip,
            )  # fmt: skip
    except IntegrityError:
        return False
    return True


def received_refused(raw: bytes, refusal: Refused, *, agreement: Agreement | None = None,
                     ip=None) -> Received:  # fmt: skip
    """Record a refused message with its reason (what could be read of it), outside any
    transaction that was rolled back."""
    try:
        env = json.loads(raw)
        env = env if isinstance(env, dict) else {}
    except (ValueError, UnicodeDecodeError):
        env = {}

    def text(field: str, most: int) -> str:
        value = env.get(field)
        return value[:most] if isinstance(value, str) else ""

    if agreement is None and text("agreement", 40):
        agreement = Agreement.objects.filter(code=text("agreement", 40)).first()
    return Received.objects.create(
        message_id=text("id", 64), agreement=agreement, sender=text("from", 20),
        kind=text("kind", 40), case_number=text("case", 30), outcome=Received.Outcome.REFUSED,
        reason_code=refusal.code, reason=refusal.reason, received_at=timezone.now(), ip=ip,
    )  # fmt: skip

"""跨区通办 between two tongban platforms: the messages delivered and applied.

The outbox rows are written with the change they report (cases.services._partner_report,
cases.partners.case_forward). Here the background worker delivers them: the files a message
carries (a forwarded case's materials, a supplement's, a notice's PDF) are read when it is
sent, the whole signed with this platform's key and POSTed to the partner's
`/api/v1/platform/messages`. An answer 2xx is delivery; a refusal (4xx, with its reason) marks
the message failed at once, recorded here; anything else (the partner down, a timeout, 5xx)
waits and is retried with back-off (exchange.services.retry_delay).

On the receiving side message_receive() checks the message (exchange.services.message_check),
takes each id once, and applies it in one transaction with the record of its id.
"""

import base64
import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tongban.cases.models import Attachment, Case, Notice
from tongban.cases.notices import notice_pdf_stored
from tongban.cases.partners import case_mirror, case_partner_supplement, case_receive
from tongban.exchange import services as exchange
from tongban.exchange.models import Message, Received
from tongban.lib import signing
from tongban.lib.errors import DomainError

PATH = "/api/v1/platform/messages"
TIMEOUT = 10  # seconds: a partner that does not answer in this time is retried later
NOTICE_OF = {  # the notice a step issues, sent with the step
    "accept": Notice.Kind.ACCEPTANCE,
    "reject": Notice.Kind.REFUSAL,
    "request_supplement": Notice.Kind.SUPPLEMENT,
    "approve": Notice.Kind.COMPLETION,
    "deny": Notice.Kind.COMPLETION,
}


# --- Sending ---------------------------------------------------------------------------------


def _files(case_number: str, materials=None) -> list[dict]:
    """The case's material files (only `materials`' when given, the latest of each)."""
    rows = Attachment.objects.filter(case__number=case_number).order_by("uploaded_at", "id")
    if materials is not None:
        rows = rows.filter(material__in=materials)
    files = {}
    for a in rows:
        with a.file.open("rb") as f:
            data = f.read()
        key = a.material if materials is not None else a.pk
        files[key] = {"material": a.material, "name": a.original_name,
                      "content_type": a.content_type, "data": base64.b64encode(data).decode()}  # fmt: skip
    return list(files.values())


def _notice(case_number: str, body: dict) -> dict | None:
    kind = NOTICE_OF.get(body.get("action"))
    if kind is None or (kind == Notice.Kind.COMPLETION and body.get("to") != "completed"):
        return None
    notice = (
        Notice.objects.filter(case__number=case_number, kind=kind)
        .select_related("case", "office")
        .order_by("-issued_at", "-id")
        .first()
    )
    if notice is None:
        return None
    pdf = notice_pdf_stored(notice)
    return {"kind": notice.kind, "issued_at": notice.issued_at.isoformat(), "data": notice.data,
            "pdf": base64.b64encode(pdf).decode()}  # fmt: skip


def envelope(message: Message) -> dict:
    """The message as it is signed and sent, with the files it carries read now."""
    agreement, body = message.agreement, dict(message.body)
    if message.kind == "case.forward":
        body["files"] = _files(message.case_number)
    elif message.kind == "case.supplement":
        body["files"] = _files(message.case_number, (body.get("data") or {}).get("materials") or [])
    elif message.kind == "case.event":
        notice = _notice(message.case_number, body)
        if notice:
            body["notice"] = notice
    return {
        "id": str(message.message_id), "agreement": agreement.code,
        "from": agreement.office.code if agreement.office_id else "",
        "to": agreement.partner.code, "kind": message.kind, "item": body.get("item", ""),
        "case": body.get("case") or message.case_number,
        "sent_at": timezone.now().isoformat(), "body": body,
    }  # fmt: skip


def message_send(message: Message) -> str:
    """One try at delivering `message`; returns its state afterwards."""
    agreement = message.agreement
    if not agreement.partner_url:
        return exchange.message_failed(message, "协议未登记对方平台地址", final=True)
    try:
        ours = signing.platform_public_key()
    except signing.SigningKeyError as e:  # it waits for the operator to set the key
        return exchange.message_failed(message, f"本平台没有签名密钥: {e}")
    if agreement.our_key and agreement.our_key != ours:
        # The partner would refuse every message (bad_signature): say why here instead.
        return exchange.message_failed(
            message, "本平台密钥已更换，对方仍持有旧公钥：请将新公钥交给对方，并用 connect-partner 更新协议后重试",
            final=True,
        )  # fmt: skip
    raw, signature = exchange.payload_sign(envelope(message))
    request = urllib.request.Request(
        agreement.partner_url.rstrip("/") + PATH, data=raw, method="POST",
        headers={"Content-Type": "application/json", exchange.SIGNATURE_HEADER: signature},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as e:
        reason = _reason(e)
        if 400 <= e.code < 500:  # refused: retrying the same bytes would be refused again
            return exchange.message_failed(
                message, f"对方拒收（HTTP {e.code}）: {reason}", final=True
            )
        return exchange.message_failed(message, f"对方平台出错（HTTP {e.code}）: {reason}")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
        why = getattr(e, "reason", e)
        return exchange.message_failed(message, f"对方平台无法连接: {why}")
    exchange.message_sent(message)
    return Message.State.DELIVERED


def _reason(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"{}")
        err = body.get("error") or {}
        return f"{err.get('code', '')} {err.get('message', '')}".strip() or error.reason
    except (ValueError, AttributeError, OSError):
        return str(error.reason)


def outbox_deliver(*, now: datetime | None = None, limit: int = 50) -> dict:
    """Try every waiting message whose time has come; returns counts by resulting state.
    Safe on several workers at once: a message sent twice is taken once by the partner."""
    counts = {"delivered": 0, "waiting": 0, "failed": 0}
    for message in exchange.messages_due(now=now, limit=limit):
        counts[message_send(message)] += 1
    return counts


# --- Receiving -------------------------------------------------------------------------------


REFUSAL_STATUS = {"bad_signature": 403, "unknown_agreement": 403}


def message_receive(raw: bytes, signature: str, *, ip: str | None = None) -> tuple[int, dict]:
    """Check and apply one message from a partner platform: (HTTP status, JSON answer).
    A refusal is recorded here with its reason and answered 4xx with the same reason, which
    the sender records on its side."""
    agreement = None
    try:
        incoming = exchange.message_check(raw, signature)
        agreement = incoming.agreement
        env = incoming.envelope
        try:
            uuid.UUID(env["id"])
        except ValueError:
            raise exchange.Refused("malformed", "报文编号应为 UUID") from None
        if exchange.received_before(env["id"]):
            return 200, {"id": env["id"], "status": "duplicate"}
        with transaction.atomic(), exchange.receiving():
            if not exchange.received_taken(incoming, ip=ip):
                return 200, {"id": env["id"], "status": "duplicate"}
            case = _apply(incoming)
        return 201, {"id": env["id"], "status": "taken", "case": case.number}
    except exchange.Refused as refusal:
        exchange.received_refused(raw, refusal, agreement=agreement, ip=ip)
        status = REFUSAL_STATUS.get(refusal.code, 422)
        return status, {"error": {"code": refusal.code, "message": refusal.reason}}
    except DomainError as e:  # the content is not what this platform can take
        refusal = exchange.Refused(e.code, str(e.message))
        exchange.received_refused(raw, refusal, agreement=agreement, ip=ip)
        return 422, {"error": {"code": e.code, "message": str(e.message)}}


def _files_in(body: dict) -> list[dict]:
    files = []
    for f in body.get("files") or []:
        if not isinstance(f, dict):
            raise exchange.Refused("malformed", "files 的每一项应为对象")
        try:
            data = base64.b64decode(f.get("data", ""), validate=True)
        except (ValueError, TypeError):
            raise exchange.Refused("malformed", "文件内容不是 base64") from None
        files.append({**f, "data": data})
    return files


def _apply(incoming) -> Case:
    agreement, env = incoming.agreement, incoming.envelope
    body = env["body"]
    if env["kind"] == "case.forward":
        return case_receive(agreement=agreement, origin=env["case"], body=body,
                            files=_files_in(body))  # fmt: skip
    if env["kind"] == "case.supplement":
        return case_partner_supplement(agreement=agreement, origin=env["case"], body=body,
                                       files=_files_in(body))  # fmt: skip
    notice = body.get("notice")
    if isinstance(notice, dict) and notice.get("pdf"):
        try:
            notice = {**notice, "pdf": base64.b64decode(notice["pdf"], validate=True)}
        except (ValueError, TypeError):
            raise exchange.Refused("malformed", "文书 PDF 不是 base64") from None
    return case_mirror(agreement=agreement, origin=env["case"], body=body,
                       notice=notice if isinstance(notice, dict) else None)  # fmt: skip


# --- What the supervisors' page and the case page show ----------------------------------------


def messages_of_case(case: Case) -> list[dict]:
    """A forwarded case's messages, both ways, oldest first (the case page's 跨区通办 panel)."""
    sent = Message.objects.filter(case_number=case.number).order_by("created_at", "id")
    got = Received.objects.filter(case_number__in=[case.number, case.partner_number or "-"])
    rows = [{"direction": "out", "id": str(m.message_id), "kind": m.kind, "state": m.state,
             "attempts": m.attempts, "at": m.created_at, "error": m.last_error} for m in sent]  # fmt: skip
    rows += [{"direction": "in", "id": r.message_id, "kind": r.kind, "state": r.outcome,
              "attempts": 1, "at": r.received_at, "error": r.reason} for r in got]  # fmt: skip
    return sorted(rows, key=lambda r: r["at"])

"""Signed messages between platforms, on one database: this platform plays 莘县 (371522) and a
key made here plays the partner 清丰县 (410922), signing what it "sends" (the two-process
journey is test_two_platforms.py)."""

import base64
import socket
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from conftest import _user, submit
from tongban.cases.attachments import attachment_add
from tongban.cases.models import Case, PartnerRole
from tongban.cases.partners import case_forward
from tongban.cases.services import case_act
from tongban.catalog.models import Agreement
from tongban.crossregion.services import envelope, message_receive, outbox_deliver
from tongban.exchange import services as exchange
from tongban.exchange.models import Message, Received
from tongban.lib import signing
from tongban.lib.files import pdf_page
from tongban.people.models import Role

PARTNER_KEY = signing.private_key_parse(signing.private_key_new())
NY_FORM = {"project_name": "莘县燕店农资门市"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def agreement(city):
    a = Agreement.objects.get(code="KQ-371522-410922")
    a.partner_key = signing.public_key_text(PARTNER_KEY)
    a.partner_url = f"http://127.0.0.1:{_closed_port()}"
    a.save()
    return a


def _message(kind="case.forward", *, item="NY001", case="410922-20260101-000001", body=None,
             agreement_code="KQ-371522-410922", sender="410922", key=PARTNER_KEY, **extra):  # fmt: skip
    env = {"id": str(uuid.uuid4()), "agreement": agreement_code, "from": sender, "to": "371522",
           "kind": kind, "item": item, "case": case, "sent_at": timezone.now().isoformat(),
           "body": body if body is not None else _forward_body(item, case), **extra}  # fmt: skip
    raw = exchange.payload_bytes(env)
    return raw, signing.sign(key, raw)


def _forward_body(item, case):
    return {"case": case, "item": item, "form": NY_FORM, "materials": ["M1", "M2", "M3", "M4", "M5"],
            "applicant": {"id_number": "410922197001010004", "name": "张清丰", "phone": "13900000001",
                          "insured_region": "410922"},
            "files": [{"material": "M1", "name": "申请表.pdf", "content_type": "application/pdf",
                       "data": base64.b64encode(pdf_page("form")).decode()}]}  # fmt: skip


# --- Signing ---------------------------------------------------------------------------------


def test_a_signature_verifies_only_for_the_same_bytes_and_key():
    key = signing.private_key_parse(signing.private_key_new())
    sig = signing.sign(key, b"message")
    public = signing.public_key_text(key)
    assert signing.verify(public, b"message", sig)
    assert not signing.verify(public, b"messagE", sig)
    assert not signing.verify(signing.public_key_text(PARTNER_KEY), b"message", sig)
    assert not signing.verify(public, b"message", "not base64!")
    assert not signing.verify("short", b"message", sig)


def test_a_key_that_is_not_32_bytes_is_refused_saying_so():
    with pytest.raises(signing.SigningKeyError, match="32 bytes, not 3"):
        signing.public_key_check(base64.b64encode(b"abc").decode())


# --- Receiving: checks, refusals recorded, each id once -----------------------------------------


def test_a_forwarded_case_enters_the_intake_with_its_file(agreement):
    raw, sig = _message()
    status, answer = message_receive(raw, sig)
    assert (status, answer.get("status")) == (201, "taken"), answer
    case = Case.objects.get(number=answer["case"])
    assert (case.partner_role, case.partner_number, case.in_intake) == (
        PartnerRole.DECIDING, "410922-20260101-000001", True)  # fmt: skip
    assert case.attachments.get().file.read()[:5] == b"%PDF-"
    assert Received.objects.get().outcome == Received.Outcome.TAKEN


def test_a_repeated_message_is_taken_once(agreement):
    raw, sig = _message()
    assert message_receive(raw, sig)[0] == 201
    assert message_receive(raw, sig) == (200, {"id": _id(raw), "status": "duplicate"})
    assert Case.objects.filter(partner_number="410922-20260101-000001").count() == 1


def _id(raw):
    import json

    return json.loads(raw)["id"]


@pytest.mark.parametrize("change, code, status", [
    ({"key": signing.private_key_parse(signing.private_key_new())}, "bad_signature", 403),
    ({"agreement_code": "KQ-371522-999999"}, "unknown_agreement", 403),
    ({"sender": "410923"}, "unknown_agreement", 403),
    ({"item": "YB01003"}, "item_not_in_agreement", 422),
])  # fmt: skip
def test_it_refuses_with_a_reason_and_records_it(agreement, change, code, status):
    raw, sig = _message(**change)
    got, answer = message_receive(raw, sig)
    assert (got, answer["error"]["code"]) == (status, code)
    refused = Received.objects.get()
    assert (refused.outcome, refused.reason_code) == (Received.Outcome.REFUSED, code)
    assert refused.reason == answer["error"]["message"]
    assert not Case.objects.filter(partner_role=PartnerRole.DECIDING).exists()


def test_a_forged_copy_of_a_taken_message_is_refused_not_taken_as_a_repeat(agreement):
    raw, sig = _message()
    message_receive(raw, sig)
    forged = raw.replace("张清丰".encode(), "李伪造".encode())
    assert message_receive(forged, sig)[1]["error"]["code"] == "bad_signature"


def test_an_expired_agreement_refuses(agreement):
    agreement.valid_to = timezone.localdate() - timedelta(days=1)
    agreement.save()
    raw, sig = _message()
    status, answer = message_receive(raw, sig)
    assert (status, answer["error"]["code"]) == (422, "agreement_not_in_force")
    assert str(agreement.valid_to) in answer["error"]["message"]


def test_content_this_platform_cannot_take_is_refused_with_the_domain_reason(agreement):
    body = _forward_body("NY001", "410922-20260101-000009")
    body["materials"] = ["M9"]
    raw, sig = _message(body=body)
    status, answer = message_receive(raw, sig)
    assert status == 422 and answer["error"]["code"] == "unknown_material"
    assert not Received.objects.filter(outcome=Received.Outcome.TAKEN).exists()


# --- Sending: the outbox --------------------------------------------------------------------


@pytest.fixture
def forwarded(agreement, alice):
    case = submit(alice, "NY001", channel="window", materials=["M1", "M2", "M3", "M4", "M5"],
                  form=NY_FORM, applicant={"id_number": "371522198001010005", "name": "王莘县",
                                           "phone": "13800000002", "insured_region": "371522"})  # fmt: skip
    attachment_add(case=case, material="M1", user=alice,
                   file=SimpleUploadedFile("申请表.pdf", pdf_page("form"), "application/pdf"))  # fmt: skip
    return case_forward(number=case.number, agreement=agreement.code, actor=alice)


def test_forwarding_writes_the_message_with_the_change(forwarded, agreement):
    message = Message.objects.get(case_number=forwarded.number)
    assert (message.kind, message.state, message.agreement_id) == (
        "case.forward",
        "waiting",
        agreement.pk,
    )
    env = envelope(message)
    assert env["from"] == "371522" and env["to"] == "410922" and env["item"] == "NY001"
    assert [f["material"] for f in env["body"]["files"]] == ["M1"]
    forwarded.refresh_from_db()
    assert forwarded.partner_role == PartnerRole.COLLECTING and forwarded.prereview_due is None


def test_a_forwarded_case_is_not_accepted_here(forwarded, alice):
    from tongban.lib.errors import Conflict

    with pytest.raises(Conflict):
        case_act(number=forwarded.number, action="accept", actor=alice)


def test_a_forward_that_rolls_back_leaves_no_message(agreement, alice):
    case = submit(alice, "NY001", channel="window", materials=["M1", "M2", "M3", "M4", "M5"], form=NY_FORM,
                  applicant={"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
                             "insured_region": "371522"})  # fmt: skip
    with pytest.raises(RuntimeError), transaction.atomic():
        case_forward(number=case.number, agreement=agreement, actor=alice)
        raise RuntimeError("the request fails after the forward")
    assert not Message.objects.exists()


def test_only_an_agreement_of_the_office_covering_the_item_forwards(agreement, alice):
    from tongban.lib.errors import InvalidInput

    case = submit(alice, "NY006", channel="window", materials=["M1", "M2", "M3", "M4"], form=NY_FORM,
                  applicant={"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
                             "insured_region": "371522"})  # fmt: skip
    with pytest.raises(InvalidInput) as e:
        case_forward(number=case.number, agreement=agreement.code, actor=alice)
    assert e.value.field == "agreement"


def test_a_partner_that_is_down_gets_the_message_again_later(forwarded):
    now = timezone.now()
    assert outbox_deliver(now=now) == {"delivered": 0, "waiting": 1, "failed": 0}
    message = Message.objects.get()
    assert message.attempts == 1 and "无法连接" in message.last_error
    assert message.next_attempt_at == pytest.approx(
        now + timedelta(seconds=30), abs=timedelta(seconds=5)
    )
    assert outbox_deliver(now=now) == {"delivered": 0, "waiting": 0, "failed": 0}  # not yet due
    exchange.message_retry(message_id=message.message_id)
    assert outbox_deliver() == {"delivered": 0, "waiting": 1, "failed": 0}


def test_the_wait_doubles_up_to_an_hour_and_gives_up_at_last():
    waits = [exchange.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_every_try_spent_marks_it_failed(forwarded):
    message = Message.objects.get()
    message.attempts = exchange.MAX_ATTEMPTS - 1
    assert exchange.message_failed(message, "down") == Message.State.FAILED


# --- The deciding side reports each step; a normal case writes nothing -----------------------


def test_each_step_of_a_received_case_goes_back_and_others_write_nothing(agreement, alice, rita):
    raw, sig = _message()
    number = message_receive(raw, sig)[1]["case"]
    case_act(number=number, action="accept", actor=alice)
    message = Message.objects.get(case_number=number)
    assert message.kind == "case.event"
    assert (message.body["action"], message.body["to"], message.body["case"]) == (
        "accept", "accepted", "410922-20260101-000001")  # fmt: skip
    env = envelope(message)
    assert env["body"]["notice"]["kind"] == "acceptance"
    assert base64.b64decode(env["body"]["notice"]["pdf"])[:5] == b"%PDF-"
    plain = submit(alice, "NY001", channel="window", materials=["M1", "M2", "M3", "M4", "M5"], form=NY_FORM,
                   applicant={"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
                              "insured_region": "371522"})  # fmt: skip
    case_act(number=plain.number, action="accept", actor=alice)
    assert not Message.objects.filter(case_number=plain.number).exists()


def test_a_step_reported_by_the_partner_shows_on_the_collecting_case(forwarded, agreement):
    body = {"case": forwarded.number, "partner_case": "410922-20260101-000007", "item": "NY001",
            "action": "request_supplement", "from": "submitted", "to": "awaiting_supplement",
            "result": "", "step": 0, "reason": "平面图不清晰", "at": timezone.now().isoformat(),
            "office": "清丰县农业农村局", "actor": "张审查", "missing_materials": ["M4"], "data": {}}  # fmt: skip
    raw, sig = _message("case.event", case=forwarded.number, body=body)
    assert message_receive(raw, sig)[0] == 201
    forwarded.refresh_from_db()
    assert (forwarded.status, forwarded.missing_materials, forwarded.partner_number) == (
        "awaiting_supplement", ["M4"], "410922-20260101-000007")  # fmt: skip
    event = forwarded.events.order_by("-id").first()
    assert event.data["partner_office"] == "清丰县农业农村局" and event.reason == "平面图不清晰"


def test_forward_needs_a_clerk_of_the_case_s_office(agreement, alice, city):
    from tongban.lib.errors import Forbidden, NotFound

    case = submit(alice, "NY001", channel="window", materials=["M1", "M2", "M3", "M4", "M5"], form=NY_FORM,
                  applicant={"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
                             "insured_region": "371522"})  # fmt: skip
    reviewer = _user("rev", Role.REVIEWER, "371522")
    with pytest.raises((Forbidden, NotFound)):
        case_forward(number=case.number, agreement=agreement.code, actor=reviewer)
    case.refresh_from_db()
    assert case.partner_role == ""


def test_a_message_is_not_sent_under_a_key_the_partner_does_not_hold(forwarded, agreement):
    agreement.our_key = signing.public_key_text(PARTNER_KEY)  # not ours
    agreement.save()
    assert outbox_deliver() == {"delivered": 0, "waiting": 0, "failed": 1}
    assert "connect-partner" in Message.objects.get().last_error


def test_an_action_on_a_case_not_forwarded_costs_no_query_for_it(agreement, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = submit(alice, "NY001", channel="window", materials=["M1", "M2", "M3", "M4", "M5"], form=NY_FORM,
                   applicant={"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
                              "insured_region": "371522"})  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        case_act(number=plain.number, action="accept", actor=alice)
    touched = [
        q["sql"] for q in queries if "exchange_" in q["sql"] or "catalog_agreement" in q["sql"]
    ]
    assert touched == []

"""跨区通办 at the desk: the window forwards with its scans, the case page shows the partner, the
supervisors' page shows the messages waiting or failed and sends one again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import submit
from tongban.cases.models import PartnerRole
from tongban.catalog.models import Agreement
from tongban.crossregion.services import outbox_deliver
from tongban.exchange.models import Message
from tongban.lib import signing
from tongban.lib.files import pdf_page

NY = {"materials": ["M1", "M2", "M3", "M4", "M5"], "form": {"project_name": "燕店农资"},
      "applicant": {"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
                    "insured_region": "371522"}}  # fmt: skip


@pytest.fixture
def connected(city):
    a = Agreement.objects.get(code="KQ-371522-410922")
    a.partner_key = signing.public_key_text(signing.private_key_parse(signing.private_key_new()))
    a.partner_url = "http://127.0.0.1:9"  # discard: nothing answers
    a.save()
    return a


def test_the_window_forwards_with_its_scans(client, alice, connected):
    case = submit(alice, "NY001", channel="window", **NY)
    client.force_login(alice)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert f"/desk/cases/{case.number}/forward/" in page
    form = client.get(f"/desk/cases/{case.number}/forward/").content.decode()
    assert "清丰县" in form and "KQ-371522-410922" in form
    response = client.post(f"/desk/cases/{case.number}/forward/", {
        "agreement": connected.code, "checked": "on",
        "file_M1": SimpleUploadedFile("申请表.pdf", pdf_page("form"), "application/pdf")})  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.partner_role == PartnerRole.COLLECTING
    assert case.attachments.get().material == "M1"
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "收件地" in page and "case.forward" in page


def test_a_file_of_a_type_not_allowed_forwards_nothing(client, alice, connected):
    case = submit(alice, "NY001", channel="window", **NY)
    client.force_login(alice)
    response = client.post(f"/desk/cases/{case.number}/forward/", {
        "agreement": connected.code, "checked": "on",
        "file_M1": SimpleUploadedFile("a.exe", b"MZ\x90\x00binary", "application/octet-stream")})  # fmt: skip
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.partner_role == "" and not case.attachments.exists()
    assert not Message.objects.exists()


def test_the_supervisor_sees_the_waiting_message_and_retries_it(
    client, alice, olga, rita, connected
):
    case = submit(alice, "NY001", channel="window", **NY)
    client.force_login(alice)
    client.post(
        f"/desk/cases/{case.number}/forward/", {"agreement": connected.code, "checked": "on"}
    )
    outbox_deliver()
    client.force_login(olga)
    page = client.get("/desk/supervision/partner-messages/?state=waiting").content.decode()
    assert case.number in page and "无法连接" in page
    message = Message.objects.get()
    response = client.post(
        "/desk/supervision/partner-messages/", {"message": str(message.message_id)}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("waiting", 0)
    client.force_login(rita)  # a reviewer: not a supervisor's page
    assert client.get("/desk/supervision/partner-messages/").status_code == 403


def test_the_case_answer_names_the_partner_and_counts_the_messages(client, alice, connected):
    from rest_framework.test import APIClient

    case = submit(alice, "NY001", channel="window", **NY)
    plain = submit(alice, "NY001", channel="window", **NY)
    client.force_login(alice)
    client.post(
        f"/desk/cases/{case.number}/forward/", {"agreement": connected.code, "checked": "on"}
    )
    api = APIClient()
    api.force_authenticate(alice)
    body = api.get(f"/api/v1/cases/{case.number}").json()
    assert body["partner"] == {
        "role": "collecting", "agreement": "KQ-371522-410922", "partner": "410922",
        "partner_name": "清丰县医疗保障局", "partner_number": "",
        "messages": {"waiting": 1, "delivered": 0, "failed": 0},
    }  # fmt: skip
    assert api.get(f"/api/v1/cases/{plain.number}").json()["partner"] is None

"""The portal's 委托代办: an applicant authorises an agent with the signed letter, follows a
case the agent made for them, and revokes; the agent sees what they hold."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PROMISED_FORM, PROMISED_ITEM, submit
from tongban.cases.models import Authorisation
from tongban.portal.tests.samples import pdf_bytes

URL = "/authorisations/"


def _data(**changes):
    return {"agent": "dave", "items": [PROMISED_ITEM], "valid_from": timezone.localdate().isoformat(),
            "valid_to": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "letter": SimpleUploadedFile("letter.pdf", pdf_bytes("letter"), "application/pdf"),
            **changes}  # fmt: skip


def test_an_applicant_authorises_sees_the_agents_case_and_revokes(client, carol, dave):
    client.force_login(carol)
    assert client.post(URL, _data()).status_code == 302
    made = Authorisation.objects.get()
    assert (made.applicant, made.agent, made.channel) == (carol.applicant, dave, "web")
    case = submit(dave, applicant=carol.applicant, form=PROMISED_FORM)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "代办人" in page and "dave" in page  # both the applicant and the agent
    client.force_login(dave)
    assert "Carol 王" in client.get(URL).content.decode()
    assert client.get(f"/cases/{case.number}/").status_code == 200
    client.force_login(carol)
    assert client.post(f"{URL}{made.pk}/revoke/").status_code == 302
    client.force_login(dave)
    assert client.get(f"/cases/{case.number}/").status_code == 403  # authorisation_revoked
    assert client.post(f"{URL}{made.pk}/revoke/").status_code == 404  # an agent revokes nothing


def test_a_bad_letter_is_refused_at_its_field_and_nothing_is_stored(client, carol, dave):
    client.force_login(carol)
    bad = SimpleUploadedFile("letter.pdf", b"GIF89a not a letter", "application/pdf")
    response = client.post(URL, _data(letter=bad))
    assert response.status_code == 400
    assert "只接受 PDF、JPG 或 PNG" in response.content.decode()
    assert not Authorisation.objects.exists()
    response = client.post(URL, _data(agent="nobody"))
    assert response.status_code == 400 and "代办人应为在用的帮办代办员账号" in response.content.decode()

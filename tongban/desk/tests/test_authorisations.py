"""The desk's 委托书 page: a clerk records one at the window with the signed letter, the agent
sees it, a clerk revokes it; a form with a mistake keeps what was typed and stores nothing."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import authorise
from tongban.audit.models import AuditEntry
from tongban.cases.models import Authorisation
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Applicant
from tongban.portal.tests.samples import pdf_bytes

URL = "/desk/authorisations/"
NUMBER = synthetic_resident_id(region="371522", birth=date(1941, 7, 9), seq=2)


def _data(**changes):
    return {"id_number": NUMBER, "name": "李爷爷", "phone": "13700000077", "insured_region": "371522",
            "agent": "dave", "items": ["YB01003"], "valid_from": timezone.localdate().isoformat(),
            "valid_to": (timezone.localdate() + timedelta(days=180)).isoformat(),
            "letter": SimpleUploadedFile("委托书.pdf", pdf_bytes("letter"), "application/pdf"),
            "identities_checked": "on", **changes}  # fmt: skip


def test_a_clerk_records_an_authorisation_and_the_agent_sees_it(client, alice, dave):
    client.force_login(alice)
    response = client.post(URL, _data())
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Authorisation.objects.get()
    assert (made.agent, made.made_by, made.channel) == (dave, alice, "window")
    assert [i.code for i in made.items.all()] == ["YB01003"]
    assert made.letter.read().startswith(b"%PDF-") and "委托书" not in made.letter.name
    page = client.get(URL).content.decode()
    assert "李爷爷" in page and "YB01003" in page and NUMBER not in page  # the ID masked
    client.force_login(dave)
    assert "李爷爷" in client.get(URL).content.decode()
    assert "登记委托书" not in client.get(URL).content.decode()  # an agent records none


def test_a_mistake_is_shown_at_its_field_and_nothing_is_stored(client, alice, dave):
    client.force_login(alice)
    response = client.post(URL, _data(identities_checked=""))
    assert response.status_code == 400
    assert "请核验委托人和代办人的身份证件" in response.content.decode()
    assert 'value="李爷爷"' in response.content.decode()  # what was typed stays
    assert not Authorisation.objects.exists() and not Applicant.objects.filter(name_index__isnull=False).exists()
    response = client.post(URL, _data(agent="alice"))
    assert response.status_code == 400 and "代办人应为在用的帮办代办员账号" in response.content.decode()


def test_a_clerk_revokes_one_for_the_person(client, alice, dave, carol_applicant):
    made = authorise(carol_applicant, dave, by=alice)
    client.force_login(alice)
    assert client.get(f"{URL}{made.pk}/revoke/").status_code == 405
    assert client.post(f"{URL}{made.pk}/revoke/").status_code == 302
    made.refresh_from_db()
    assert made.revoked_by == alice
    assert AuditEntry.objects.filter(event="authorisation.revoked", user=alice).exists()


def test_only_clerks_and_agents_have_the_page(client, rita, city):
    client.force_login(rita)
    assert client.get(URL).status_code == 404

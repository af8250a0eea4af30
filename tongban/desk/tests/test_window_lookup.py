"""The window: a known ID number fills in the name and insured region (audited); the queue
shows the review step a case waits at."""

from datetime import date

import pytest

from conftest import act
from tongban.api.tests.conftest import PASSWORD
from tongban.audit.models import AuditEntry
from tongban.lib.identifiers import synthetic_resident_id

pytestmark = pytest.mark.django_db
URL = "/desk/applicants/lookup/"


def test_a_known_number_gives_the_name_and_region_and_is_audited(client, alice, carol_applicant):
    client.login(username="alice", password=PASSWORD)
    answer = client.get(URL, {"id_number": carol_applicant.id_number.lower()}).json()
    assert answer["found"] and answer["name"] == "Carol 王"
    assert answer["insured_region"] == "371581" and answer["phone"] == "135****0001"
    (entry,) = AuditEntry.objects.filter(event="personal_data.viewed")
    assert entry.username == "alice" and carol_applicant.id_number not in entry.target


def test_an_unknown_number_reveals_nothing_and_leaves_no_entry(client, alice):
    client.login(username="alice", password=PASSWORD)
    unknown = synthetic_resident_id(region="371522", birth=date(1990, 1, 2), seq=7)
    assert client.get(URL, {"id_number": unknown}).json() == {"found": False}
    assert not AuditEntry.objects.filter(event="personal_data.viewed").exists()


def test_a_wrong_number_is_one_clear_error(client, alice):
    client.login(username="alice", password=PASSWORD)
    response = client.get(URL, {"id_number": "37152219900102000X"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "id_number_checksum"


def test_only_clerks_look_up(client, rita, carol_applicant):
    client.login(username="rita", password=PASSWORD)
    response = client.get(URL, {"id_number": carol_applicant.id_number})
    assert response.status_code == 403 and "name" not in response.json()


def test_the_queue_shows_the_step_a_case_waits_at(client, accepted_case, rita, sam):
    client.login(username="rita", password=PASSWORD)
    page = client.get("/desk/").content.decode()
    assert accepted_case.number in page and '已受理 · <span class="step">审核</span>' in page
    act(rita, accepted_case, "approve")
    client.login(username="sam", password=PASSWORD)
    page = client.get("/desk/").content.decode()
    assert accepted_case.number in page and '已受理 · <span class="step">复审</span>' in page

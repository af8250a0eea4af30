"""Personal data on the case page: masked until a member of staff asks for the full values,
and every full view is an audit entry naming the case and who looked."""

import pytest

from conftest import PROMISED_FORM, act, submit
from tongban.audit.models import AuditEntry


@pytest.fixture
def online(carol):
    return submit(carol)


def _views():
    return list(
        AuditEntry.objects.filter(event="personal_data.viewed").values_list("username", "target")
    )


def test_the_case_page_shows_the_id_number_phone_and_account_masked(client, alice, online):
    client.force_login(alice)
    page = client.get(f"/desk/cases/{online.number}/").content.decode()
    applicant = online.applicant
    assert applicant.masked_id in page and applicant.id_number not in page
    assert "135****0001" in page and applicant.phone not in page
    assert "6222 **** 3445" in page and PROMISED_FORM["bank_account"] not in page
    assert PROMISED_FORM["amount"] in page  # what is not personal stays as it is
    assert _views() == []  # a masked page is no full view


def test_the_full_values_are_shown_on_request_and_each_view_is_audited(client, alice, online):
    client.force_login(alice)
    url = f"/desk/cases/{online.number}/personal/"
    assert client.get(url).status_code == 405  # a full view is asked for, never prefetched
    for _ in range(2):
        page = client.post(url).content.decode()
        assert online.applicant.id_number in page and online.applicant.phone in page
        assert PROMISED_FORM["bank_account"] in page
    assert _views() == [("alice", online.number)] * 2


def test_who_may_not_see_the_case_gets_404_and_no_view_is_recorded(client, alice, rita, online):
    client.force_login(rita)  # a reviewer: not before the case is accepted at her office
    response = client.post(f"/desk/cases/{online.number}/personal/")
    assert response.status_code == 404 and _views() == []
    act(alice, online, "accept")
    assert client.post(f"/desk/cases/{online.number}/personal/").status_code == 200
    assert _views() == [("rita", online.number)]

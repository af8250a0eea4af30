"""The case page shows everything about the case and only the actions the user may take."""

import re

import pytest

from conftest import act, submit
from tongban.cases.models import Case


def shown_actions(response) -> set[str]:
    found = set(re.findall(r'/desk/cases/[^/"]+/(\w+)/"', response.content.decode()))
    # the full view of personal data, open to whoever sees the page; a clerk's special groups
    return found - {"personal", "groups"}


@pytest.fixture
def online(carol):
    return submit(carol)


@pytest.fixture
def accepted(online, alice):
    return act(alice, online, "accept")


def test_a_clerk_sees_the_intake_actions(client, alice, online):
    client.force_login(alice)
    response = client.get(f"/desk/cases/{online.number}/")
    assert shown_actions(response) == {"claim", "accept", "reject", "request_supplement"}


def test_after_acceptance_the_clerk_may_transfer_and_the_reviewer_approve(
    client, alice, rita, sam, accepted
):
    client.force_login(alice)
    assert shown_actions(client.get(f"/desk/cases/{accepted.number}/")) == {"transfer", "withdraw"}
    client.force_login(rita)
    assert shown_actions(client.get(f"/desk/cases/{accepted.number}/")) == {
        "approve", "deny", "request_supplement", "request_extension", "start_procedure",
    }  # fmt: skip
    client.force_login(sam)  # not yet at 复审
    assert shown_actions(client.get(f"/desk/cases/{accepted.number}/")) == set()


def test_a_supervisor_may_only_transfer(client, olga, vera, accepted):
    for user in (olga, vera):
        client.force_login(user)
        assert shown_actions(client.get(f"/desk/cases/{accepted.number}/")) == {"transfer"}


def test_a_finished_case_offers_nothing(client, alice, rita, sam, accepted):
    act(sam, act(rita, accepted, "approve"), "approve")
    client.force_login(alice)
    response = client.get(f"/desk/cases/{accepted.number}/")
    assert shown_actions(response) == set()
    assert "可办理" not in response.content.decode()


def test_the_page_shows_facts_timeline_materials_and_notices(client, alice, rita, accepted):
    act(rita, accepted, "request_supplement", missing_materials=["M3"], reason="清单字迹不清")
    client.force_login(alice)
    body = client.get(f"/desk/cases/{accepted.number}/").content.decode()
    for text in ("门诊费用报销", "Carol 王", "临清", "申请", "受理", "一次性告知补正", "清单字迹不清",
                 "rita", "莘县", "计时暂停", "门急诊费用清单", "待补正", "受理通知书", "补正材料通知书",
                 f"/api/v1/cases/{accepted.number}/notices/"):  # fmt: skip
        assert text in body, text
    assert accepted.applicant.id_number not in body


def test_claiming_from_the_intake_makes_me_the_owner(client, alice, online):
    client.force_login(alice)
    response = client.post(
        f"/desk/cases/{online.number}/claim/", {"expected_version": online.version}
    )
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.owner == alice


def test_accepting_an_online_application(client, alice, online):
    client.force_login(alice)
    response = client.post(f"/desk/cases/{online.number}/accept/",
                           {"materials": ["M1", "M2", "M3", "M4"], "expected_version": online.version})  # fmt: skip
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.status == "accepted" and online.handling_office == alice.office


def test_a_refusal_without_reason_rerenders_with_the_error(client, alice, online):
    client.force_login(alice)
    response = client.post(f"/desk/cases/{online.number}/reject/", {"reason": "  "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "必须写明理由" in body
    assert 'id="act-reject" open' in body
    online.refresh_from_db()
    assert online.status == "submitted"


def test_an_incomplete_supplement_list_is_refused(client, alice, carol):
    case = submit(carol, materials=["M1"])
    client.force_login(alice)
    response = client.post(
        f"/desk/cases/{case.number}/request_supplement/", {"missing_materials": ["M2"]}
    )
    assert response.status_code == 400
    assert "漏列" in response.content.decode()


def test_transfer_to_another_office_with_a_reason(client, alice, bob, accepted):
    client.force_login(alice)
    response = client.post(
        f"/desk/cases/{accepted.number}/transfer/",
        {"office": "371581", "reason": "申请人在临清就医"},
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.handling_office.code == "371581"
    assert client.get(f"/desk/cases/{accepted.number}/").status_code == 404  # no longer alice's
    client.force_login(bob)
    body = client.get(f"/desk/cases/{accepted.number}/").content.decode()
    assert "申请人在临清就医" in body and "临清" in body


def test_transfer_without_reason_or_office_is_refused(client, alice, accepted):
    client.force_login(alice)
    assert (
        client.post(f"/desk/cases/{accepted.number}/transfer/", {"office": "371581"}).status_code
        == 400
    )
    assert (
        client.post(f"/desk/cases/{accepted.number}/transfer/", {"reason": "x"}).status_code == 400
    )
    accepted.refresh_from_db()
    assert accepted.handling_office == alice.office


def test_a_stale_page_gets_a_clear_conflict(client, alice, rita, accepted):
    stale = accepted.version
    act(rita, accepted, "approve")
    client.force_login(rita)
    response = client.post(
        f"/desk/cases/{accepted.number}/approve/", {"expected_version": stale}, follow=True
    )
    assert "已被他人更新" in response.content.decode()
    assert Case.objects.get(pk=accepted.pk).step == 1


def test_an_action_not_offered_is_refused(client, alice, accepted):
    client.force_login(alice)
    response = client.post(f"/desk/cases/{accepted.number}/approve/", {}, follow=True)
    assert response.status_code == 400 or "不能" in response.content.decode()
    assert Case.objects.get(pk=accepted.pk).step == 0


def test_an_unknown_action_is_404(client, alice, accepted):
    client.force_login(alice)
    assert client.post(f"/desk/cases/{accepted.number}/explode/").status_code == 404


def test_the_case_page_costs_a_constant_number_of_queries(
    client, alice, rita, accepted, django_assert_max_num_queries
):
    act(rita, accepted, "approve")
    client.force_login(alice)
    # session, user, case, offices, people, version, events, stops, notices, files, cards, rating, …
    with django_assert_max_num_queries(18):
        client.get(f"/desk/cases/{accepted.number}/")


def test_the_case_page_links_the_uploaded_files(client, alice, carol):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases.attachments import attachment_add

    case = submit(carol)
    attachment_add(case=case, material="M1", user=carol,
                   file=SimpleUploadedFile("id.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"))  # fmt: skip
    client.force_login(alice)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "id.pdf" in page and f"/cases/{case.number}/files/" in page


def test_a_finished_window_case_offers_the_rating_tablet(client, alice, carol_applicant):
    case = submit(alice, "YB01003", channel="window", applicant=carol_applicant, materials=["M1"])
    act(alice, case, "accept")  # an instant item: finished at once
    client.force_login(alice)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert f"/desk/supervision/rate/{case.number}/" in page


def test_the_case_page_shows_its_cards(client, alice, accepted):
    from tongban.supervision.models import Warning

    Warning.objects.create(case=accepted, level="yellow", deadline=accepted.deadline)
    client.force_login(alice)
    assert "badge yellow" in client.get(f"/desk/cases/{accepted.number}/").content.decode()

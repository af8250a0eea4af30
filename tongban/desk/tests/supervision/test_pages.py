"""The supervision pages: who gets them, and a bad rating followed through its rectification,
call-back, closing and appeal by posting the forms."""

import pytest
from django.urls import reverse

from conftest import act, submit
from tongban.evaluations.models import Appeal, Evaluation
from tongban.evaluations.services import evaluation_submit
from tongban.supervision.services import deadlines_scan
from tongban.supervision.tests.conftest import accepted_on, at

pytestmark = pytest.mark.django_db

BOARD = "/desk/supervision/"


@pytest.fixture
def rated(alice, rita, sam, carol):
    case = act(alice, submit(carol), "accept")
    act(rita, case, "approve")
    act(sam, case, "approve")
    return evaluation_submit(case=case, score=1, comment="态度差", channel="portal", by=carol)


@pytest.mark.parametrize(
    ("who", "code"), [("olga", 200), ("vera", 200), ("alice", 403), ("rita", 403), ("carol", 403)]
)
@pytest.mark.parametrize(
    "url", [BOARD, f"{BOARD}rectifications/", f"{BOARD}appeals/", f"{BOARD}notifications/"]
)
def test_the_pages_are_for_supervisors(client, request, who, code, url):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == code


def test_signed_out_visitors_are_sent_to_sign_in(client, city):
    r = client.get(BOARD)
    assert r.status_code == 302 and r["Location"].startswith(reverse("desk:login"))


def test_an_office_supervisor_sees_the_office_cards_the_city_sees_all(client, alice, bob, carol,
                                                                       olga, vera):  # fmt: skip
    ours = accepted_on("2025-03-03", alice, carol)
    theirs = accepted_on("2025-03-03", bob, carol)
    deadlines_scan(now=at("2025-03-18 09:00"))
    client.force_login(olga)
    page = client.get(BOARD).content.decode()
    assert ours.number in page and theirs.number not in page
    client.force_login(vera)
    page = client.get(BOARD).content.decode()
    assert ours.number in page and theirs.number in page
    page = client.get(BOARD, {"office": "371581"}).content.decode()
    assert ours.number not in page and theirs.number in page
    assert "演示时钟" not in page  # not the demo


def test_a_bad_rating_is_followed_to_its_close_through_the_forms(client, rated, olga, vera):
    url = f"{BOARD}rectifications/{rated.rectification.pk}/"
    client.force_login(olga)
    r = client.post(url, {"action": "close", "text": ""}, follow=True)
    assert "办结前须回访申请人" in r.content.decode()
    client.post(url, {"action": "verify", "text": "已约谈窗口人员"})
    client.post(url, {"action": "callback", "text": "电话回访，满意", "satisfied": "1"})
    client.force_login(vera)
    r = client.post(url, {"action": "close", "text": "整改到位"}, follow=True)
    assert "整改已办结" in r.content.decode()
    rated.rectification.refresh_from_db()
    assert rated.rectification.stage == "closed" and rated.rectification.callback_satisfied


def test_an_appeal_is_filed_and_decided_on_the_rectification_page(client, rated, olga, vera):
    url = f"{BOARD}rectifications/{rated.rectification.pk}/"
    client.force_login(olga)
    client.post(url, {"action": "appeal", "text": "申请人误操作"})
    assert Appeal.objects.get().status == "pending"
    assert "申诉待审" in client.get(f"{BOARD}rectifications/").content.decode()
    client.force_login(vera)
    assert rated.case.number in client.get(f"{BOARD}appeals/").content.decode()
    client.post(url, {"action": "decide", "upheld": "1", "text": "属实"})
    rated.refresh_from_db()
    assert rated.excluded and rated.rectification.void


def test_another_office_cannot_open_the_rectification(client, rated, city):
    from conftest import _user
    from tongban.people.models import Role

    client.force_login(_user("oscar", Role.SUPERVISOR, "371581"))
    assert client.get(f"{BOARD}rectifications/{rated.rectification.pk}/").status_code == 404


def test_the_window_tablet_records_a_window_rating(client, alice, bob, carol_applicant):
    from conftest import INSTANT_ITEM

    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol_applicant, materials=["M1"]
    )
    act(alice, case, "accept")  # finished on the spot
    url = f"{BOARD}rate/{case.number}/"
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert "非常满意" in page and "非常不满意" in page
    r = client.post(url, {"score": "5", "comment": "很快"}, follow=True)
    assert "感谢您的评价" in r.content.decode()
    e = Evaluation.objects.get()
    assert (e.channel, e.score, e.rated_by) == ("window", 5, alice)


def test_the_demo_clock_is_only_on_the_demo(client, olga):
    client.force_login(olga)
    assert client.post(f"{BOARD}demo-clock/", {"days": 1}).status_code == 404


def test_the_notification_record_masks_phone_numbers(client, alice, carol, vera):
    from tongban.supervision.notifications import notifications_dispatch

    act(alice, submit(carol), "accept")
    notifications_dispatch()
    client.force_login(vera)
    page = client.get(f"{BOARD}notifications/").content.decode()
    assert "135****0001" in page and "13500000001" not in page

import pytest
from django.urls import reverse

from conftest import act

pytestmark = pytest.mark.django_db
pytest.importorskip("tongban.evaluations.services")


@pytest.fixture
def finished_case(accepted_case, rita, sam):
    act(rita, accepted_case, "approve")
    return act(sam, accepted_case, "approve")


def test_an_open_case_offers_no_rating(carol_client, accepted_case):
    assert (
        "评价本次服务"
        not in carol_client.get(
            reverse("portal:case", args=[accepted_case.number])
        ).content.decode()
    )


def test_the_applicant_rates_a_finished_case_once(carol_client, carol, finished_case):
    page = reverse("portal:case", args=[finished_case.number])
    assert "评价本次服务" in carol_client.get(page).content.decode()
    url = reverse("portal:rate", args=[finished_case.number])
    assert carol_client.post(url, {"score": "9"}).status_code == 400
    response = carol_client.post(url, {"score": "4", "comment": "窗口很耐心"})
    assert response.status_code == 302
    evaluation = finished_case.evaluations.get()
    assert (evaluation.score, evaluation.channel, evaluation.rated_by) == (4, "portal", carol)
    html = carol_client.get(page).content.decode()
    assert "你的评价" in html and "满意" in html and "提交评价" not in html
    carol_client.post(url, {"score": "1"})
    assert finished_case.evaluations.get().score == 4


def test_a_bad_rating_opens_a_rectification(carol_client, finished_case):
    carol_client.post(
        reverse("portal:rate", args=[finished_case.number]), {"score": "1", "comment": "等太久"}
    )
    evaluation = finished_case.evaluations.get()
    assert evaluation.rectification.office.code == "371522"  # the office that handled it

import pytest

from conftest import act

pytestmark = pytest.mark.django_db


def test_no_notice_before_acceptance(api, online_case, carol):
    body = api(carol).get(f"/api/v1/cases/{online_case.number}/notices").json()
    assert body == {"count": 0, "next": None, "results": []}


def test_acceptance_and_completion_issue_notices_with_stable_pdf_urls(
    api, accepted_case, carol, rita, sam
):
    act(rita, accepted_case, "approve")
    act(sam, accepted_case, "approve")
    body = api(carol).get(f"/api/v1/cases/{accepted_case.number}/notices").json()
    assert body["count"] == 2
    notices = accepted_case.notices.order_by("issued_at", "pk")
    assert [n["kind"] for n in body["results"]] == ["acceptance", "completion"]
    for given, notice in zip(body["results"], notices, strict=True):
        assert given["url"] == f"/api/v1/cases/{accepted_case.number}/notices/{notice.pk}.pdf"
        assert given["issued_at"].endswith("+08:00")


def test_a_refusal_notice(api, online_case, alice):
    act(alice, online_case, "reject", reason="不属于本事项受理范围")
    body = api(alice).get(f"/api/v1/cases/{online_case.number}/notices").json()
    assert [n["kind"] for n in body["results"]] == ["refusal"]

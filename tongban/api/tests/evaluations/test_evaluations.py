"""POST /api/v1/cases/{number}/evaluation and GET /api/v1/rectifications."""

import pytest
import time_machine

from tongban.evaluations.tests.conftest import at
from tongban.people.models import ApiToken

pytestmark = pytest.mark.django_db


def post(client, number, body, user=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"} if user else {}
    return client.post(f"/api/v1/cases/{number}/evaluation", body, content_type="application/json",
                       **headers)  # fmt: skip


def test_the_applicant_rates_with_a_token(client, finished, carol):
    with time_machine.travel(at("2025-03-04 09:00")):
        r = post(client, finished.number, {"score": 2, "comment": "等太久"}, carol)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["case"] == finished.number and body["score"] == 2 and body["good"] is False
    assert body["channel"] == "portal" and body["score_label"] == "不满意"
    assert body["rectification"] == {"office": "371522", "due": "2025-03-11"}


def test_it_answers_errors_in_the_json_error_shape(client, finished, carol, bob):
    with time_machine.travel(at("2025-03-04 09:00")):
        assert (
            post(client, finished.number, {"score": 9}, carol).json()["error"]["field"] == "score"
        )
        r = post(client, finished.number, {"score": 5, "stars": 5}, carol)
        assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_field"
        r = post(client, finished.number, {"score": 5}, bob)  # a clerk of another office
        assert (r.status_code, r.json()["error"]["code"]) == (404, "case_not_found")
        assert post(client, "NOPE", {"score": 5}, carol).status_code == 404
        assert post(client, finished.number, {"score": 5}).status_code == 401
        assert post(client, finished.number, {"score": 5}, carol).status_code == 201
        r = post(client, finished.number, {"score": 5}, carol)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "already_rated")
    with time_machine.travel(at("2025-04-01 09:00")):
        client.force_login(carol)
        r = client.post(f"/api/v1/cases/{finished.number}/evaluation", {"score": 5},
                        content_type="application/json")  # fmt: skip
        assert r.status_code == 409


def test_rectifications_are_listed_for_supervisors(client, finished, carol, olga, alice):
    with time_machine.travel(at("2025-03-04 09:00")):
        post(client, finished.number, {"score": 1}, carol)
    r = client.get("/api/v1/rectifications", HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(olga)}")
    assert r.status_code == 200
    (row,) = r.json()["results"]
    assert row["case"] == finished.number and row["stage"] == "open" and row["due"] == "2025-03-11"
    r = client.get("/api/v1/rectifications", HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(alice)}")
    assert r.status_code == 403

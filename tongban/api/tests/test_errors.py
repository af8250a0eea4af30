"""The error body of everything that can go wrong before a service is even called."""

import pytest

from .conftest import error

pytestmark = pytest.mark.django_db


def test_an_unknown_endpoint_is_a_json_404(api, alice):
    response = api(alice).get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_a_wrong_method_is_405(api, alice):
    response = api(alice).delete("/api/v1/cases")
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert api().get("/api/v1/auth/token").status_code == 405


def test_malformed_json_to_an_action(api, online_case, alice):
    response = api(alice).post(
        f"/api/v1/cases/{online_case.number}/actions/claim", "{", content_type="application/json"
    )
    assert response.status_code == 400
    assert error(response)["code"] == "malformed_json"


def test_a_huge_body_anywhere_is_413(api, city):
    response = api().post(
        "/api/v1/auth/token",
        '{"username": "' + "a" * (1024 * 1024 + 1) + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert error(response)["code"] == "body_too_large"


def test_a_validation_message_names_the_field(api, carol):
    response = api(carol).post("/api/v1/cases", {"channel": "web"})
    err = error(response)
    assert err["field"] == "item"
    assert err["message"].startswith("item: ")


def test_english_messages_on_request(api, carol):
    client = api(carol)
    response = client.post("/api/v1/cases", {"channel": "web"}, HTTP_ACCEPT_LANGUAGE="en")
    assert error(response)["message"] == "item: This field is required."

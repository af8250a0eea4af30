"""The error body of everything that can go wrong before a service is even called."""

import pytest

from tongban.cases.models import Case

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


def test_text_the_database_cannot_store_is_refused_not_a_500(api, carol):
    """PostgreSQL refuses NUL in text and UTF-8 has no lone surrogates: both are 400 (or a 404
    for a path), wherever they come."""
    client = api(carol)
    assert client.get("/api/v1/cases/%00").status_code == 404
    assert api().get("/api/v1/items/%00").status_code == 404
    response = client.get("/api/v1/cases?q=%00")
    assert (response.status_code, error(response)["field"]) == (400, "q")
    for raw in ('"a\\u0000b"', '"a\\ud800b"'):
        response = client.post(
            "/api/v1/cases",
            '{"item": "YB01003", "channel": "web", "materials": ["M1"], "form": {"note": '
            + raw
            + "}}",
            content_type="application/json",
        )
        assert (response.status_code, error(response)["field"]) == (400, "form.note"), raw
    response = client.post(
        "/api/v1/cases", '{"item": "YB01003", "channel": "web", "form": {"n\\u0000": 1}}',
        content_type="application/json",
    )  # fmt: skip
    assert error(response)["field"] == "form.n\x00"
    assert not Case.objects.exists()

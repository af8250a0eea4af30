"""Bearer API calls skip the browser's middleware; pages and session API calls keep all of it."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tongban.api.tests.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def _bearer(user) -> str:
    return f"Bearer {sign_in(APIClient(), user)}"


def test_a_bearer_api_call_gets_no_session_or_frame_header(alice):
    client = Client(HTTP_AUTHORIZATION=_bearer(alice))
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert not response.cookies
    english = client.get("/api/v1/cases?page=0", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        english.status_code == 400 and "greater than or equal" in english.json()["error"]["message"]
    )


def test_pages_keep_csrf_and_the_frame_header(alice):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/desk/login/")
    assert page["X-Frame-Options"] == "DENY"
    refused = client.post("/desk/login/", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value
    signed_in = client.post("/desk/login/", {"username": "alice", "password": PASSWORD,
                                             "csrfmiddlewaretoken": token})  # fmt: skip
    assert signed_in.status_code == 302


def test_the_api_still_answers_a_signed_in_browser(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/api/v1/cases").status_code == 200


def test_a_bearer_header_elsewhere_than_the_api_does_not_skip_anything(alice):
    client = Client(HTTP_AUTHORIZATION=_bearer(alice))
    response = client.get("/desk/login/")
    assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_ACCEPT_LANGUAGE": "en"},
        {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8,zh;q=0.5"},
        {"HTTP_ACCEPT_LANGUAGE": "fr"},
        {"HTTP_COOKIE": "django_language=en"},
        {"HTTP_COOKIE": "django_language=xx", "HTTP_ACCEPT_LANGUAGE": "en"},
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/cases", "/desk/login/", "/en/", "/"])
def test_the_lean_locale_middleware_answers_as_djangos(headers, path):
    from django.http import HttpResponse
    from django.middleware.locale import LocaleMiddleware as Djangos
    from django.test import RequestFactory
    from django.utils import translation

    from tongban.lib.middleware import LocaleMiddleware

    def run(middleware_class):
        request = RequestFactory().get(path, **headers)

        def view(request):
            return HttpResponse(translation.gettext("This field is required."))

        with translation.override(None):
            response = middleware_class(view)(request)
        return request.LANGUAGE_CODE, response.status_code, response.headers, response.content

    assert run(LocaleMiddleware) == run(Djangos)


@pytest.mark.parametrize("path", ["api", "desk"])
def test_a_database_that_is_down_answers_503_with_retry_after(client, alice, online_case,
                                                              monkeypatch, caplog, path):  # fmt: skip
    """What leaves the process (the database connection) fails; the answer says "try again"."""
    from django.db import OperationalError

    from tongban.cases import access

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(access, "case_by_number", down)
    if path == "api":
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(api, alice)}")
        response = api.get(f"/api/v1/cases/{online_case.number}")
        assert response.json()["error"]["code"] == "service_unavailable"
    else:
        client.force_login(alice)
        response = client.get(f"/desk/cases/{online_case.number}/")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert [r.getMessage()[:20] for r in caplog.records] == ["database unavailable"]
    assert caplog.records[0].exc_info is None  # one line, no traceback

"""Security headers on every kind of response (issue #12): a page, API answers with a bearer token
and with a session, a static file, 404s, a 500, the 503 of a database that is down; the CSP
nonce where a page needs one; the cookies' flags."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tongban.api.tests.conftest import sign_in

pytestmark = pytest.mark.django_db

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp(response, header="Content-Security-Policy") -> dict[str, list[str]]:
    policy = {}
    for directive in response[header].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def nonce(values: list[str]) -> str | None:
    found = [v[len("'nonce-") : -1] for v in values if v.startswith("'nonce-")]
    return found[0] if found else None


def assert_secured(response):
    for name, value in HEADERS.items():
        assert response[name] == value, name
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]  # no page of ours in anyone's frame
    assert policy["object-src"] == policy["base-uri"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive] and "*" not in policy[directive]
    assert policy["script-src"][0] == "'self'" and "'unsafe-eval'" not in policy["script-src"]


@pytest.fixture
def bearer(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(client, alice)}")
    return client


def test_a_page(client, city):
    response = client.get("/")
    assert response.status_code == 200
    assert_secured(response)
    assert response["X-Frame-Options"] == "DENY"


def test_a_signed_in_page(client, alice, online_case):
    client.force_login(alice)
    response = client.get(f"/desk/cases/{online_case.number}/")
    assert response.status_code == 200
    assert_secured(response)


def test_an_api_answer_to_a_bearer_token(bearer, online_case):
    # The bearer path skips BrowserMiddleware (no X-Frame-Options); the CSP still says no frames.
    response = bearer.get(f"/api/v1/cases/{online_case.number}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert_secured(response)


def test_an_api_answer_to_a_session_and_to_nobody(client, alice, city):
    assert_secured(Client().get("/api/v1/items"))
    client.force_login(alice)
    assert_secured(client.get("/api/v1/cases"))


def test_a_static_file(client):
    response = client.get("/static/tongban/app.css")
    assert response.status_code == 200
    assert_secured(response)


@pytest.mark.parametrize("path", ["/no-such-page/", "/desk/cases/NOPE/", "/api/v1/cases/NOPE",
                                  "/static/no-such-file.css"])  # fmt: skip
def test_a_404(client, alice, bearer, path):
    client.force_login(alice)
    response = (bearer if path.startswith("/api/") else client).get(path)
    assert response.status_code == 404
    assert_secured(response)


def test_a_500(alice, online_case, monkeypatch):
    from tongban.cases import access

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(access, "case_by_number", broken)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get(f"/desk/cases/{online_case.number}/")
    assert response.status_code == 500
    assert_secured(response)


@pytest.mark.parametrize("path", ["api", "desk"])
def test_the_503_of_a_database_that_is_down(client, alice, bearer, online_case, monkeypatch, path):
    from django.db import OperationalError

    from tongban.cases import access

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(access, "case_by_number", down)
    client.force_login(alice)
    if path == "api":
        response = bearer.get(f"/api/v1/cases/{online_case.number}")
    else:
        response = client.get(f"/desk/cases/{online_case.number}/")
    assert response.status_code == 503
    assert_secured(response)


def test_a_private_download_keeps_its_own_stricter_policy(client, carol, online_case, settings,
                                                          tmp_path):  # fmt: skip
    from tongban.cases.attachments import attachment_add
    from tongban.portal.tests.samples import pdf_bytes, upload

    settings.MEDIA_ROOT = tmp_path / "media"
    attachment = attachment_add(case=online_case, material="M1", file=upload("a.pdf", pdf_bytes()),
                                user=carol)  # fmt: skip
    client.force_login(carol)
    response = client.get(f"/cases/{online_case.number}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_page_without_inline_code_gets_no_nonce(client, city):
    # No nonce in the header: the page stays the same for every visitor (a cache may keep it).
    response = client.get("/")
    assert nonce(csp(response)["script-src"]) is nonce(csp(response)["style-src"]) is None


def test_swagger_ui_carries_the_nonce_of_its_header(client, alice):
    client.force_login(alice)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    value = nonce(csp(response)["script-src"])
    assert value and nonce(csp(response)["style-src"]) == value
    page = response.content.decode()
    assert page.count(f'nonce="{value}"') == 2  # its <style> and its start-up <script>
    assert '"validatorUrl": null' in page  # no image from validator.swagger.io (img-src 'self')
    assert (
        client.get("/api/docs/")["Content-Security-Policy"] != response["Content-Security-Policy"]
    )


def test_the_admin_carries_the_nonce_of_its_header(client, city):
    from conftest import _user
    from tongban.people.models import Role

    root = _user("root", Role.SYSADMIN)
    root.is_staff = root.is_superuser = True
    root.save()
    client.force_login(root)
    response = client.get("/admin/offices/office/")
    assert response.status_code == 200
    value = nonce(csp(response)["style-src"])  # Django's admin puts it on its tags (Django 6)
    assert value and f'nonce="{value}"' in response.content.decode()


def test_the_cookies_are_httponly_and_samesite(client, alice):
    from tongban.api.tests.conftest import PASSWORD

    page = client.get("/desk/login/")
    signed_in = client.post("/desk/login/", {"username": "alice", "password": PASSWORD})
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookies = {**page.cookies, **signed_in.cookies, **language.cookies}
    for name in ("csrftoken", "sessionid", "django_language"):
        assert cookies[name]["httponly"] is True, name
        assert cookies[name]["samesite"] == "Lax", name
        assert not cookies[name]["secure"], name  # development serves plain HTTP (README)

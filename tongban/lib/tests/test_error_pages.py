"""403, 404, 500 and a refused CSRF token: a page in the desk's or the portal's look, in the
reader's language, with a way back; JSON under /api/; a 403 logged in one line."""

import logging

import pytest
from django.test import Client

from tongban.api.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _page(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_an_unknown_portal_address_gets_the_portals_404_in_chinese(client):
    html = _page(client.get("/no-such-page/"), 404)
    assert 'class="portal error-page"' in html and "portal/portal.css" in html
    assert "页面不存在" in html and 'href="/"' in html and "返回首页" in html


def test_an_unknown_desk_address_gets_the_desks_404_in_english(client):
    html = _page(client.get("/desk/no-such-page/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert 'class="desk error-page"' in html and "desk/desk.css" in html
    assert "Page not found" in html and "Back to the desk" in html and 'href="/desk/"' in html
    assert "页面不存在" not in html


def test_the_way_back_is_the_page_one_came_from_when_it_is_ours(client):
    html = _page(client.get("/nowhere/", HTTP_REFERER="http://testserver/lookup/"), 404)
    assert 'href="http://testserver/lookup/"' in html and "返回上一页" in html
    html = _page(client.get("/nowhere/", HTTP_REFERER="https://evil.example/"), 404)
    assert "evil.example" not in html and "返回上一页" not in html


def test_an_unknown_api_address_keeps_its_json(client):
    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_403_is_a_page_with_the_reason_and_one_log_line_without_traceback(client, alice, caplog):
    client.login(username="alice", password=PASSWORD)
    with caplog.at_level(logging.WARNING):
        response = client.get("/desk/stats/compression/")
    html = _page(response, 403)
    assert "desk/desk.css" in html and "不能办理" in html
    assert "只有科长/监察和事项管理员可以查看事项压缩情况" in html
    forbidden = [r for r in caplog.records if "Forbidden" in r.getMessage()]
    assert len(forbidden) == 1 and forbidden[0].exc_info is None, caplog.records
    assert "/desk/stats/compression/" in forbidden[0].getMessage()


def test_a_403_in_english(client, alice):
    client.login(username="alice", password=PASSWORD)
    html = _page(client.get("/desk/stats/compression/", HTTP_ACCEPT_LANGUAGE="en"), 403)
    assert "Not allowed" in html and "不能办理" not in html
    assert "Only supervisors and the catalog administrator may read" in html


def test_a_stale_form_gets_the_product_page_not_djangos(client):
    stale = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    html = _page(stale.post("/desk/login/", {"username": "alice", "password": "x"}), 403)
    assert "DEBUG" not in html and "CSRF" not in html
    assert "This page has expired" in html and 'href="/desk/"' in html and "desk/desk.css" in html
    html = _page(Client(enforce_csrf_checks=True).post("/login/", {"username": "x"}), 403)
    assert "页面已过期" in html and "portal/portal.css" in html


@pytest.mark.urls("tongban.lib.tests.error_urls")
def test_a_server_error_is_a_page_on_the_desk_and_json_on_the_api(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        html = _page(client.get("/desk/boom/", HTTP_ACCEPT_LANGUAGE="en"), 500)
    assert "Something went wrong" in html and "desk/desk.css" in html and 'href="/desk/"' in html
    assert any(r.exc_info for r in caplog.records)  # a real fault keeps its traceback
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"

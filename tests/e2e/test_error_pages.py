"""Error pages as people meet them in the browser: a missing page on the portal, a missing
desk page in English, a refused desk page, a stale form at a shared window PC and a server
fault; each in its face's look, on a 375-pixel phone without sideways scrolling, with a way back."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_portals_404_leads_home(page, live_server, shot):
    page.goto(live_server.url + "/no-such-page/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.locator("body.portal")).to_be_visible()
    _fits(page)
    shot(page, "error-404-portal")
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(live_server.url + "/")


def test_the_desks_404_in_english(page, live_server, shot):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/desk/no-such-page/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the desk")).to_be_visible()
    _fits(page)
    shot(page, "error-404-desk-en")


def test_a_refused_desk_page_says_why(page, live_server, sign_in, shot, alice):
    sign_in(page, "alice", "Pw-test-12345")
    page.goto(live_server.url + "/desk/stats/compression/")
    expect(page.get_by_role("heading", name="不能办理")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("只有科长/监察和事项管理员")
    _fits(page)
    shot(page, "error-403-desk")
    page.get_by_role("link", name="返回工作台").click()
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()


def test_a_stale_form_at_a_shared_pc(page, live_server, shot, alice):
    page.goto(live_server.url + "/desk/login/")
    page.context.clear_cookies()  # the session and token went stale while the tab stayed open
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "Pw-test-12345")
    page.locator("form:has(input[name=password]) button").click()
    expect(page.get_by_role("heading", name="页面已过期")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("DEBUG")
    _fits(page)
    shot(page, "error-csrf-desk")
    page.get_by_role("link", name="返回上一页").click()  # back to the sign-in form, fresh
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "Pw-test-12345")
    page.locator("form:has(input[name=password]) button").click()
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()


@pytest.mark.urls("tongban.lib.tests.error_urls")
def test_a_server_fault_is_a_page_in_the_desks_look(page, live_server, shot):
    page.goto(live_server.url + "/desk/boom/")
    expect(page.get_by_role("heading", name="系统出错了")).to_be_visible()
    expect(page.locator("body.desk")).to_be_visible()
    _fits(page)
    shot(page, "error-500-desk")

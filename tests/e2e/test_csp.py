"""The main pages load in Chromium under tongban's Content-Security-Policy (settings.SECURE_CSP,
no 'unsafe-inline') without one violation, and the scripts that replaced inline handlers work.

A violation is caught twice: the page's `securitypolicyviolation` events (listened to before
any of its scripts run) and Chromium's console line ("Refused to …")."""

import pytest
from playwright.sync_api import expect

from conftest import _user
from tongban.people.models import Role

pytestmark = pytest.mark.e2e

PASSWORD = "Pw-test-12345"
PROMISED_ITEM = "YB07019"

# Runs in every page before its own scripts; CSP does not apply to it.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
window.print = () => { window.__printed = true; };
"""


@pytest.fixture
def watched(browser, browser_context_args):
    """new_page(): a page that records its CSP violations and uncaught errors in page.problems."""
    contexts = []

    def new_page():
        context = browser.new_context(**browser_context_args)
        context.add_init_script(LISTEN)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and page.problems.append(m.text),
        )
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        return page

    yield new_page
    for context in contexts:
        context.close()


def _clean(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.problems + page.evaluate("window.__csp")


def _sign_in(page, base, username, path="/desk/login/"):
    page.goto(base + path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) :is(button, input[type=submit])").first.click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def root(city):
    user = _user("root", Role.SYSADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_the_portal_runs_without_a_violation(live_server, watched, carol, online_case):
    base = live_server.url
    page = watched()
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="办事指南")).to_be_visible()
    assert _clean(page) == []

    page.goto(f"{base}/items/{PROMISED_ITEM}/")
    page.locator("button[data-print]").click()  # was onclick="window.print()"
    assert page.evaluate("window.__printed") is True
    assert _clean(page) == []

    _sign_in(page, base, "carol", "/login/")
    for path in (f"/items/{PROMISED_ITEM}/apply/", "/cases/", f"/cases/{online_case.number}/",
                 f"/cases/{online_case.number}/receipt/"):  # fmt: skip
        page.goto(base + path)
        assert page.locator("main").is_visible()
        assert _clean(page) == [], path


def test_the_desk_runs_without_a_violation(live_server, watched, alice, online_case):
    base = live_server.url
    page = watched()
    _sign_in(page, base, "alice")
    for path in ("/desk/", f"/desk/cases/{online_case.number}/", "/desk/apply/",
                 f"/desk/apply/{PROMISED_ITEM}/"):  # fmt: skip
        page.goto(base + path)
        assert page.locator("main").is_visible()
        assert _clean(page) == [], path

    page.goto(base + "/desk/policies/")
    page.select_option("select[name=item]", index=1)  # was onchange="this.form.submit()"
    page.wait_for_url(lambda url: "item=" in url)
    assert _clean(page) == []


def test_the_figures_draw_their_charts_without_a_violation(live_server, watched, vera, online_case):
    """frappe-charts writes a <style> element and style attributes (settings.FRAPPE_CHARTS_CSS,
    stats/dashboard.js)."""
    base = live_server.url
    page = watched()
    _sign_in(page, base, "vera")
    page.goto(base + "/desk/stats/")
    # The bars grow from nothing in an animation: wait for one, then hover until the tooltip shows.
    page.wait_for_function(
        "() => document.querySelector('#chart-months rect.bar')?.getBoundingClientRect().height > 0"
    )
    bar = page.locator("#chart-months rect.bar").first
    tip = page.locator("#chart-months .graph-svg-tip .data-point-list strong")
    for _ in range(20):
        bar.hover(force=True)
        if tip.count():
            break
        page.wait_for_timeout(250)
    expect(tip.first).to_be_attached()
    assert _clean(page) == []


def test_the_admin_runs_without_a_violation(live_server, watched, root):
    base = live_server.url
    page = watched()
    _sign_in(page, base, "root", "/admin/login/")
    for path in ("/admin/", "/admin/people/user/", f"/admin/people/user/{root.pk}/change/",
                 "/admin/offices/office/", "/admin/cases/case/"):  # fmt: skip
        page.goto(base + path)
        assert page.locator("#content").is_visible()
        assert _clean(page) == [], path


def test_swagger_ui_runs_without_a_violation(live_server, watched, alice):
    base = live_server.url
    page = watched()
    _sign_in(page, base, "alice")
    page.goto(base + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("tongban API")
    offices = page.locator('.opblock:has([data-path="/api/v1/offices"])').first
    offices.locator(".opblock-summary").click()  # an operation opens; try it
    offices.locator(".try-out__btn").click()
    offices.locator(".execute").click()
    expect(
        offices.locator(".live-responses-table tbody .response-col_status").first
    ).to_contain_text("200")
    assert _clean(page) == []

"""A supervisor's journey in headless Chromium: the dashboard draws its charts from the
project's own static files, and the drill-down reaches the cases behind a number."""

import os

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


def test_a_supervisor_drills_from_the_city_to_the_cases(page, live_server, vera, history):
    errors, outside = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/desk/login/")
    page.fill("input[name=username]", "vera")
    page.fill("input[name=password]", "Pw-test-12345")
    page.locator("form:has(input[name=password]) button").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(live_server.url + "/desk/stats/?from=2025-03-01&to=2025-03-31")
    page.wait_for_selector("#chart-months svg")
    assert page.locator(".charts svg").count() >= 3
    page.locator("#by-office a", has_text="莘县").first.click()
    page.wait_for_selector("#by-item")
    page.locator("#by-item a", has_text="门诊费用报销").first.click()
    page.wait_for_selector("#by-month")
    page.locator("#by-month td a").first.click()  # the month's received cases
    page.wait_for_selector("table.stats-cases")
    assert page.locator("table.stats-cases tbody tr").count() == 4  # c2 c3 c5 c7
    assert errors == [] and outside == []

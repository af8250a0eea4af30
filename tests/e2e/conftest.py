"""Browser tests: pytest-playwright on Debian's Chromium (never `playwright install`).

Shared by every journey in this folder: the launch arguments, a phone-sized context and a
sign-in helper that works for any of tongban's sign-in pages (username + password form)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("TONGBAN_SHOTS_DIR", "/tmp/desk-shots"))
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A 375-pixel phone by default: the faces must work there first.
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username, password, path="/desk/login/"): fill the sign-in form and wait
    until the browser has left the sign-in page."""

    def _sign_in(page, username, password, path="/desk/login/"):
        page.goto(live_server.url + path)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form:has(input[name=password]) button").click()
        page.wait_for_url(lambda url: path not in url)
        return page

    return _sign_in


@pytest.fixture
def shot():
    """shot(page, name): a full-page screenshot into TONGBAN_SHOTS_DIR (/tmp/desk-shots)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return _shot

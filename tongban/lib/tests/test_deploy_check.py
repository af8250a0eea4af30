"""`check --deploy` sees the middleware that BrowserMiddleware runs
(lib.middleware.browser_middleware_check); settings silence only Django's two checks it replaces."""

import pytest
from django.core import checks
from django.core.checks.security import base, csrf

from tongban.lib.middleware import browser_middleware_check

CSRF = "django.middleware.csrf.CsrfViewMiddleware"
FRAMES = "django.middleware.clickjacking.XFrameOptionsMiddleware"


@pytest.fixture
def deployed(settings):
    """The production profile's values of what the check reads."""
    settings.CSRF_COOKIE_SECURE = True
    settings.X_FRAME_OPTIONS = "DENY"
    return settings


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_it_is_registered_as_a_deploy_check():
    assert browser_middleware_check in checks.registry.registry.get_checks(
        include_deployment_checks=True
    )
    assert browser_middleware_check not in checks.registry.registry.get_checks()


def test_settings_silence_only_what_it_checks(settings):
    silenced = {i for i in settings.SILENCED_SYSTEM_CHECKS if i.startswith("security.")}
    assert silenced == {"security.W002", "security.W003"}
    assert {CSRF, FRAMES} <= set(settings.TONGBAN_BROWSER_MIDDLEWARE)
    assert {CSRF, FRAMES}.isdisjoint(settings.MIDDLEWARE)


def test_it_finds_nothing_when_the_browser_list_is_complete_and_set(deployed):
    assert browser_middleware_check(None) == []


def test_it_sees_an_insecure_csrf_cookie_that_djangos_check_misses(deployed):
    deployed.CSRF_COOKIE_SECURE = False
    assert csrf.check_csrf_cookie_secure(None) == []  # Django looks in MIDDLEWARE only
    assert ids(browser_middleware_check(None)) == ["tongban.security.W016"]


def test_it_sees_a_frame_header_other_than_deny(deployed):
    deployed.X_FRAME_OPTIONS = "SAMEORIGIN"
    assert base.check_xframe_deny(None) == []
    assert ids(browser_middleware_check(None)) == ["tongban.security.W019"]


@pytest.mark.parametrize("missing, expected", [(CSRF, "tongban.security.W003"),
                                               (FRAMES, "tongban.security.W002")])  # fmt: skip
def test_it_reports_a_middleware_missing_from_both_lists(deployed, missing, expected):
    deployed.TONGBAN_BROWSER_MIDDLEWARE = [
        m for m in deployed.TONGBAN_BROWSER_MIDDLEWARE if m != missing
    ]
    assert ids(browser_middleware_check(None)) == [expected]
    # and `check --deploy` shows it, although Django's own (W002, W003) are silenced
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert expected in ids(found)

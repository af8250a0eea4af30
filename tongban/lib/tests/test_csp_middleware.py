"""tongban's ContentSecurityPolicyMiddleware (the policy built once) answers as Django's does."""

import pytest
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware as Djangos
from django.template import engines
from django.test import RequestFactory
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override, csp_report_only_override

from tongban.lib.middleware import ContentSecurityPolicyMiddleware

PAGE = engines["django"].from_string('<script nonce="{{ csp_nonce }}"></script>')


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(PAGE.render({}, request))  # the csp context processor reads the nonce


def own_header(request):
    response = HttpResponse("ok")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


VIEWS = [
    plain,
    with_nonce,
    own_header,
    csp_override({"default-src": [CSP.NONE]})(plain),
    csp_override({})(plain),
    csp_report_only_override({"img-src": [CSP.SELF]})(plain),
]
MODES = [
    {},
    {"SECURE_CSP": {}, "SECURE_CSP_REPORT_ONLY": {"default-src": [CSP.SELF, CSP.NONCE]}},
    {"SECURE_CSP": {}},
]


def headers(middleware_class, view) -> dict:
    response = middleware_class(view)(RequestFactory().get("/"))
    nonce = response.content.decode().partition('nonce="')[2].partition('"')[0]
    return {
        name: response[name].replace(nonce, "NONCE") if nonce else response[name]
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
        if name in response
    }


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: getattr(v, "__name__", "view"))
@pytest.mark.parametrize("mode", MODES, ids=["settings", "report-only", "off"])
def test_it_answers_as_djangos(settings, view, mode):
    for name, value in mode.items():
        setattr(settings, name, value)
    assert headers(ContentSecurityPolicyMiddleware, view) == headers(Djangos, view)


def test_a_changed_setting_is_seen(settings):
    before = headers(ContentSecurityPolicyMiddleware, plain)
    settings.SECURE_CSP = {"default-src": [CSP.NONE]}
    assert headers(ContentSecurityPolicyMiddleware, plain) == {
        "Content-Security-Policy": "default-src 'none'"
    }
    assert before["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_nonce_is_new_for_every_response():
    first, second = (
        ContentSecurityPolicyMiddleware(with_nonce)(RequestFactory().get("/")) for _ in range(2)
    )
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]
    assert "'nonce-" in first["Content-Security-Policy"]

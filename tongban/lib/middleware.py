"""The middleware that pages in a browser need and bearer-token API calls do not.

Sessions, the signed-in user, CSRF, messages and the clickjacking header serve a person in a
browser. A request to /api/ with `Authorization: Bearer` uses none of them
(its user comes from the token, its answers are JSON), and running them cost about a tenth of a
case action (bench/README.md). BrowserMiddleware runs TONGBAN_BROWSER_MIDDLEWARE, in order and
with all their hooks, for every other request, including API calls that sign in by session
(the docs page, the desk's links to notice PDFs). browser_middleware_check shows them to
`manage.py check --deploy`, which looks for them in MIDDLEWARE only.
"""

import functools
import logging

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import checks
from django.core.handlers.exception import convert_exception_to_response
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware import csp, locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.csp import CSP, build_policy
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongban.lib.http import bearer_key

log = logging.getLogger(__name__)


def bearer_api(request) -> bool:
    return request.path_info.startswith("/api/") and bearer_key(request) is not None


class BrowserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        handler, chain = get_response, []
        for path in reversed(settings.TONGBAN_BROWSER_MIDDLEWARE):
            middleware = import_string(path)(handler)
            handler = convert_exception_to_response(middleware)  # as Django's handler does
            chain.insert(0, middleware)
        self.browser = handler
        # Django calls process_view top-down, the other two hooks bottom-up.
        self.view_hooks = [m.process_view for m in chain if hasattr(m, "process_view")]
        self.template_hooks = [
            m.process_template_response
            for m in reversed(chain)
            if hasattr(m, "process_template_response")
        ]
        self.exception_hooks = [
            m.process_exception for m in reversed(chain) if hasattr(m, "process_exception")
        ]

    def __call__(self, request):
        return self.get_response(request) if bearer_api(request) else self.browser(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not bearer_api(request):
            for hook in self.view_hooks:
                if (response := hook(request, view_func, view_args, view_kwargs)) is not None:
                    return response
        return None

    def process_template_response(self, request, response):
        if not bearer_api(request):
            for hook in self.template_hooks:
                response = hook(request, response)
        return response

    def process_exception(self, request, exception):
        if not bearer_api(request):
            for hook in self.exception_hooks:
                if (response := hook(request, exception)) is not None:
                    return response
        return None


@checks.register(checks.Tags.security, deploy=True)
def browser_middleware_check(app_configs, **kwargs):
    """Django's deploy checks of CSRF and the frame header, run over MIDDLEWARE with
    TONGBAN_BROWSER_MIDDLEWARE added; what they find is reported as tongban.security.W0nn.

    Django's own look for CsrfViewMiddleware and XFrameOptionsMiddleware in MIDDLEWARE only: they
    would warn that both are missing (security.W002, W003, silenced in settings for this check)
    and never check CSRF_COOKIE_SECURE (W016) or X_FRAME_OPTIONS (W019). Registered by
    tongban.ops.apps, since tongban.lib is no app."""
    from django.core.checks.security import base, csrf
    from django.test.utils import override_settings

    found = []
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, *settings.TONGBAN_BROWSER_MIDDLEWARE]):
        for check in (base.check_xframe_options_middleware, base.check_xframe_deny,
                      csrf.check_csrf_middleware, csrf.check_csrf_cookie_secure):  # fmt: skip
            found += check(app_configs)
    return [checks.Warning(m.msg, hint=m.hint, id=f"tongban.{m.id}") for m in found]


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware without its work for language prefixes in paths, which
    tongban's URLconf does not have (no i18n_patterns): the language comes from the cookie or
    Accept-Language, as before.

    Django's looks for a language in every path, and finds "api" or "desk" there: a code it
    checks against LANGUAGES anew each time (a failed lookup is not cached), twice a request.
    That and the rest came to 7% of a case action's instructions (bench/README.md). With a
    URLconf that has prefixes, or a request that brings its own, Django's runs."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.prefixes = is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]

    def _djangos(self, request) -> bool:
        return self.prefixes or hasattr(request, "urlconf")

    def process_request(self, request):
        if self._djangos(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if self._djangos(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, with the policies of SECURE_CSP and SECURE_CSP_REPORT_ONLY built once, not for
    every response: Django's middleware cost 80 function calls and 32 µs a request, this one 31
    and 11 µs (cProfile and timeit here; the order of what the lean LocaleMiddleware saved).
    A response whose page used the nonce (Swagger UI, the admin) or that brings its own policy
    (csp_override) goes Django's way; lib/tests/test_csp_middleware.py shows both answer alike."""

    def process_response(self, request, response):
        if (
            csp.get_nonce(request)
            or hasattr(response, "_csp_config")
            or hasattr(response, "_csp_ro_config")
        ):
            return super().process_response(request, response)
        for header, policy in _policies():
            if policy and header not in response:
                response.headers[header] = policy
        return response


@functools.cache
def _policies() -> tuple[tuple[str, str], tuple[str, str]]:
    # Without a nonce, build_policy drops the nonce's placeholder, as Django's does then.
    return (
        (str(CSP.HEADER_ENFORCE), build_policy(settings.SECURE_CSP) if settings.SECURE_CSP else ""),
        (str(CSP.HEADER_REPORT_ONLY),
         build_policy(settings.SECURE_CSP_REPORT_ONLY) if settings.SECURE_CSP_REPORT_ONLY else ""),
    )  # fmt: skip


def _policies_changed(*, setting, **kwargs):
    if setting in ("SECURE_CSP", "SECURE_CSP_REPORT_ONLY"):
        _policies.cache_clear()


setting_changed.connect(_policies_changed)


class DatabaseUnavailableMiddleware:
    """A database that is down or restarting answers 503 Service Unavailable with Retry-After
    and one log line, not a 500 with a traceback per request: the client may retry, and nothing
    was done (every write is one transaction). JSON under /api/, a short page elsewhere."""

    RETRY_AFTER = "5"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.warning("database unavailable (%s): %s %s", type(exception).__name__,
                    request.method, request.path)  # fmt: skip
        message = _("服务暂时不可用，请稍后重试")
        if request.path_info.startswith("/api/"):
            response = JsonResponse(
                {"error": {"code": "service_unavailable", "message": message}}, status=503
            )
        else:
            response = HttpResponse(
                f"<!doctype html><meta charset=utf-8><title>503</title><p>{message}</p>",
                status=503,
            )
        response["Retry-After"] = self.RETRY_AFTER
        response._has_been_logged = True  # the line above is its log line (django.request's is not)
        return response

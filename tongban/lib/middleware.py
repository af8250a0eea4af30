"""The middleware that pages in a browser need and bearer-token API calls do not.

Sessions, the signed-in user, CSRF, messages and the clickjacking header serve a person in a
browser. A request to /api/ with `Authorization: Bearer` uses none of them
(its user comes from the token, its answers are JSON), and running them cost about a tenth of a
case action (bench/README.md). BrowserMiddleware runs TONGBAN_BROWSER_MIDDLEWARE, in order and
with all their hooks, for every other request, including API calls that sign in by session
(the docs page, the desk's links to notice PDFs).
"""

import logging

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.handlers.exception import convert_exception_to_response
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
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

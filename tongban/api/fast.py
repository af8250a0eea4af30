"""The short way through DRF for the hot API calls of programs: a bearer token and a JSON body.

DRF's request cycle (a Request wrapping the HttpRequest, parsers, authenticators, negotiator
and permissions made anew for every request, then the response finalized) cost about a tenth
of a case action's CPU (bench/README.md). A view that takes `FastBearer` runs its handler
directly when the request is the plain case: a token that `token_user` knows, no body or a
JSON object, a method the view lists in `fast_methods`. The handler is the same method either
way, and so is every error it raises (tongban.api.errors turns it into the body); the view's
permission classes and throttles are checked first either way, as DRF's initial() does. Anything
else (a session and its CSRF check, a missing or unknown token, malformed, non-object or too
deeply nested JSON (api/parsers.py), a body over the limit) takes DRF's whole path, which
answers it exactly as before.
"""

import json

from django.core.exceptions import RequestDataTooBig
from rest_framework.renderers import JSONRenderer

from tongban.lib.http import bearer_key
from tongban.people.selectors import token_user

from .errors import exception_handler
from .parsers import no_constant, too_deep

_RENDERER = JSONRenderer()


class _Request:
    """What the handlers read of DRF's Request: `user`, `data` and `query_params`; the rest
    comes from the HttpRequest (headers, META, path)."""

    __slots__ = ("_request", "user", "data")

    # A permission class that refuses hears "forbidden", never "sign in": the token has
    # already said who the user is (DRF asks this of its Request in permission_denied()).
    authenticators = ()

    def __init__(self, request, user, data):
        self._request, self.user, self.data = request, user, data

    @property
    def query_params(self):
        return self._request.GET

    def __getattr__(self, name):
        return getattr(self._request, name)


def _plain(request, methods) -> tuple | None:
    """(user, data) when `request` may take the short way, else None."""
    if request.method not in methods:
        return None
    key = bearer_key(request)
    if not key:  # none, or a malformed header: DRF's authentication answers that
        return None
    data = {}
    if request.META.get("CONTENT_LENGTH") not in (None, "", "0"):
        if request.content_type != "application/json":
            return None
        try:
            text = request.body.decode()
            if too_deep(text):  # the parser answers it
                return None
            data = json.loads(text, parse_constant=no_constant)
        except (RequestDataTooBig, ValueError):  # DRF's parser answers these
            return None
        if not isinstance(data, dict):
            return None
    user = token_user(key)
    if user is None:  # unknown, revoked, or its user deactivated
        return None
    return user, data


class FastBearer:
    """Mixin for an APIView: the methods in `fast_methods` take the short way when they can."""

    fast_methods: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        plain = _plain(request, self.fast_methods)
        if plain is None:
            return super().dispatch(request, *args, **kwargs)
        self.args, self.kwargs, self.headers = args, kwargs, self.default_response_headers
        self.request = _Request(request, *plain)
        try:
            self.check_permissions(self.request)
            self.check_throttles(self.request)
            response = getattr(self, request.method.lower())(self.request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - what DRF's handler would answer, or raised on
            response = exception_handler(exc, {"view": self})
            if response is None:
                raise
        response.accepted_renderer = _RENDERER
        response.accepted_media_type = _RENDERER.media_type
        response.renderer_context = {"view": self}
        for key, value in self.headers.items():
            response[key] = value
        return response

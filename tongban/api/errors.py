"""Every API error, whatever raised it, becomes one JSON body:

    {"error": {"code": "case_not_found", "message": "办件 … 不存在", "field": "applicant.id_number"}}

`code` is stable for programs, `message` is for people, `field` names the input at fault and is
left out when there is none. Settings point REST_FRAMEWORK["EXCEPTION_HANDLER"] here.

A message quotes at most a short prefix of what was sent (lib.text.shown); as a last guard,
whatever the message or field a service builds, neither leaves here longer than MESSAGE_MAX
and FIELD_MAX characters.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from tongban.lib.errors import DomainError
from tongban.lib.text import shown

# DRF's own codes, kept where they are already clear; ParseError is named for what it is here
# (the JSON parser is the only one configured).
_API_CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}
# Validation codes that we raise ourselves and keep; every other DRF validation code is "invalid".
KEPT_VALIDATION_CODES = {"unknown_field", "unknown_office", "unknown_bundle"}
MESSAGE_MAX, FIELD_MAX = 500, 100


def error_response(status: int, code: str, message: str, field: str | None = None, headers=None):
    body = {"code": code, "message": shown(message, limit=MESSAGE_MAX)}
    if field:
        body["field"] = shown(field, limit=FIELD_MAX)
    return Response({"error": body}, status=status, headers=headers)


def _first_error(detail, path: str = ""):
    """(field path, ErrorDetail) of the first failing field of a nested ValidationError detail:
    "applicant.id_number", "materials[1]"; the path is empty for a whole-body error."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else str(key)
            return _first_error(value, sub)
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], path)
    return path, detail


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        return error_response(exc.status, exc.code, exc.message, exc.field)
    if isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; that is the client's
        # doing, not a server error.
        return error_response(413, "body_too_large", _("请求体超过 1 MiB"))
    if isinstance(exc, exceptions.ValidationError):
        field, detail = _first_error(exc.detail)
        field = shown(field, limit=FIELD_MAX)  # a path through the keys someone sent
        code = getattr(detail, "code", None)
        code = code if code in KEPT_VALIDATION_CODES else "invalid"
        message = f"{field}: {detail}" if field else str(detail)
        set_rollback()
        return error_response(400, code, message, field or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = f"{int(exc.wait)}"
        code = _API_CODES.get(type(exc))
        if code is None:
            code = getattr(exc, "default_code", "error")
        detail = exc.detail
        message = str(detail if not isinstance(detail, list | dict) else exc.default_detail)
        set_rollback()
        return error_response(exc.status_code, code, message, headers=headers)
    return None  # a server error: Django logs it and answers 500

"""Errors the domain raises. The faces map them: the API to its JSON error body and status,
the pages to a message. `code` is stable for machines; `message` is for people; `field`
names the input at fault, where there is one.

NotFound is also Django's Http404 and Forbidden its PermissionDenied, so a page that lets one
through answers 404 or 403 like any other, without a wrapper of its own."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class Forbidden(DomainError, PermissionDenied):
    status = 403
    code = "forbidden"


class NotFound(DomainError, Http404):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The action is not allowed from the current state, or the state moved under the client."""

    status = 409
    code = "conflict"

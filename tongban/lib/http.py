"""What tongban reads of an HTTP request, written once for the API, the desk and the portal."""

import ipaddress

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def bearer_key(request) -> str | None:
    """The key of an `Authorization: Bearer <key>` header: None when the request has no
    bearer header, "" when it has a malformed one (no key, or words after it), else the key.

    Read by the bearer-token middleware shortcut (lib.middleware), the API's authentication,
    its short way (api.fast) and its sign-out, so that all four agree on what a token is."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if not parts or parts[0].lower() != "bearer":
        return None
    return parts[1] if len(parts) == 2 else ""


def client_ip(request) -> str | None:
    """The client's address, as GenericIPAddressField columns store it: None when REMOTE_ADDR
    is not an address (a unix socket's "").

    REMOTE_ADDR only: a forwarded-for header is the client's to forge unless a proxy the
    operator names sets it, and tongban does not assume one."""
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def private_download(body, *, filename: str, content_type: str) -> HttpResponse:
    """A file for its one viewer to save (a material, a notice's PDF): `body` is bytes or an
    open file. Never kept by a shared cache, never sniffed into another type, never run as a
    page of ours (a sandboxed CSP): an uploaded file is the uploader's content, not ours."""
    if isinstance(body, bytes):
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(
            body, as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

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


# What a browser shows by itself: PDFs and images. An upload's type comes from its first bytes
# (cases.attachments.SIGNATURES), never from what the uploader said.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def private_download(
    body, *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """A file for its one viewer to save (a material, a notice's PDF): `body` is bytes or an
    open file. Never kept by a shared cache, never sniffed into another type, never run as a
    page of ours: an uploaded file is the uploader's content, not ours.

    With `inline` (staff opening a material to read it), a PDF or an image opens in the browser
    instead of downloading (Content-Disposition: inline). Its policy still allows nothing to
    load or run: an image keeps the sandbox; a PDF gets `object-src 'self'` without it, since
    a sandboxed document may not show the browser's PDF viewer. Other types always download."""
    shown = inline and content_type in INLINE_TYPES
    if isinstance(body, bytes):
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not shown, filename)
    else:
        response = FileResponse(
            body, as_attachment=not shown, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if shown and content_type == "application/pdf":
        response["Content-Security-Policy"] = (
            "default-src 'none'; object-src 'self'; frame-ancestors 'none'"
        )
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

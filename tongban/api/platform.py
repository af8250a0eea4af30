"""The endpoint partner platforms send their signed messages to (跨区通办).

Not a user's API: no token, no session. The signature in X-Tongban-Signature over the exact
body, checked against the public key the agreement holds for the partner, is the
authentication (tongban.exchange.services says what is checked, in which order). Kept out of
the OpenAPI document, whose clients are people's programs; docs/api.md describes it.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.crossregion.services import message_receive
from tongban.exchange.services import SIGNATURE_HEADER
from tongban.lib.http import client_ip

# A forwarded case's materials come inside the message (base64): ten files of the largest
# size an upload may have, and room for the rest.
MAX_BYTES = 160 * 1024 * 1024


@csrf_exempt
@require_POST
def platform_message(request):
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BYTES:
        return JsonResponse({"error": {"code": "too_large", "message": "报文过大"}}, status=413)
    raw = request.read(MAX_BYTES + 1)  # the stream, not request.body (DATA_UPLOAD_MAX_MEMORY_SIZE)
    status, answer = message_receive(
        raw, request.headers.get(SIGNATURE_HEADER, ""), ip=client_ip(request)
    )
    return JsonResponse(answer, status=status, json_dumps_params={"ensure_ascii": False})

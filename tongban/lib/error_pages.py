"""The pages people get when a request goes wrong: 403, 404, 500 and a refused CSRF token.

Each is a page in the look of the face the address belongs to (the desk under /desk/ and
/admin/, the portal everywhere else), in the reader's language (LocaleMiddleware has chosen it
before any of these run), with a way back. Paths under /api/ keep the JSON error body
({"error": {"code", "message"}}) that API clients read; DRF's own views answer theirs through
tongban.api.errors, these only catch what never reached a view (an unknown address, the 500).

A 403 is an answer, not a fault: it is logged as one line, never with a traceback (Django's
handler logs PermissionDenied with its exc_info; a response marked _has_been_logged is not
logged again). The settings point handler403/404/500 (tongban/urls.py) and CSRF_FAILURE_VIEW here.
"""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tongban.lib.errors import DomainError

log = logging.getLogger("tongban.errors")

DESK_PREFIXES = ("/desk/", "/admin/")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _face(request) -> str:
    return "desk" if request.path_info.startswith(DESK_PREFIXES) else "portal"


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _back(request) -> str:
    """The page the reader came from, when it is one of ours (a form to open again after a
    stale token, the list a missing case was linked from)."""
    referer = request.META.get("HTTP_REFERER", "")
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and allowed else ""


def _page(request, status: int, title: str, message: str, *, detail: str = "",
          with_request: bool = True) -> HttpResponse:  # fmt: skip
    """The page; the 500 renders without the request's context (no session, no database)."""
    face = _face(request)
    context = {
        "face": face,
        "status": status,
        "title": title,
        "message": message,
        "detail": detail,
        "home_url": "/desk/" if face == "desk" else "/",
        "home_label": _("返回工作台") if face == "desk" else _("返回首页"),
        "back_url": _back(request),
    }
    template = loader.get_template("errors/page.html")
    body = template.render(context, request if with_request else None)
    return HttpResponse(body, status=status)


def page_not_found(request, exception=None):
    """handler404."""
    if _is_api(request):
        return _json(404, "not_found", _("没有这个地址"))
    return _page(request, 404, _("页面不存在"),
                 _("您要找的页面不存在，或者已经移走。请检查地址，或从首页重新进入。"))  # fmt: skip


def permission_denied(request, exception=None):
    """handler403: the reason given (a Forbidden's message, a page's PermissionDenied("…")) is
    shown under the title; a bare PermissionDenied() has none."""
    detail = str(exception) if exception is not None and exception.args else ""
    if _is_api(request):
        response = _json(403, "permission_denied", detail or _("您无权进行此操作"))
    else:
        response = _page(request, 403, _("不能办理"),
                         _("您的账户无权进行此操作。如有疑问，请咨询 12393 或到任一经办窗口。"),
                         detail=detail)  # fmt: skip
    log.warning("Forbidden: %s %s%s", request.method, request.path,
                f" ({exception.code})" if isinstance(exception, DomainError) else "")  # fmt: skip
    response._has_been_logged = True  # the line above; no traceback for an answer
    return response


def server_error(request):
    """handler500: rendered without the request, so that it works while the database does not."""
    if _is_api(request):
        return _json(500, "server_error", _("服务器内部错误，请稍后重试"))
    return _page(request, 500, _("系统出错了"),
                 _("处理您的请求时出现了错误，已记录，我们会尽快处理。请稍后再试；急事请咨询 12393 或到任一经办窗口。"),
                 with_request=False)  # fmt: skip


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a page left open too long (a shared window PC) or cookies
    turned off. Django's own page tells the reader to set DEBUG=True."""
    if _is_api(request):
        return _json(403, "csrf_failed", _("请求的安全校验未通过，请刷新页面后重试"))
    return _page(request, 403, _("页面已过期"),
                 _("这个页面打开太久或已在别处退出，为安全起见，刚才提交的内容没有保存。请重新打开页面再提交一次；如果仍然不行，请确认浏览器允许本网站的 Cookie。"))  # fmt: skip

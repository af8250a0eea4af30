"""Who may use which portal page. The rules themselves live in tongban.cases.access.

Applicants and agents sign in here; their own cases are theirs to follow. A case's files and
notices are also served to the staff who may see it (they reach the same URLs from the desk).
Someone else's case is a 404, never a 403."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from tongban.cases.access import case_is_own, case_visible
from tongban.cases.models import Case
from tongban.people.models import Role

PORTAL_ROLES = (Role.APPLICANT, Role.AGENT)


def is_portal_user(user) -> bool:
    return user.is_authenticated and user.role in PORTAL_ROLES


def portal_login_required(view):
    """Applicants and agents only: others signed in are pointed to the desk."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if request.user.role not in PORTAL_ROLES:
            return render(request, "portal/staff_elsewhere.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _case(number: str) -> Case | None:
    return (
        Case.objects.select_related("item", "item_version", "handling_office", "applicant")
        .filter(number=number)
        .first()
    )


def case_for_owner(request, number: str) -> Case:
    """The signed-in applicant's (or agent's) own case, or 404."""
    case = _case(number)
    if case is None or not case_is_own(request.user, case):
        raise Http404("办件不存在")
    return case


def case_for_viewer(request, number: str) -> Case:
    """A case for anyone who may see it: its applicant or agent, or staff (for files and
    notices), or 404."""
    case = _case(number)
    if case is None or not case_visible(request.user, case):
        raise Http404("办件不存在")
    return case


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is the client's to forge unless a known proxy
    # sets it, and tongban does not assume one.
    return request.META.get("REMOTE_ADDR") or None

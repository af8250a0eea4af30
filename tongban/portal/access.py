"""Who may use which portal page. The rules themselves live in tongban.cases.access.

Applicants and agents sign in here; their own cases are theirs to follow. A case's files and
notices are also served to the staff who may see it (they reach the same URLs from the desk).
Someone else's case is a 404, never a 403."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from tongban.cases.access import case_for
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


def case_for_owner(request, number: str) -> Case:
    """The signed-in applicant's (or agent's) own case, or 404. (For the portal's people, what
    they may see is what is theirs: cases.access.)"""
    if not is_portal_user(request.user):
        raise Http404("办件不存在")
    return case_for(request.user, number)


def case_for_viewer(request, number: str) -> Case:
    """A case for anyone who may see it: its applicant or agent, or staff (for files and
    notices), or 404."""
    return case_for(request.user, number)

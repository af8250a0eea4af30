"""Who gets the desk, which case a user may open there, and the sign-in lock-out.

The case rules themselves live in tongban.cases.access; this file only applies them at the
edge of the desk (404 for someone else's case, pretix style)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from tongban.cases.access import case_for
from tongban.cases.models import Case
from tongban.offices.models import Office, Window
from tongban.people.models import Role, User

DESK_ROLES = {Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR, Role.AGENT}
PORTAL_URL = "/"


def role_view(roles=None, *, refused="", applicants_to_portal: bool = True):
    """A decorator for views of signed-in users with one of `roles` (None: any but an
    applicant): the anonymous go to the sign-in page, applicants to the portal (or get 403,
    without `applicants_to_portal`), anyone else 403 with the message `refused`."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("desk:login"))
            if user.role == Role.APPLICANT and applicants_to_portal:
                return redirect(PORTAL_URL)
            if (roles is not None and user.role not in roles) or user.role == Role.APPLICANT:
                raise PermissionDenied(refused)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# Signed-in staff with a desk role; administrators and auditors work elsewhere (403).
desk_view = role_view(DESK_ROLES, refused=gettext_lazy("柜台仅供经办人员使用"))


def clerks_only(user) -> None:
    if user.role != Role.CLERK or user.office_id is None:
        raise PermissionDenied(gettext_lazy("只有窗口受理员可以办理窗口申请"))


def case_for_page(user, number: str) -> Case:
    """The case `number` with everything its page shows, or 404 if `user` may not see it
    (cases.access.case_for). Its offices and people come in two small queries: with all ten
    foreign keys joined PostgreSQL spent ~70 ms planning the query on a million cases (0.5 ms
    running it)."""
    case = case_for(user, number)
    offices = Office.objects.in_bulk(
        {case.insured_region_id, case.handling_office_id, case.accepting_office_id} - {None}
    )
    people = User.objects.in_bulk({case.owner_id, case.submitted_by_id, case.agent_id} - {None})
    case.insured_region = offices[case.insured_region_id]
    case.handling_office = offices.get(case.handling_office_id)
    case.accepting_office = offices.get(case.accepting_office_id)
    case.submitted_by = people[case.submitted_by_id]
    case.owner = people.get(case.owner_id)
    case.agent = people.get(case.agent_id)
    if case.window_id:
        case.window = Window.objects.select_related("hall").get(pk=case.window_id)
    return case

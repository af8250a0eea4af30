"""Who gets the supervision pages: supervisors (科长/监察) of an office, and of the city for
everything; the window rating page belongs to the staff of the office that handled the case."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.access import case_for
from tongban.cases.models import Case
from tongban.lib.errors import NotFound
from tongban.people.models import STAFF_ROLES, Role


def _signed_in(view, allowed, message):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("desk:login"))
        if user.role not in allowed or user.office_id is None:
            raise PermissionDenied(message)
        return view(request, *args, **kwargs)

    return wrapper


def supervisors_only(view):
    return _signed_in(view, {Role.SUPERVISOR}, gettext_lazy("督办页面仅供科长/监察使用"))


def staff_only(view):
    return _signed_in(view, STAFF_ROLES, gettext_lazy("仅供经办人员使用"))


def case_for_window_rating(user, number: str) -> Case:
    """The case `number` if `user` may hand its applicant the rating tablet, else 404: a case
    they may see (cases.access.case_for) that their office accepted or handles."""
    case = case_for(user, number)
    if user.office_id not in {case.handling_office_id, case.accepting_office_id}:
        raise NotFound(_("办件 %(number)s 不存在") % {"number": number}, code="case_not_found")
    return case

"""Who sees an enquiry and who may hand it on or close it (首问负责, docs/domain.md).

Every face asks here: the desk's lists and forms, the API, and the services themselves."""

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.lib.errors import Forbidden, NotFound
from tongban.people.models import STAFF_ROLES, Role, User

from .models import Consultation

_PK_MAX = 2**63 - 1  # a bigger id in a path is no enquiry, not a database error
_DIGITS = re.compile(r"[0-9]{1,19}")


def is_staff(user) -> bool:
    """Staff who take enquiries: a clerk, reviewer, second reviewer or supervisor with an
    office (agents and administrators do not)."""
    return (
        user is not None
        and user.is_authenticated
        and user.role in STAFF_ROLES
        and user.office_id is not None
    )


def staff_required(user) -> None:
    """Forbidden (`staff_only`) for anyone who takes no enquiries: the API's lists ask this
    (the desk answers such a user 404, as it does for its other pages of an office)."""
    if not is_staff(user):
        raise Forbidden(_("只有经办机构工作人员可以查看和办理咨询"), code="staff_only")


def consultations_visible(user) -> QuerySet:
    """The enquiries `user` may see: those of their office and those they own now, wherever
    asked; a city supervisor sees every office's. Nobody else sees any."""
    qs = Consultation.objects.all()
    if not is_staff(user):
        return qs.none()
    if user.is_city_supervisor:
        return qs
    return qs.filter(Q(office_id=user.office_id) | Q(owner_id=user.pk))


def consultation_visible(user, consultation: Consultation) -> bool:
    if not is_staff(user):
        return False
    return (
        user.is_city_supervisor
        or consultation.office_id == user.office_id
        or consultation.owner_id == user.pk
    )


def consultation_for(user, pk) -> Consultation:
    """The enquiry `pk` if `user` may see it, else NotFound (`consultation_not_found`): someone
    else's enquiry is not there for them, as a case is not."""
    found = None
    number = pk if isinstance(pk, int) else int(pk) if _DIGITS.fullmatch(str(pk)) else 0
    if 0 < number <= _PK_MAX:
        found = (
            consultations_visible(user)
            .select_related("owner", "clerk", "item", "office")
            .filter(pk=number)
            .first()
        )
    if found is None:
        raise NotFound(_("咨询记录 %(id)s 不存在") % {"id": pk}, code="consultation_not_found")
    return found


def may_hand_on(user: User, consultation: Consultation) -> bool:
    """The owner hands on their enquiry; a supervisor of the enquiry's office, or of the city,
    may hand it on for them (the owner is away, or left)."""
    if not is_staff(user):
        return False
    if consultation.owner_id == user.pk:
        return True
    return user.role == Role.SUPERVISOR and (
        user.is_city_supervisor or user.office_id == consultation.office_id
    )


def may_close(user: User, consultation: Consultation) -> bool:
    """Only the owner closes: the one who answers for the enquiry gives the final reply."""
    return is_staff(user) and consultation.owner_id == user.pk

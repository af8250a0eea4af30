"""What every staff page shows, whatever the page: a template context processor."""

from django.utils import timezone

from tongban.people.models import Role
from tongban.workdays.services import calendar_year_missing


def calendar_alert(request) -> dict:
    """The year whose holidays are not loaded yet, for those who load them (the catalog
    administrators) and the city's supervisors (docs/domain.md, "Years not yet loaded")."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if user.role != Role.CATALOG_ADMIN and not user.is_city_supervisor:
        return {}
    year = calendar_year_missing(timezone.localdate())
    return {"calendar_missing_year": year} if year else {}

import time

from django.db import models

from .models import AgentPoint, Office, Window

# An office's code is its identity (the division code): kept per process once read.
_CODES: dict[int, str] = {}


def offices_handling():
    """The city's handling offices (the city bureau and the counties), for the filters and
    pickers people choose an office from: never the province row the tree hangs from, nor a
    partner office of another region."""
    return Office.objects.filter(
        external=False, level__in=(Office.Level.CITY, Office.Level.COUNTY)
    ).order_by("code")


def office_codes(pks) -> dict[int, str]:
    """{pk: division code} for the given office pks; a query only for pks not seen before."""
    missing = {pk for pk in pks if pk is not None and pk not in _CODES}
    if missing:
        _CODES.update(Office.objects.filter(pk__in=missing).values_list("pk", "code"))
    return {pk: _CODES[pk] for pk in pks if pk in _CODES}


# An agent point's code is fixed once made (the admin shows it read-only): kept per process.
_POINT_CODES: dict[int, str] = {}


def agent_point_codes(pks) -> dict[int, str]:
    """{pk: code} for the given agent point pks; a query only for pks not seen before."""
    missing = {pk for pk in pks if pk is not None and pk not in _POINT_CODES}
    if missing:
        _POINT_CODES.update(AgentPoint.objects.filter(pk__in=missing).values_list("pk", "code"))
    return {pk: _POINT_CODES[pk] for pk in pks if pk in _POINT_CODES}


def agent_points_listed(*, office: Office | None = None, include_inactive: bool = False):
    """The agent points (of `office` and the offices under it, when given), by office and
    code, with their office and their agents' count."""
    qs = AgentPoint.objects.select_related("office").order_by("office__code", "code")
    if office is not None:
        qs = qs.filter(models.Q(office=office) | models.Q(office__parent=office))
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.annotate(agents_count=models.Count("agents", filter=models.Q(agents__is_active=True)))


def offices_cache_clear() -> None:
    _POINT_CODES.clear()
    _CODES.clear()
    _BY_CODE.clear()
    _WINDOWS.clear()


# Offices change a few times a year (the admin): a process keeps what it read of one for a
# minute, so that an application at the window does not look its office and the applicant's
# region up again every time.
_BY_CODE: dict[str, tuple[float, Office]] = {}
OFFICE_CACHE_SECONDS = 60


def office_by_code(code: str) -> Office | None:
    """The office with division code `code`, or None."""
    now = time.monotonic()
    hit = _BY_CODE.get(code)
    if hit is not None and hit[0] > now:
        return hit[1]
    office = Office.objects.filter(code=code).first()
    if office is not None:
        _BY_CODE[code] = (now + OFFICE_CACHE_SECONDS, office)
    return office


_WINDOWS: dict[int, tuple[float, Window | None]] = {}


def office_window(office_id: int) -> Window | None:
    """The 通办 window where the office's clerks take applications (its first, by hall and
    number), or None; kept per process like the offices. tongban does not yet seat each clerk
    at a window of their own."""
    now = time.monotonic()
    hit = _WINDOWS.get(office_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    window = Window.objects.filter(hall__office_id=office_id, tongban=True).first()
    _WINDOWS[office_id] = (now + OFFICE_CACHE_SECONDS, window)
    return window

"""Loading a year's working-day calendar: one operation over the calendar, the cases and the jobs.

The State Council publishes next year's holidays each November (docs/domain.md, "Working
days"). Loading a notice, or correcting a day by hand in the admin, changes which days count:
the open cases' dates move in the same transaction, and the figures' handling days are
refreshed by a background job once the change is committed. `tongban.workdays` only stores
and counts days; this module ties it to what depends on them. The `load-calendar` command, the
calendar's admin page and the demo all come here.
"""

from django.db import transaction

from tongban.audit.services import record
from tongban.cases.services import case_dates_recompute
from tongban.evaluations.services import rectification_dues_recompute
from tongban.workdays.models import CalendarYear
from tongban.workdays.services import calendar_years_load

from . import tasks


@transaction.atomic
def calendar_load(
    *, data: dict, year: int | None = None, by=None, source: str = ""
) -> list[CalendarYear]:
    """Load (or replace) the years of a holidays.json-shaped `data` and move what depends on
    them; see workdays.services.calendar_years_load for the shapes and `year`. Audited
    (calendar.loaded) with `by` (None: the console) and `source` (the file's name).

    Raises workdays.services.CalendarError naming every problem; then nothing is written."""
    years = calendar_years_load(data=data, year=year)
    if years:
        moved = calendar_changed(year=min(cy.year for cy in years))
        record(event="calendar.loaded", user=by, target=",".join(str(cy.year) for cy in years),
               source=source, cases_moved=moved)  # fmt: skip
    return years


def calendar_corrected(*, year: int, by, ip: str | None = None) -> int:
    """Days of `year` corrected by hand (the calendar's admin page): what depends on them moves
    as after a load, audited as calendar.corrected."""
    moved = calendar_changed(year=year)
    record(event="calendar.corrected", user=by, ip=ip, target=str(year), cases_moved=moved)
    return moved


def calendar_changed(*, year: int) -> int:
    """The days of `year` (and perhaps later ones) changed: count every open date again now, in
    the caller's transaction (the cases' deadlines, pre-review and supplement limits, the
    rectifications' due dates; a rating window is counted when asked), and the figures from
    that year on after it commits. Returns how many cases' dates moved."""
    moved = case_dates_recompute(year=year)
    rectification_dues_recompute(year=year)
    transaction.on_commit(lambda: tasks.stats_rollup_refresh.enqueue(since=f"{year}-01-01"))
    return moved

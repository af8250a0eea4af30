"""Working-day arithmetic (行政许可法 §82) over the State Council's yearly holiday notices.

A day is a working day when it is a listed make-up working day (调休上班), or a Monday–Friday
outside the rest periods. CalendarDay holds every day of the rest periods (is_workday False) and
every make-up day (is_workday True); any other day follows the Monday–Friday rule. A year without
a CalendarYear row is counted Monday–Friday only, and a Due that counts through it is provisional.

Every call costs one query (add(d, 0) costs none): the loaded years and the CalendarDay rows of
the window being counted, in one prepared LEFT JOIN. No process cache, so a load in another process is
seen at once.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from tongban.lib import sql

from .models import CalendarDay, CalendarYear

BUILTIN_FILE = Path(__file__).resolve().parent / "data" / "holidays.json"

ONE_DAY = timedelta(days=1)
# A notice may reach back into the last days of the previous year: the 2019 notice put
# 元旦 at 2018-12-30..2019-01-01 with 2018-12-29 as a make-up day.
SPILL_BEFORE_YEAR = timedelta(days=7)
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class CalendarError(ValueError):
    """The holiday data is malformed. `errors` lists every problem, each naming its place."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class Due:
    date: date
    provisional: bool  # True when any day counted lies in a year that is not loaded


# --- Arithmetic ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """What the database says about the days lo..hi (inclusive), loaded with one query by
    span(); for pages that count many deadlines at once."""

    lo: date
    hi: date
    loaded: frozenset[int]  # loaded years among lo.year..hi.year
    days: dict[date, bool]  # CalendarDay rows in lo..hi: date -> is_workday

    def is_workday(self, d: date) -> bool:
        found = self.days.get(d)
        return d.weekday() < 5 if found is None else found

    def is_loaded(self, first: date, last: date) -> bool:
        return all(y in self.loaded for y in range(first.year, last.year + 1))

    def count(self, start: date, n: int, *, include_start: bool) -> Due | None:
        """The n-th working day from start (n >= 1), or None when it lies past the span."""
        left = n
        if include_start and self.is_workday(start):
            left -= 1
        d = start
        while left and d < self.hi:
            d += ONE_DAY
            if self.is_workday(d):
                left -= 1
        if left:
            return None
        first = start if include_start else start + ONE_DAY
        return Due(d, provisional=not self.is_loaded(first, d))

    def count_from(self, first: date, days: int) -> Due | None:
        """count_from() within the span, without a query; None when it runs past the end."""
        return self.count(first, days, include_start=True)

    def add(self, start: date, days: int) -> Due | None:
        """add() within the span, without a query; None when it runs past the end."""
        if days == 0:
            return Due(start, provisional=False)
        return self.count_from(first_counted_day(start), days)

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]; both must lie within the span (start may be lo - 1)."""
        if end <= start:
            return 0
        first = start + ONE_DAY
        if first < self.lo or end > self.hi:
            raise ValueError(f"({start}, {end}] is outside the span {self.lo}..{self.hi}")
        weeks, rest = divmod((end - first).days + 1, 7)
        count = weeks * 5 + sum((first.weekday() + i) % 7 < 5 for i in range(rest))
        for d, workday in self.days.items():
            if first <= d <= end and workday != (d.weekday() < 5):
                count += 1 if workday else -1
        return count

    def left(self, today: date, due: date) -> int:
        """Working days from `today` until `due`: 0 on the day itself, negative once past it
        (-1 on the first working day after). Both must lie within the span."""
        return self.between(today, due) if due >= today else -self.between(due, today)


def span(lo: date, hi: date) -> Span:
    """The calendar of lo..hi in one query, for counting many dates within it."""
    _check_date(lo)
    _check_date(hi)
    return _window(lo, hi)


def span_of(dates) -> Span | None:
    """The calendar of the days from the earliest of `dates` to the latest (None when there are
    none): what a list of cases needs to count each one's days in one query."""
    dates = [d for d in dates if d is not None]
    return span(min(dates), max(dates)) if dates else None


def _window(lo: date, hi: date) -> Span:
    # One query: each loaded year near the window, LEFT JOINed to its rows inside the window.
    # hi.year + 1 because a notice can own the last days of the previous December.
    loaded, days = set(), {}
    for year, day, workday in _WINDOW_ROW.fetch(_WINDOW_SQL, [lo, hi, lo.year, hi.year + 1]):
        loaded.add(year)
        if day is not None:
            days[day] = workday
    return Span(lo, hi, frozenset(loaded), days)


# Every acceptance counts a deadline: a prepared statement, not the ORM (tongban.lib.sql).
_WINDOW_SQL = (
    f"SELECT y.year, d.date, d.is_workday FROM {sql.table(CalendarYear)} y "
    f"LEFT JOIN {sql.table(CalendarDay)} d ON d.year_id = y.id AND d.date BETWEEN %s AND %s "
    "WHERE y.year BETWEEN %s AND %s"
)
_WINDOW_ROW = sql.Row(
    None, CalendarDay._meta.get_field("date"), CalendarDay._meta.get_field("is_workday")
)


def _check_date(d: date) -> None:
    # datetime is a date subclass: timezone.now() here would count from the UTC date.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a local date, not {d!r}")


def _count(start: date, n: int, *, include_start: bool) -> Due:
    """The n-th working day from start (n >= 1); start itself counts if include_start."""
    # Rest runs top out around ten days, so 2n + 21 days nearly always suffice; if not,
    # widen and ask again rather than guess wrong.
    span = 2 * n + 21
    while True:
        due = _window(start, start + timedelta(days=span)).count(
            start, n, include_start=include_start
        )
        if due is not None:
            return due
        span *= 2


def is_workday(d: date) -> bool:
    """Whether d is a working day (an unloaded year: Monday–Friday)."""
    _check_date(d)
    return _window(d, d).is_workday(d)


def add(start: date, days: int) -> Due:
    """The deadline of `days` working days counted from an event on `start`.

    TONGBAN_COUNT_FROM "next_day" (民法典 §201): the days-th working day strictly after start.
    "same_day": start counts as day 1 if it is a working day. days == 0 is start itself
    (即时办结), never rolled to a working day. Raises ValueError for negative days.
    """
    _check_date(start)
    if days < 0:
        raise ValueError(f"days must not be negative, not {days}")
    if days == 0:
        return Due(start, provisional=False)  # nothing counted, nothing to guess
    return _count(start, days, include_start=_count_from() == "same_day")


def first_counted_day(event_day: date) -> date:
    """The first day a time limit counts after its starting event on `event_day` (an
    acceptance): the next day (TONGBAN_COUNT_FROM "next_day", 民法典 §201), or the day itself
    ("same_day", where a local rule counts it). A clock that resumes after a supplement always
    counts from the next day (docs/domain.md, "Clock stops")."""
    _check_date(event_day)
    return event_day if _count_from() == "same_day" else event_day + ONE_DAY


def count_from(first: date, days: int) -> Due:
    """The `days`-th working day counting from `first` itself (days >= 1): the deadline of a
    clock whose first counted day is `first`. add(d, n) is count_from(first_counted_day(d), n)."""
    _check_date(first)
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    return _count(first, days, include_start=True)


def days_counted(first: date, through: date) -> int:
    """Working days in [first, through]: what a clock that counts from `first` has used by the
    end of `through` (0 when through is before first). One query."""
    return between(first - ONE_DAY, through)


def _count_from() -> str:
    count_from = getattr(settings, "TONGBAN_COUNT_FROM", "next_day")
    if count_from not in ("next_day", "same_day"):
        raise ImproperlyConfigured(
            f"TONGBAN_COUNT_FROM must be next_day or same_day, not {count_from!r}"
        )
    return count_from


def between(start: date, end: date) -> int:
    """The number of working days in (start, end]; 0 when end <= start.

    Used for clock stops (the stopped working days are added back) and handling times.
    """
    _check_date(start)
    _check_date(end)
    if end <= start:
        return 0
    return _window(start + ONE_DAY, end).between(start, end)


def left(today: date, due: date) -> int:
    """Working days from `today` until `due` (Span.left): one query."""
    _check_date(today)
    _check_date(due)
    lo, hi = min(today, due), max(today, due)
    return _window(lo, hi).left(today, due)


def calendar_year_missing(today: date) -> int | None:
    """The year whose holiday notice should be loaded and is not: the current one, always; the
    next one from TONGBAN_CALENDAR_ALERT_FROM (MM-DD, 1 November: the State Council publishes
    it each November) on. None when nothing is missing. One query."""
    _check_date(today)
    alert_from = getattr(settings, "TONGBAN_CALENDAR_ALERT_FROM", "11-01")
    try:
        month, day = (int(part) for part in alert_from.split("-"))
        from_day = date(today.year, month, day)
    except ValueError:
        raise ImproperlyConfigured(
            f"TONGBAN_CALENDAR_ALERT_FROM must be MM-DD, not {alert_from!r}"
        ) from None
    wanted = [today.year] + ([today.year + 1] if today >= from_day else [])
    loaded = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return next((year for year in wanted if year not in loaded), None)


def instant_due(at: datetime) -> Due:
    """The deadline of an instant item (即办件) handed in at the aware datetime `at`.

    The same local day if that is a working day and the local time is before
    TONGBAN_INSTANT_CUTOFF (the hall's closing time); otherwise the next working day.
    Raises ValueError for a naive datetime.
    """
    if not isinstance(at, datetime) or timezone.is_naive(at):
        raise ValueError(f"instant_due needs an aware datetime, not {at!r}")
    local = timezone.localtime(at, timezone.get_default_timezone())  # the city's day
    cutoff = getattr(settings, "TONGBAN_INSTANT_CUTOFF", time(17, 30))
    # "The first working day from today, today included" before the cut-off; after it,
    # the first working day strictly after today.
    return _count(local.date(), 1, include_start=local.time() < cutoff)


# --- Loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    year: int
    notice: dict
    days: dict[date, tuple[bool, str]]  # date -> (is_workday, name)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value, where: str, errors: list[str]) -> date | None:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    return None


def _parse_text(
    obj: dict, key: str, where: str, errors: list[str], *, max_length: int, required: bool
):
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(
            f"{where}.{key}: expected {'non-empty ' if required else ''}text, not {value!r}"
        )
        return ""
    if len(value) > max_length:
        errors.append(f"{where}.{key}: longer than {max_length} characters")
    return value.strip()


def _parse_year(data, year, prefix: str = "") -> _Year:
    """Validate one year's object completely; raise CalendarError listing every problem."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise CalendarError([f"{prefix or 'data'}: expected an object, not {type(data).__name__}"])
    if year is None:
        year = data.get("year")
    elif data.get("year") not in (None, year):
        errors.append(f"{prefix}year: {data['year']!r} does not match the year given ({year})")
    if isinstance(year, str) and year.isdigit():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9999:
        raise CalendarError(
            errors + [f'{prefix}year: {year!r} is not a year (pass year= or include "year")']
        )

    notice = data.get("notice")
    fields = {}
    if not isinstance(notice, dict):
        errors.append(f"{prefix}notice: expected an object with title, doc_no, issued, url")
    else:
        where = f"{prefix}notice"
        fields["notice_title"] = _parse_text(
            notice, "title", where, errors, max_length=200, required=True
        )
        fields["doc_no"] = _parse_text(
            notice, "doc_no", where, errors, max_length=100, required=False
        )
        fields["url"] = _parse_text(notice, "url", where, errors, max_length=500, required=False)
        issued = notice.get("issued")
        fields["issued"] = (
            None if issued is None else _parse_date(issued, f"{where}.issued", errors)
        )

    first_allowed, last_allowed = date(year, 1, 1) - SPILL_BEFORE_YEAR, date(year, 12, 31)
    days: dict[date, tuple[bool, str]] = {}
    seen: dict[date, str] = {}  # date -> where it was first listed, to name duplicates

    def claim(d: date, where: str, value: tuple[bool, str]) -> None:
        if d in seen:
            errors.append(f"{where}: {d} is also listed at {seen[d]}")
        else:
            seen[d] = where
            days[d] = value

    periods = data.get("periods")
    if not isinstance(periods, list) or not periods:
        errors.append(f"{prefix}periods: expected a non-empty list")
        periods = []
    for i, period in enumerate(periods):
        where = f"{prefix}periods[{i}]"
        if not isinstance(period, dict):
            errors.append(
                f"{where}: expected an object with name, start, end, days, makeup_workdays"
            )
            continue
        name = _parse_text(period, "name", where, errors, max_length=40, required=True)
        start = _parse_date(period.get("start"), f"{where}.start", errors)
        end = _parse_date(period.get("end"), f"{where}.end", errors)
        length = period.get("days")
        if not isinstance(length, int) or isinstance(length, bool) or length < 1:
            errors.append(f"{where}.days: {length!r} is not a positive whole number")
            length = None
        if start and end:
            if end < start:
                errors.append(f"{where}.end: {end} is before start {start}")
            elif start < first_allowed or end > last_allowed or end.year != year:
                errors.append(f"{where}: {start}..{end} is outside {year}")
            else:
                if length is not None and length != (end - start).days + 1:
                    errors.append(
                        f"{where}.days: {length} does not match {start}..{end} ({(end - start).days + 1} days)"
                    )
                d = start
                while d <= end:
                    claim(d, where, (False, name))
                    d += ONE_DAY
        makeups = period.get("makeup_workdays", [])
        if not isinstance(makeups, list):
            errors.append(f"{where}.makeup_workdays: expected a list of dates")
            makeups = []
        for j, value in enumerate(makeups):
            mwhere = f"{where}.makeup_workdays[{j}]"
            d = _parse_date(value, mwhere, errors)
            if d is None:
                continue
            if not first_allowed <= d <= last_allowed:
                errors.append(f"{mwhere}: {d} is outside {year}")
            elif d.weekday() < 5:
                errors.append(
                    f"{mwhere}: {d} is a {WEEKDAY_NAMES[d.weekday()]}, not a Saturday or Sunday"
                )
            else:
                claim(d, mwhere, (True, f"{name}调休上班"))
    if errors:
        raise CalendarError(errors)
    return _Year(year, fields, days)


def _write(parsed: _Year) -> CalendarYear:
    clashes = (
        CalendarDay.objects.filter(date__in=list(parsed.days))
        .exclude(year__year=parsed.year)
        .select_related("year")
        .order_by("date")
    )
    if problems := [
        f"{c.date} is already set by the {c.year.year} notice ({c.name})" for c in clashes
    ]:
        raise CalendarError(problems)
    # Keep the row (and its pk) when replacing: only its notice and days change.
    cy = CalendarYear.objects.select_for_update().filter(year=parsed.year).first() or CalendarYear(
        year=parsed.year
    )
    for field, value in parsed.notice.items():
        setattr(cy, field, value)
    cy.save()  # bumps loaded_at
    cy.days.all().delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d, year=cy, is_workday=workday, name=name)
        for d, (workday, name) in sorted(parsed.days.items())
    )
    return cy


@transaction.atomic
def calendar_year_load(*, data: dict, year: int | None = None) -> CalendarYear:
    """Load (or replace) one year in the holidays.json per-year shape.

    data is {"notice": {...}, "periods": [...]}; the year comes from `year` or from
    data["year"] (if both are given they must agree). The whole input is validated first;
    CalendarError lists every problem and nothing is written. Only the calendar's own tables
    change: tongban.ops.calendar.calendar_load also moves the open cases' dates.
    """
    return _write(_parse_year(data, year))


def _split_years(data, year: int | None) -> list[tuple[int | None, dict, str]]:
    if isinstance(data, dict) and "years" in data:
        years = data["years"]
        if not isinstance(years, dict) or not years:
            raise CalendarError(["years: expected an object of year -> arrangement"])
        picked = [(key, obj) for key, obj in years.items() if year is None or key == str(year)]
        if not picked:
            raise CalendarError([f"years: {year} is not in the file"])
        errors, out = [], []
        for key, obj in picked:
            if not (isinstance(key, str) and key.isdigit()):
                errors.append(f"years: {key!r} is not a year")
            else:
                out.append((int(key), obj, f"years.{key}."))
        if errors:
            raise CalendarError(errors)
        return out
    return [(year, data, "")]


@transaction.atomic
def calendar_years_load(*, data: dict, year: int | None = None) -> list[CalendarYear]:
    """Load a whole holidays.json ({"years": {"2027": {...}}}) or one year's object.

    With `year`, only that year of a whole file is loaded (or it names a bare year's object).
    Every year is validated before any is written; raises CalendarError naming every problem.
    """
    parsed, errors = [], []
    for y, obj, prefix in _split_years(data, year):
        try:
            parsed.append(_parse_year(obj, y, prefix))
        except CalendarError as e:
            errors += e.errors
    if errors:
        raise CalendarError(errors)
    return [_write(p) for p in parsed]


def calendar_builtin_data() -> dict:
    """The notices packaged in tongban/workdays/data/holidays.json (2025 and 2026)."""
    return json.loads(BUILTIN_FILE.read_text(encoding="utf-8"))

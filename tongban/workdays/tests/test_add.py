from datetime import date, timedelta

import chinese_calendar
import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from tongban.workdays.services import Due, add, between

pytestmark = pytest.mark.django_db


def d(s: str) -> date:
    return date.fromisoformat(s)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-03-07", 5, "2025-03-14"),  # Friday: plain week
        ("2025-01-24", 1, "2025-01-26"),  # the make-up Sunday counts
        ("2025-01-24", 2, "2025-01-27"),
        ("2025-01-24", 3, "2025-02-05"),  # 春节 2025-01-28..02-04 skipped
        ("2025-02-07", 1, "2025-02-08"),  # make-up Saturday
        ("2025-04-25", 1, "2025-04-27"),  # make-up Sunday before 劳动节
        ("2025-04-30", 1, "2025-05-06"),  # 劳动节 2025-05-01..05 skipped
        ("2025-09-26", 1, "2025-09-28"),  # make-up Sunday before 国庆节
        ("2025-09-30", 1, "2025-10-09"),  # 国庆节、中秋节 2025-10-01..08 skipped
        ("2025-09-30", 3, "2025-10-11"),  # make-up Saturday after it
        ("2026-02-13", 1, "2026-02-14"),  # 2026 make-up Saturday
        ("2026-02-14", 1, "2026-02-24"),  # 春节 2026-02-15..23 skipped
        ("2026-02-27", 1, "2026-02-28"),
        ("2026-09-30", 1, "2026-10-08"),  # 国庆节 2026-10-01..07
        ("2026-10-09", 1, "2026-10-10"),
    ],
)
def test_it_counts_official_working_days(calendar, start, days, due):
    assert add(d(start), days) == Due(d(due), provisional=False)


def test_it_counts_from_a_rest_day(calendar):
    # Accepted on a holiday: the count still starts the next day.
    assert add(d("2025-10-01"), 1) == Due(d("2025-10-09"), provisional=False)


def test_it_crosses_from_2025_into_2026(calendar):
    # 12-29, 12-30, 12-31, then 元旦 2026-01-01..03, the make-up Sunday 01-04, Monday 01-05.
    assert add(d("2025-12-26"), 5) == Due(d("2026-01-05"), provisional=False)
    assert add(d("2025-12-31"), 1) == Due(d("2026-01-04"), provisional=False)


def test_a_deadline_in_unloaded_2027_is_provisional(calendar):
    assert add(d("2026-12-30"), 1) == Due(d("2026-12-31"), provisional=False)
    # 2027-01-01 is a Friday: a Monday–Friday guess, though 元旦 is surely a holiday.
    assert add(d("2026-12-31"), 1) == Due(d("2027-01-01"), provisional=True)
    assert add(d("2026-12-25"), 5) == Due(d("2027-01-01"), provisional=True)


def test_a_count_through_unloaded_2024_is_provisional(calendar):
    assert add(d("2024-12-30"), 2) == Due(d("2025-01-02"), provisional=True)
    # The start day is not counted, so an unloaded start year alone does not matter.
    assert add(d("2024-12-31"), 1) == Due(d("2025-01-02"), provisional=False)


def test_without_any_calendar_it_is_monday_to_friday_and_provisional(db):
    assert add(d("2025-01-24"), 3) == Due(d("2025-01-29"), provisional=True)


def test_zero_days_is_the_start_day_itself(calendar, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert add(d("2025-10-01"), 0) == Due(d("2025-10-01"), provisional=False)  # not rolled
        assert add(d("2027-01-01"), 0) == Due(d("2027-01-01"), provisional=False)


def test_it_rejects_negative_days(calendar):
    with pytest.raises(ValueError, match="negative"):
        add(d("2025-03-07"), -1)


def test_a_long_count_is_still_right(calendar):
    # Longer than the first window guessed: 250 working days across both years.
    due = add(d("2025-01-01"), 250)
    assert between(d("2025-01-01"), due.date) == 250
    assert chinese_calendar.is_workday(due.date)


def test_it_costs_one_query(calendar, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        add(d("2025-09-30"), 20)
    with django_assert_max_num_queries(1):
        add(d("2026-12-01"), 60)  # into unloaded 2027


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-03-07", 5, "2025-03-13"),  # Friday counts as day 1
        ("2025-03-07", 1, "2025-03-07"),
        ("2025-03-08", 1, "2025-03-10"),  # Saturday does not count
        ("2025-10-01", 1, "2025-10-09"),  # nor does a holiday
        ("2025-09-28", 1, "2025-09-28"),  # a make-up Sunday does
        ("2025-10-01", 0, "2025-10-01"),
    ],
)
def test_same_day_counts_the_start_day(calendar, settings, start, days, due):
    settings.TONGBAN_COUNT_FROM = "same_day"
    assert add(d(start), days) == Due(d(due), provisional=False)


def test_same_day_start_in_an_unloaded_year_is_provisional(calendar, settings):
    settings.TONGBAN_COUNT_FROM = "same_day"
    assert add(d("2024-12-31"), 1) == Due(d("2024-12-31"), provisional=True)


def _nth_workday_after(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def is_workday_by_reference(day: date) -> bool:
    return chinese_calendar.is_workday(day) if day.year <= 2026 else day.weekday() < 5


@pytest.mark.usefixtures("calendar")
@hypothesis.settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=80),
)
def test_between_undoes_add(start, n):
    due = add(start, n)
    assert between(start, due.date) == n
    assert is_workday_by_reference(due.date)
    if due.date.year <= 2026:
        assert due == Due(_nth_workday_after(start, n), provisional=False)
    else:
        assert due.provisional


@pytest.mark.parametrize("count_from", ["next_day", "same_day"])
def test_a_span_adds_like_add(calendar, settings, count_from):
    from datetime import timedelta

    from tongban.workdays.services import span

    settings.TONGBAN_COUNT_FROM = count_from
    start = date(2025, 9, 20)
    days = span(start, date(2026, 12, 31))
    for offset in range(0, 120, 7):
        for n in (0, 1, 5, 10, 20):
            d = start + timedelta(days=offset)
            assert days.add(d, n) == add(d, n), (d, n)
    assert span(start, start).add(start, 3) is None  # past the span: the caller asks add()

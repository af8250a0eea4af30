from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from tongban.workdays.services import between, is_workday

pytestmark = pytest.mark.django_db


def test_it_agrees_with_chinesecalendar_on_every_day_of_2025_and_2026(calendar):
    d, wrong = date(2025, 1, 1), []
    while d <= date(2026, 12, 31):
        if is_workday(d) != chinese_calendar.is_workday(d):
            wrong.append(d)
        d += timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_between_counts_the_same_working_days_as_chinesecalendar(calendar, year):
    # chinesecalendar's get_workdays(include_weekends=False) drops make-up weekends (docs/domain.md),
    # so count with is_workday.
    expected = sum(
        chinese_calendar.is_workday(date(year, 1, 1) + timedelta(days=i))
        for i in range((date(year, 12, 31) - date(year, 1, 1)).days + 1)
    )
    assert between(date(year - 1, 12, 31), date(year, 12, 31)) == expected


@pytest.mark.parametrize(
    "day",
    ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
    + ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
)
def test_make_up_weekends_are_working_days(calendar, day):
    d = date.fromisoformat(day)
    assert d.weekday() >= 5
    assert is_workday(d)


@pytest.mark.parametrize(
    "day", ["2025-01-01", "2025-01-28", "2025-02-04", "2025-10-08", "2026-02-23"]
)
def test_weekday_holidays_are_rest_days(calendar, day):
    assert not is_workday(date.fromisoformat(day))


def test_an_unloaded_year_is_monday_to_friday(db):
    assert is_workday(date(2025, 1, 1))  # a holiday, but 2025 is not loaded here
    assert not is_workday(date(2025, 1, 26))


def test_it_refuses_a_datetime(db):
    with pytest.raises(TypeError):
        is_workday(datetime(2025, 1, 2, 9, 0))

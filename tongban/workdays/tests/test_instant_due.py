from datetime import date, datetime, time

import pytest

from tongban.workdays.services import Due, instant_due

pytestmark = pytest.mark.django_db


def at(s: str) -> datetime:
    return datetime.fromisoformat(s)


def due(s: str, provisional: bool = False) -> Due:
    return Due(date.fromisoformat(s), provisional)


@pytest.mark.parametrize(
    ("handed_in", "expected"),
    [
        ("2025-03-07 09:00+08:00", "2025-03-07"),
        ("2025-03-07 17:29:59+08:00", "2025-03-07"),
        ("2025-03-07 17:30+08:00", "2025-03-10"),  # at the cut-off: Friday -> Monday
        ("2025-03-07 23:00+08:00", "2025-03-10"),
        ("2025-03-08 10:00+08:00", "2025-03-10"),  # Saturday
        ("2025-10-01 10:00+08:00", "2025-10-09"),  # National Day
        ("2025-09-28 10:00+08:00", "2025-09-28"),  # make-up Sunday is a working day
        ("2025-09-28 18:00+08:00", "2025-09-29"),
        ("2025-09-30 18:00+08:00", "2025-10-09"),
    ],
)
def test_it_is_due_today_before_the_cutoff_on_a_working_day(calendar, handed_in, expected):
    assert instant_due(at(handed_in)) == due(expected)


def test_it_uses_the_local_day_not_the_utc_day(calendar):
    # 2025-03-06 17:00 UTC is Friday 01:00 in Shanghai; 2025-03-07 10:00 UTC is 18:00 there.
    assert instant_due(at("2025-03-06 17:00+00:00")) == due("2025-03-07")
    assert instant_due(at("2025-03-07 10:00+00:00")) == due("2025-03-10")


def test_the_cutoff_is_a_setting(calendar, settings):
    settings.TONGBAN_INSTANT_CUTOFF = time(17, 0)
    assert instant_due(at("2025-03-07 17:15+08:00")) == due("2025-03-10")


def test_it_is_provisional_into_an_unloaded_year(calendar):
    assert instant_due(at("2026-12-31 18:00+08:00")) == due("2027-01-01", provisional=True)


def test_it_refuses_a_naive_datetime(calendar):
    with pytest.raises(ValueError, match="aware"):
        instant_due(datetime(2025, 3, 7, 9, 0))


def test_it_costs_one_query(calendar, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        instant_due(at("2025-09-30 18:00+08:00"))

from datetime import date, timedelta

import pytest

from tongban.workdays.services import add, between, span

pytestmark = pytest.mark.django_db


def d(s: str) -> date:
    return date.fromisoformat(s)


def test_it_counts_working_days_after_start_up_to_end(calendar):
    assert between(d("2025-03-07"), d("2025-03-14")) == 5
    # 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10, 10-11 (make-up Saturday)
    assert between(d("2025-09-26"), d("2025-10-11")) == 6
    assert between(d("2025-09-30"), d("2025-10-08")) == 0  # the whole 国庆节 break


def test_it_is_zero_when_end_is_not_after_start(calendar):
    assert between(d("2025-03-07"), d("2025-03-07")) == 0
    assert between(d("2025-03-14"), d("2025-03-07")) == 0


def test_it_crosses_years(calendar):
    assert between(d("2025-12-26"), d("2026-01-05")) == 5


def test_clock_stop_adds_back_the_stopped_working_days(calendar):
    # Accepted 2025-09-24 with 10 working days; a supplement is asked for on 09-29 and
    # arrives on 10-10, so counting resumes the next day.
    due = add(d("2025-09-24"), 10).date
    assert due == d("2025-10-14")
    stopped = between(d("2025-09-29"), d("2025-10-10"))  # 09-30, 10-09, 10-10
    assert stopped == 3
    assert add(due, stopped).date == d("2025-10-17")


def test_it_costs_one_query(calendar, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        between(d("2025-01-01"), d("2026-12-31"))


def test_a_span_counts_like_between_with_one_query(calendar, django_assert_num_queries):
    start = date(2025, 9, 20)
    with django_assert_num_queries(1):
        days = span(start, start + timedelta(days=140))
    for n in range(0, 140, 3):
        end = start + timedelta(days=n)
        assert days.between(start, end) == between(start, end), end

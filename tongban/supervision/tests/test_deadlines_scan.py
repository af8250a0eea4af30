"""The deadline scan: a yellow card at the threshold, a red card and the overdue flag after the
deadline, each once, and nothing written for a case whose state does not change."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import act
from tongban.cases.models import Case
from tongban.supervision.models import Level, Warning
from tongban.supervision.services import _yellow_cutoffs, deadlines_scan, yellow_days

from .conftest import accepted_on, at

pytestmark = pytest.mark.django_db


def cards(case):
    return sorted(Warning.objects.filter(case=case).values_list("level", flat=True))


def snapshot(case):
    return Case.objects.filter(pk=case.pk).values().get()


@pytest.mark.parametrize(
    ("limit", "share", "days"),
    [(10, 0.2, 2), (20, 0.2, 4), (3, 0.2, 1), (1, 0.2, 1), (0, 0.2, 0), (15, 0.2, 3), (7, 0.5, 3)],
)
def test_yellow_threshold_is_a_share_of_the_limit_and_at_least_one_day(limit, share, days):
    assert yellow_days(limit, share) == days


def test_it_raises_yellow_at_the_threshold_and_red_after_the_deadline(alice, carol):
    case = accepted_on("2025-03-03", alice, carol)  # a Monday
    assert case.deadline == date(2025, 3, 17)  # 10 working days; yellow at 2 days left

    assert deadlines_scan(now=at("2025-03-12 09:00")) == {"red": 0, "yellow": 0, "overdue": 0}
    assert cards(case) == []

    assert deadlines_scan(now=at("2025-03-13 09:00"))["yellow"] == 1  # Thu: Fri and Mon left
    assert cards(case) == [Level.YELLOW]

    assert deadlines_scan(now=at("2025-03-17 16:00")) == {"red": 0, "yellow": 0, "overdue": 0}
    assert not Case.objects.get(pk=case.pk).overdue  # the last day is still in time

    assert deadlines_scan(now=at("2025-03-18 09:00")) == {"red": 1, "yellow": 0, "overdue": 1}
    assert cards(case) == [Level.RED, Level.YELLOW]
    case.refresh_from_db()
    assert case.overdue
    red = Warning.objects.get(case=case, level=Level.RED)
    assert red.deadline == date(2025, 3, 17) and red.office_id == case.handling_office_id


def test_running_it_again_adds_nothing(alice, carol):
    case = accepted_on("2025-03-03", alice, carol)
    deadlines_scan(now=at("2025-03-18 09:00"))
    before = list(Warning.objects.values_list("pk", "level", "raised_at"))
    for day in ("2025-03-18 09:05", "2025-03-19 09:00", "2025-03-31 09:00"):
        assert deadlines_scan(now=at(day)) == {"red": 0, "yellow": 0, "overdue": 0}
    assert list(Warning.objects.values_list("pk", "level", "raised_at")) == before
    assert cards(case) == [Level.RED]  # overdue before any scan saw it nearly due: red only


def test_it_does_not_touch_cases_whose_state_does_not_change(alice, carol):
    quiet = accepted_on("2025-03-10", alice, carol)  # due 2025-03-24
    due = accepted_on("2025-03-03", alice, carol)  # due 2025-03-17
    before = snapshot(quiet)
    with CaptureQueriesContext(connection) as queries:
        result = deadlines_scan(now=at("2025-03-18 09:00"))
    assert result == {"red": 1, "yellow": 0, "overdue": 1}
    assert snapshot(quiet) == before and cards(quiet) == []
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip()[:6].upper() in ("UPDATE", "INSERT", "WITH F")
    ]
    # one guarded UPDATE of the overdue flag (on PostgreSQL feeding the red INSERT), then
    # the INSERTs of cards; no statement per case
    flags = [w for w in writes if "UPDATE" in w.upper()]
    assert len(flags) == 1 and "overdue" in flags[0].split("WHERE", 1)[1]
    assert len(writes) == 1 + (connection.vendor != "postgresql") + len(
        _yellow_cutoffs(date(2025, 3, 18))
    )
    assert Case.objects.get(pk=due.pk).overdue


def test_its_queries_do_not_grow_with_the_number_of_cases(alice, carol):
    accepted_on("2025-03-03", alice, carol)
    with CaptureQueriesContext(connection) as one:
        deadlines_scan(now=at("2025-03-13 09:00"))
    for _ in range(15):
        accepted_on("2025-03-03", alice, carol)
    with CaptureQueriesContext(connection) as many:
        result = deadlines_scan(now=at("2025-03-13 09:00"))
    assert result["yellow"] == 15
    assert len(many) == len(one)


def test_cases_not_running_get_no_cards(alice, carol, rita, sam):
    supplement = accepted_on("2025-03-03", alice, carol)  # the clock stops while waiting
    act(rita, supplement, "request_supplement", missing_materials=["M3"], reason="看不清")
    finished = accepted_on("2025-03-03", alice, carol)
    act(rita, finished, "approve")
    act(sam, finished, "approve")
    assert deadlines_scan(now=at("2025-04-30 09:00")) == {"red": 0, "yellow": 0, "overdue": 0}

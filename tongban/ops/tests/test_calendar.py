"""Loading a calendar year moves what depends on it: the open cases' dates at once, the
figures after commit (tongban.ops.calendar)."""

from datetime import date

import pytest
import time_machine

from conftest import act, submit
from tongban.cases.models import Action
from tongban.ops import calendar as calendar_module
from tongban.ops.calendar import calendar_load
from tongban.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def recompute_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(
        calendar_module, "case_dates_recompute", lambda *, year: calls.append(year) or 0
    )
    return calls


def test_it_loads_the_years_and_recomputes_from_the_first(year_2027, recompute_calls):
    years = calendar_load(data={"years": {"2027": year_2027}}, source="holidays-2027.json")
    assert [cy.year for cy in years] == [2027]
    assert recompute_calls == [2027]
    from tongban.audit.models import AuditEntry

    (entry,) = AuditEntry.objects.filter(event="calendar.loaded")  # a load is audited
    assert entry.target == "2027" and entry.data["source"] == "holidays-2027.json"


def test_bad_data_writes_nothing_and_recomputes_nothing(year_2027, recompute_calls):
    from tongban.workdays.services import CalendarError

    year_2027["periods"][0]["end"] = None
    with pytest.raises(CalendarError):
        calendar_load(data=year_2027, year=2027)
    assert recompute_calls == []
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_rolls_back_the_year_when_recomputing_fails(year_2027, monkeypatch):
    def fail(*, year):
        raise RuntimeError("boom")

    monkeypatch.setattr(calendar_module, "case_dates_recompute", fail)
    with pytest.raises(RuntimeError):
        calendar_load(data=year_2027, year=2027)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_loading_a_year_queues_the_figures_refresh_from_its_first_day(
    year_2027, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_load(data=year_2027, year=2027)
    job = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == before + 1
    assert job.task_path.endswith("stats_rollup_refresh") and job.args_kwargs["kwargs"] == {
        "since": "2027-01-01"
    }


def test_loading_2027_moves_an_open_deadline_with_an_event(carol, alice, calendar, year_2027):
    """Accepted on 2026-12-24 for 10 working days: counted Mon–Fri into the unloaded 2027 the
    deadline is 7 January, provisional; the notice makes 1 January a holiday, so it is the 8th."""
    with time_machine.travel("2026-12-24 10:00+08:00"):
        case = act(alice, submit(carol), "accept")
    assert (case.deadline, case.deadline_provisional) == (date(2027, 1, 7), True)
    version = case.version
    with time_machine.travel("2026-12-28 10:00+08:00"):
        calendar_load(data=year_2027, year=2027)
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (date(2027, 1, 8), False)
    assert case.version == version + 1
    event = case.events.order_by("at", "id").last()
    assert event.action == Action.RECOMPUTE
    assert (event.from_status, event.to_status) == ("accepted", "accepted")
    assert event.data == {
        "deadline": ["2027-01-07", "2027-01-08"],
        "deadline_provisional": [True, False],
    }

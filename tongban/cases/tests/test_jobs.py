"""The rules the background jobs apply: pre-review overrun (行政许可法 §32), 容缺 promises
and supplement requests past their dates. Each is idempotent."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from conftest import act, submit
from tongban.cases.models import Case
from tongban.cases.services import (
    case_dates_recompute,
    cases_deem_accepted_overdue,
    cases_lapse_overdue,
)

pytestmark = pytest.mark.django_db


def test_an_unanswered_online_application_counts_as_accepted_on_the_day_received(carol):
    with time_machine.travel("2025-03-03 10:00+08:00"):  # Monday
        case = submit(carol)
    assert case.prereview_due == date(2025, 3, 10)
    with time_machine.travel("2025-03-10 16:00+08:00"):  # the last day: still time
        assert cases_deem_accepted_overdue() == 0
    with time_machine.travel("2025-03-11 08:00+08:00"):
        assert cases_deem_accepted_overdue() == 1
        assert cases_deem_accepted_overdue() == 0  # idempotent
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert timezone.localdate(case.accepted_at) == date(2025, 3, 3)
    assert case.handling_office.code == "371581"  # carol's insured county answers for it
    assert case.deadline == date(2025, 3, 17)  # 10 working days from receipt
    assert case.events.last().action == "deem_accepted"
    assert case.notices.get().data["deemed"] is True


def test_a_claimed_application_is_deemed_accepted_by_the_claiming_office(carol, alice):
    with time_machine.travel("2025-03-03 10:00+08:00"):
        case = submit(carol)
        act(alice, case, "claim")
    with time_machine.travel("2025-03-12 10:00+08:00"):
        cases_deem_accepted_overdue()
    case.refresh_from_db()
    assert case.handling_office.code == "371522"


def test_a_broken_rongque_promise_ends_the_case(carol, alice):
    case = submit(carol, materials=["M1", "M2"])
    with time_machine.travel("2025-03-03 10:00+08:00"):
        act(alice, case, "accept", promised_supplement_by="2025-03-07")
    with time_machine.travel("2025-03-07 18:00+08:00"):
        assert cases_lapse_overdue()["promise_lapsed"] == 0
    with time_machine.travel("2025-03-10 09:00+08:00"):
        assert cases_lapse_overdue() == {"promise_lapsed": 1, "supplement_lapsed": 0}
        assert cases_lapse_overdue() == {"promise_lapsed": 0, "supplement_lapsed": 0}
    case.refresh_from_db()
    assert (case.status, case.result) == (Case.Status.COMPLETED, Case.Result.DENIED)
    assert "容缺" in case.reason


def test_an_unanswered_supplement_request_refuses_before_and_denies_after_acceptance(
    carol, alice, rita
):
    with time_machine.travel("2025-03-03 10:00+08:00"):
        early = submit(carol, materials=["M1"])
        act(alice, early, "request_supplement", missing_materials=["M2", "M3", "M4"])
        late = submit(carol)
        act(alice, late, "accept")
        act(rita, late, "request_supplement", missing_materials=["M3"], reason="票据模糊")
    early.refresh_from_db()
    assert early.supplement_due == date(2025, 3, 31)  # 20 working days
    with time_machine.travel("2025-04-01 09:00+08:00"):
        assert cases_lapse_overdue() == {"promise_lapsed": 0, "supplement_lapsed": 2}
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == Case.Status.REJECTED and early.notices.last().kind == "refusal"
    assert (late.status, late.result) == (Case.Status.COMPLETED, Case.Result.DENIED)
    assert late.clock_stops.get().ended_on == date(2025, 4, 1)


def test_loading_a_year_firms_up_provisional_deadlines(carol, alice):
    from tongban.workdays.models import CalendarYear

    with time_machine.travel("2026-12-24 10:00+08:00"):
        case = act(alice, submit(carol), "accept")
    assert case.deadline_provisional is True
    assert case.deadline == date(2027, 1, 7)  # a Mon–Fri guess: 1 January is in fact a holiday
    CalendarYear.objects.create(year=2027, notice_title="测试")
    from tongban.workdays.models import CalendarDay

    CalendarDay.objects.create(
        date=date(2027, 1, 1), year=CalendarYear.objects.get(year=2027), is_workday=False
    )
    assert case_dates_recompute(year=2027) == 1
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (date(2027, 1, 8), False)

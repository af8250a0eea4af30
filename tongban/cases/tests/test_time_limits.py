"""Dates counted in working days, worked out by hand on the 2025 and 2026 calendars, on both
counting settings, and across 2026/2027 with 2027 first unloaded, then loaded.

March 2025 has no holidays: Mon 03-03, Tue 03-04, Wed 03-05, Thu 03-06, Fri 03-07, Sat 03-08,
Sun 03-09, Mon 03-10 … 门诊费用报销 (YB07019) has a promised limit of 10 working days."""

from datetime import date

import pytest
import time_machine

from conftest import INSTANT_ITEM, act, submit
from tongban.cases.models import Case
from tongban.cases.services import cases_deem_accepted_overdue, cases_lapse_overdue
from tongban.lib.errors import InvalidInput
from tongban.ops.calendar import calendar_load
from tongban.supervision.models import Level, Warning
from tongban.supervision.services import deadlines_scan
from tongban.workdays.tests.conftest import YEAR_2027

pytestmark = pytest.mark.django_db


def on(day: str, at: str = "10:00"):
    return time_machine.travel(f"{day} {at}+08:00", tick=False)


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize(
    "count_from, deadline, used, resumed_deadline, handling_days",
    [
        # next_day: 03-04 … 03-17 is ten days; the stop on Wed 03-05 has used Tue and Wed (2);
        # a supplement on Saturday 03-08 resumes on Sunday, so 8 left: Mon 03-10 … Wed 03-19.
        # Approved Wed 03-12: 2 + Mon, Tue, Wed = 5.
        ("next_day", date(2025, 3, 17), 2, date(2025, 3, 19), 5),
        # same_day: the acceptance day counts, 03-03 … 03-14; by Wed 03-05 three are used;
        # counting resumes the day after the supplement all the same: 7 left, 03-10 … 03-18.
        ("same_day", date(2025, 3, 14), 3, date(2025, 3, 18), 6),
    ],
)
def test_the_clock_on_both_settings(settings, carol, alice, rita, sam, count_from, deadline,
                                    used, resumed_deadline, handling_days):  # fmt: skip
    settings.TONGBAN_COUNT_FROM = count_from
    with on("2025-03-03"):
        case = act(alice, submit(carol), "accept")
    assert case.deadline == deadline
    with on("2025-03-05"):
        act(rita, case, "request_supplement", missing_materials=["M3"], reason="票据模糊")
    assert (fresh(case).workdays_used, fresh(case).deadline) == (used, None)
    with on("2025-03-08"):
        act(carol, case, "supplement", materials=["M3"])
    assert fresh(case).deadline == resumed_deadline
    with on("2025-03-12"):
        act(sam, act(rita, case, "approve"), "approve")
    from tongban.stats.selectors import Figures, Period

    with on("2025-03-20"):
        summary = Figures(Period(date(2025, 3, 1), date(2025, 3, 31))).summary()
    assert summary["avg_handling_workdays"] == handling_days


def test_an_application_at_the_window_not_decided_on_the_spot_has_the_32_limit(carol_applicant,
                                                                               alice):  # fmt: skip
    """行政许可法 §32 on every channel: registered at the window on Mon 03-03 and left, it is
    deemed accepted once Mon 03-10 (5 working days) has passed."""
    with on("2025-03-03"):
        case = submit(alice, channel="window", applicant=carol_applicant)
    assert (case.prereview_due, case.prereview_due_provisional) == (date(2025, 3, 10), False)
    with on("2025-03-10", "18:00"):
        assert cases_deem_accepted_overdue() == 0
    with on("2025-03-11"):
        assert cases_deem_accepted_overdue() == 1
    case = fresh(case)
    assert (case.status, case.handling_office.code) == (Case.Status.ACCEPTED, "371522")


def test_deciding_at_once_at_the_window_leaves_no_limit(carol_applicant, alice):
    with on("2025-03-03"):
        case = act(alice, submit(alice, channel="window", applicant=carol_applicant), "accept")
    assert (case.prereview_due, case.prereview_started_on) == (None, None)


class TestTheYear2027:
    """2027 unloaded: Friday 1 January is guessed a working day; the notice makes it (and the
    weekend after) a holiday."""

    def test_every_date_says_it_is_a_guess_and_the_jobs_wait(self, carol, alice, rita):
        with on("2026-12-28"):  # Monday
            waiting = submit(carol)  # 29, 30, 31, 1*, 4 → Mon 2027-01-04, a guess
            asked = act(alice, submit(carol), "request_supplement",
                        missing_materials=["M1", "M2", "M3", "M4"])  # fmt: skip
        assert (waiting.prereview_due, waiting.prereview_due_provisional) == (
            date(2027, 1, 4),
            True,
        )
        assert asked.supplement_due_provisional is True
        with on("2027-01-06"):  # past the guess: the jobs do not act on it
            assert cases_deem_accepted_overdue() == 0
            assert cases_lapse_overdue() == {"promise_lapsed": 0, "supplement_lapsed": 0}
        with on("2027-01-06"):
            calendar_load(data=YEAR_2027, year=2027)
        waiting = fresh(waiting)
        assert (waiting.prereview_due, waiting.prereview_due_provisional) == (
            date(2027, 1, 5),
            False,
        )
        assert waiting.events.last().action == "recompute"
        with on("2027-01-06"):
            assert cases_deem_accepted_overdue() == 1

    def test_no_red_card_on_a_guessed_deadline(self, carol, alice):
        with on("2026-12-24"):  # accepted Thursday: due 2027-01-07, a guess
            case = act(alice, submit(carol), "accept")
        assert case.deadline_provisional
        with on("2027-01-11"):
            deadlines_scan()
        assert not Warning.objects.filter(case=case, level=Level.RED).exists()
        with on("2027-01-11"):
            calendar_load(data=YEAR_2027, year=2027)
            deadlines_scan()
        assert fresh(case).deadline == date(2027, 1, 8)
        assert Warning.objects.filter(case=case, level=Level.RED).exists()

    def test_a_rating_window_and_a_rectification_say_so_too(self, carol, alice, rita, sam):
        from tongban.evaluations.models import Rectification
        from tongban.evaluations.services import evaluation_submit, rating_window

        with on("2026-12-30"):
            case = act(sam, act(rita, act(alice, submit(carol), "accept"), "approve"), "approve")
            window = rating_window(case)
            assert (window.date, window.provisional) == (date(2027, 1, 6), True)  # 31, 1*, 4, 5, 6
            evaluation_submit(case=case, score=1, comment="慢", channel="portal", by=carol)
        r = Rectification.objects.get(evaluation__case=case)
        assert (r.due, r.due_provisional) == (date(2027, 1, 6), True)
        with on("2027-01-02"):
            calendar_load(data=YEAR_2027, year=2027)
        r.refresh_from_db()
        assert (r.due, r.due_provisional) == (date(2027, 1, 7), False)


def test_an_instant_item_is_not_accepted_with_a_missing_material(carol, alice, monkeypatch):
    """容缺 is for promised items: an instant one has no time limit for a promise to run in."""
    from tongban.catalog.selectors import item_version_current

    version = item_version_current(code=INSTANT_ITEM)
    monkeypatch.setattr(type(version), "main_material_codes", property(lambda v: set()))
    with on("2025-03-03"):
        case = submit(carol, INSTANT_ITEM, materials=[])
        with pytest.raises(InvalidInput) as e:
            act(alice, case, "accept", promised_supplement_by="2025-03-04")
    assert e.value.code == "rongque_not_for_instant"
    assert fresh(case).status == Case.Status.SUBMITTED


def test_a_promise_may_not_outlive_the_deadline(carol, alice):
    with on("2025-03-03"):
        with pytest.raises(InvalidInput) as e:
            act(alice, submit(carol, materials=["M1", "M2"]), "accept",
                promised_supplement_by="2025-03-18")  # fmt: skip  # deadline 03-17
    assert e.value.code == "invalid_promise_date"


def test_broken_promises_can_exclude_an_applicant_from_rongque(settings, carol, alice):
    with on("2025-03-03"):
        act(alice, submit(carol, materials=["M1", "M2"]), "accept",
            promised_supplement_by="2025-03-05")  # fmt: skip
    with on("2025-03-06"):
        assert cases_lapse_overdue()["promise_lapsed"] == 1
    from tongban.cases.selectors import broken_promises

    assert broken_promises(applicant_id=carol.applicant_id) == 1
    with on("2025-03-10"):
        act(alice, submit(carol, materials=["M1", "M2"]), "accept",
            promised_supplement_by="2025-03-12")  # fmt: skip  # the setting is off by default
        settings.TONGBAN_RONGQUE_EXCLUDE_BROKEN_PROMISES = True
        with pytest.raises(InvalidInput) as e:
            act(alice, submit(carol, materials=["M1", "M2"]), "accept",
                promised_supplement_by="2025-03-12")  # fmt: skip
    assert e.value.code == "rongque_excluded"

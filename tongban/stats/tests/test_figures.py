"""Every figure of the hand-made history (conftest.py), against numbers worked out here."""

from datetime import date

import pytest
import time_machine

from conftest import act, submit
from tongban.stats.selectors import Figures, Filters, Period
from tongban.stats.services import stats_rollup_refresh

from .conftest import TODAY

pytestmark = pytest.mark.django_db

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))

# March, worked out from the table in conftest.py (c1..c10 and c12; c11 is in February and
# c13 in April by local time).
MARCH_FIGURES = {
    "received": 11,
    "accepted": 7,  # c1 c2 c3 c4 c5 c6 c10
    "completed": 4,  # c1 c2 c3 c4
    "approved": 3,  # c1 c2 c4
    "denied": 1,  # c3
    "rejected": 1,  # c7
    "withdrawn": 2,  # c8 (before acceptance), c10 (after)
    "in_progress": 4,  # c5 c6 c9 c12
    "instant_rate": round(1 / 11, 4),  # c1
    "online_rate": round(8 / 11, 4),  # all but the window cases c1 c6 c10
    "no_visit_rate": 0.75,  # c2 c3 c4 of the 4 completed
    "on_time_rate": 0.75,  # c3 finished 03-20 local (03-19 UTC), deadline 03-19
    "overdue_open": 1,  # c5: deadline 03-26, still open on 05-20; c6 is due 12-31
    "overdue_finished": 1,  # c3
    "overdue": 2,
    "extended": 0,
    "with_procedure": 0,
    "assisted": 0,
    "at_agent_point": 0,
    "bundled": 0,
    "urged": 0,
    # c1 0; c2 (03-04, 03-07] = 3; c3 (03-05, 03-20] = 11; c4 2 used + (03-20, 03-25] = 3
    # (03-25 local, 03-24 UTC): (0 + 3 + 11 + 5) / 4
    "avg_handling_workdays": 4.75,
    # handled outside the insured region: c1 (A, carol B), c3 (A, B), c5 (A, B), c6 (B, paul A),
    # c10 (city bureau, acme 371502); c2 (A, A) and c4 (B, B) are not
    "tongban_share": round(5 / 7, 4),
    # Ratings of c1 (2), c2 (3), c4 (4), c7 (2); c3's was excluded on appeal.
    "ratings": 4,
    "satisfaction": 0.5,  # c2 and c4: 3 and above are good
    "bad_ratings": 2,  # c1 c7
    "bad_ratings_open": 1,  # c7
    "bad_ratings_closed_in_time": 1,  # c1
    "bad_ratings_closed_late": 0,
}


def figures(period=MARCH, source="raw", **filters):
    return Figures(period, filters=Filters(**filters), source=source)


@pytest.fixture
def rolled(history):
    with time_machine.travel(TODAY):
        stats_rollup_refresh()


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_every_figure_of_march(history, rolled, source):
    with time_machine.travel(TODAY):
        assert figures(source=source).summary() == MARCH_FIGURES


def test_local_dates_bound_the_period(history):
    with time_machine.travel(TODAY):
        february = figures(Period(date(2025, 2, 1), date(2025, 2, 28))).summary()
        april = figures(Period(date(2025, 4, 1), date(2025, 4, 30))).summary()
    assert february["received"] == 1  # c11, 23:30 on 02-28 local
    assert april["received"] == 2  # c13 (00:10 on 04-01 local) and c14
    assert april["completed"] == 1


def test_handling_days_skip_holidays_and_count_make_up_days(history):
    # c14: accepted Fri 04-25, approved Wed 05-07. 04-27 (Sunday) is a make-up working day,
    # 05-01..05-05 is the May Day holiday: 04-27 28 29 30, 05-06 07 = 6 working days.
    with time_machine.travel(TODAY):
        may = figures(Period(date(2025, 4, 24), date(2025, 4, 24))).summary()
    assert may["avg_handling_workdays"] == 6
    assert may["on_time_rate"] == 1


def test_a_period_without_cases_has_zeros_and_no_rates(history):
    with time_machine.travel(TODAY):
        empty = figures(Period(date(2024, 1, 1), date(2024, 12, 31))).summary()
    assert empty["received"] == 0 and empty["overdue"] == 0
    assert empty["online_rate"] is None and empty["avg_handling_workdays"] is None


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_breakdown_by_office(history, offices, rolled, source):
    with time_machine.travel(TODAY):
        rows = figures(source=source).breakdown("office")
    got = {
        r["key"]: (r["received"], r["accepted"], r["completed"], r["overdue_open"]) for r in rows
    }
    assert got == {
        "371522": (5, 4, 3, 1),  # c1 c2 c3 c5 c7; c7 refused; c5 overdue
        "371581": (2, 2, 1, 0),  # c4 c6
        "371500": (1, 1, 0, 0),  # c10
        "intake": (3, 0, 0, 0),  # c8 c9 c12: never assigned
    }
    assert [r["key"] for r in rows][0] == "371522"  # largest first
    a = next(r for r in rows if r["key"] == "371522")
    assert a["label"] == offices["371522"].name
    assert a["tongban_share"] == 0.75  # c1 c3 c5 of c1 c2 c3 c5
    assert a["avg_handling_workdays"] == round((0 + 3 + 11) / 3, 2)


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_breakdown_by_channel_region_kind(history, rolled, source):
    with time_machine.travel(TODAY):
        f = figures(source=source)
        channel = {r["key"]: r["received"] for r in f.breakdown("channel")}
        region = {r["key"]: r["received"] for r in f.breakdown("insured_region")}
        kind = {r["key"]: (r["received"], r["withdrawn"]) for r in f.breakdown("applicant_kind")}
    assert channel == {"web": 7, "mobile": 1, "window": 3}
    # carol (临清): c1 c3 c4 c5 c7 c8 c12; paul (莘县): c2 c6 c9; acme (东昌府区): c10
    assert region == {"371581": 7, "371522": 3, "371502": 1}
    assert kind == {"person": (10, 1), "employer": (1, 1)}


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_breakdown_by_month(history, rolled, source):
    with time_machine.travel(TODAY):
        rows = figures(Period(date(2025, 2, 1), date(2025, 4, 30)), source=source).breakdown(
            "month"
        )
    assert [(r["key"], r["received"], r["completed"]) for r in rows] == [
        ("2025-02", 1, 0),
        ("2025-03", 11, 4),
        ("2025-04", 2, 1),
    ]


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_filters(history, offices, rolled, source):
    A, B = offices["371522"].pk, offices["371581"].pk
    with time_machine.travel(TODAY):
        in_a = figures(source=source, office=A).summary()
        insured_b = figures(source=source, insured_region=B).summary()
        web_in_a = figures(source=source, office=A, channel="web").summary()
        employers = figures(source=source, applicant_kind="employer").summary()
        intake = figures(source=source, office=0).summary()
    assert (in_a["received"], in_a["completed"], in_a["rejected"], in_a["overdue"]) == (5, 3, 1, 2)
    assert in_a["on_time_rate"] == round(2 / 3, 4)  # c1 c2 on time, c3 late
    # carol's cases: c1 c3 c4 c5 c7 c8 c12; accepted c1 c3 c4 c5, of which c4 is at home in B
    assert (insured_b["received"], insured_b["accepted"], insured_b["tongban_share"]) == (
        7,
        4,
        0.75,
    )
    assert (web_in_a["received"], web_in_a["completed"]) == (3, 1)  # c2 c5 c7
    assert (employers["received"], employers["withdrawn"], employers["tongban_share"]) == (1, 1, 1)
    assert (intake["received"], intake["withdrawn"], intake["in_progress"]) == (3, 1, 2)


def test_the_cases_behind_each_number_are_the_ones_counted(history):
    with time_machine.travel(TODAY):
        f = figures()
        summary = f.summary()
        for figure in ("received", "accepted", "completed", "approved", "denied", "rejected",
                       "withdrawn", "in_progress", "overdue_open", "overdue_finished", "overdue",
                       "ratings", "bad_ratings", "bad_ratings_open", "bad_ratings_closed_in_time",
                       "bad_ratings_closed_late"):  # fmt: skip
            assert f.cases(figure).count() == summary[figure], figure
        numbers = set(f.cases("overdue").values_list("number", flat=True))
    assert numbers == {history["c3"].number, history["c5"].number}


def test_ratings_of_april_and_a_late_rectification(history):
    with time_machine.travel(TODAY):
        april = figures(Period(date(2025, 4, 1), date(2025, 4, 30))).summary()
    assert (april["ratings"], april["satisfaction"], april["bad_ratings"]) == (1, 0, 1)
    # due 05-14, closed 05-15 07:00 local (05-14 23:00 UTC): late by the city's calendar
    assert (april["bad_ratings_closed_in_time"], april["bad_ratings_closed_late"]) == (0, 1)


def test_the_good_rating_line_is_a_setting(history, settings):
    settings.TONGBAN_GOOD_RATING_MIN = 4  # where 3 is neutral
    with time_machine.travel(TODAY):
        march = figures().summary()
    assert (march["satisfaction"], march["bad_ratings"]) == (0.25, 3)  # only c4 is good


def test_handling_days_leave_out_a_clock_stop_in_review(carol, alice, rita, sam):
    """Through the services: accepted Mon 03-03, the second reviewer asks for a supplement on
    Wed 03-05 (clock stopped after 03-04 and 03-05), it arrives Mon 03-10, approved Wed 03-12
    (03-11 and 03-12 counted): 4 working days on the clock, on time."""
    with time_machine.travel("2025-03-03 09:00+08:00"):
        case = submit(carol)
        act(alice, case, "accept")
    with time_machine.travel("2025-03-04 09:00+08:00"):
        act(rita, case, "approve")
    with time_machine.travel("2025-03-05 09:00+08:00"):
        act(sam, case, "request_supplement", missing_materials=["M3"], reason="发票不清晰")
    with time_machine.travel("2025-03-10 09:00+08:00"):
        act(carol, case, "supplement", materials=["M3"])
    with time_machine.travel("2025-03-12 09:00+08:00"):
        act(sam, case, "approve")
    with time_machine.travel("2025-03-13 09:00+08:00"):
        stats_rollup_refresh()
        for source in ("raw", "rollup"):
            march = figures(source=source).summary()
            assert march["completed"] == 1
            assert march["avg_handling_workdays"] == 4
            assert march["on_time_rate"] == 1
            assert march["no_visit_rate"] == 1
            assert march["tongban_share"] == 1  # carol is insured in 临清, handled in 莘县

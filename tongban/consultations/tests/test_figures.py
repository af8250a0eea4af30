"""The figures of enquiries against numbers worked out by hand (selectors' docstring)."""

from datetime import date, datetime

import pytest

from tongban.consultations.selectors import TZ, consultation_figures
from tongban.consultations.services import (
    consultation_close,
    consultation_hand_on,
    consultation_log,
)
from tongban.offices.models import Office


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


NOW = at("2025-03-08 10:00")
WEEK = {"start": date(2025, 3, 3), "end": date(2025, 3, 7), "now": NOW}


@pytest.fixture
def week(alice, bob, rita):
    def log(clerk, asked, close=True):
        return consultation_log(
            clerk=clerk, question="q", answer="a", asked_at=at(asked), close=close
        )

    log(alice, "2025-03-03 09:00")  # A: closed on the spot, 0 h
    b = log(alice, "2025-03-03 10:00", close=False)  # B: closed after 6 h
    consultation_close(consultation=b, by=alice, reply="r", now=at("2025-03-03 16:00"))
    c = log(alice, "2025-03-04 09:00", close=False)  # C: handed on, closed after 48 h
    c = consultation_hand_on(
        consultation=c, by=alice, to="bob", note="n", now=at("2025-03-04 10:00")
    )
    consultation_close(consultation=c, by=bob, reply="r", now=at("2025-03-06 09:00"))
    d = log(alice, "2025-03-07 17:00", close=False)  # D: handed on, open, 17 h old at NOW
    consultation_hand_on(consultation=d, by=alice, to="rita", note="n", now=at("2025-03-07 17:30"))
    log(alice, "2025-03-05 08:00", close=False)  # E: open for more than a day
    log(bob, "2025-03-04 11:00")  # F: at 临清, closed on the spot
    log(alice, "2025-03-02 23:59")  # G: the day before the period
    log(alice, "2025-03-07 23:30")  # I: the period's last evening, closed on the spot
    log(alice, "2025-03-08 00:00")  # H: the day after


def test_one_office(week):
    # A B C D E I; closed A B C I; handed C D; hours (0+6+48+0)/4; within a day A B I of the
    # decided A B C I E (D is 17 h old and open: not yet decided).
    assert consultation_figures(**WEEK, office=Office.objects.get(code="371522")) == {
        "asked": 6, "closed": 4, "open": 2, "handed_on": 2,
        "avg_hours_to_close": 13.5, "closed_within_day_rate": 0.6,
    }  # fmt: skip


def test_the_city(week):
    # + F at 临清: closed 5, hours 54/5, within a day 4 of 6 decided.
    assert consultation_figures(**WEEK) == {
        "asked": 7, "closed": 5, "open": 2, "handed_on": 2,
        "avg_hours_to_close": 10.8, "closed_within_day_rate": 0.6667,
    }  # fmt: skip


def test_the_enquiry_counts_where_it_was_asked_not_where_it_went(week):
    linqing = consultation_figures(**WEEK, office=Office.objects.get(code="371581"))
    assert (linqing["asked"], linqing["handed_on"]) == (1, 0)  # C went to bob, asked at 莘县


def test_an_empty_period_has_no_averages(city):
    assert consultation_figures(start=date(2025, 1, 1), end=date(2025, 1, 31)) == {
        "asked": 0, "closed": 0, "open": 0, "handed_on": 0,
        "avg_hours_to_close": None, "closed_within_day_rate": None,
    }  # fmt: skip


def test_nothing_decided_yet_has_no_rate(alice):
    consultation_log(clerk=alice, question="q", answer="a", asked_at=at("2025-03-07 17:00"),
                     close=False)  # fmt: skip
    f = consultation_figures(**WEEK)
    assert (f["asked"], f["open"], f["closed_within_day_rate"]) == (1, 1, None)

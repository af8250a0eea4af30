"""The rollup: the same figures as the cases themselves, kept up to date day by day."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection

from conftest import act, submit
from tongban.stats.models import StatsDaily, StatsRollupState
from tongban.stats.selectors import BREAKDOWNS, Figures, Filters, Period
from tongban.stats.services import stats_rollup_refresh

from .conftest import TODAY

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def both(period, **filters):
    rolled = Figures(period, filters=Filters(**filters))
    raw = Figures(period, filters=Filters(**filters), source="raw")
    return rolled, raw


@pytest.mark.django_db
def test_rollup_equals_raw_for_every_breakdown_and_filter(history, offices):
    A, B = offices["371522"].pk, offices["371581"].pk
    with time_machine.travel(TODAY):
        stats_rollup_refresh()
        periods = [MARCH, Period(date(2025, 1, 1), date(2025, 5, 20)),
                   Period(date(2025, 3, 12), date(2025, 3, 12))]  # fmt: skip
        filter_sets = [{}, {"office": A}, {"insured_region": B}, {"channel": "web"},
                       {"applicant_kind": "person"}, {"office": A, "channel": "web", "item": None},
                       {"office": B, "insured_region": A}, {"office": 0}]  # fmt: skip
        for period in periods:
            for filters in filter_sets:
                rolled, raw = both(period, **filters)
                assert rolled.summary() == raw.summary(), (period, filters)
                for by in BREAKDOWNS:
                    assert rolled.breakdown(by) == raw.breakdown(by), (period, filters, by)


@pytest.mark.django_db
def test_rows_sum_to_the_total(history):
    with time_machine.travel(TODAY):
        stats_rollup_refresh()
        f = Figures(MARCH)
        total = f.summary()
        for by in BREAKDOWNS:
            rows = f.breakdown(by)
            for name in ("received", "accepted", "completed", "rejected", "withdrawn", "overdue"):
                assert sum(r[name] for r in rows) == total[name], (by, name)


@pytest.mark.django_db
def test_each_level_holds_every_case_once(history):
    with time_machine.travel(TODAY):
        stats_rollup_refresh()
    march = (date(2025, 3, 1), date(2025, 3, 31))
    for level in StatsDaily.Level.values:
        days = StatsDaily.objects.filter(grain="day", level=level, day__range=march)
        assert sum(r.received for r in days) == 11, level
        month = StatsDaily.objects.filter(grain="month", level=level, day=date(2025, 3, 1))
        assert sum(r.received for r in month) == 11, level
    # May is not finished on 05-20: it has day rows only.
    assert not StatsDaily.objects.filter(grain="month", day=date(2025, 5, 1)).exists()


@pytest.mark.django_db
def test_whole_months_are_read_from_the_month_rows(history):
    with time_machine.travel(TODAY):
        stats_rollup_refresh()
        # Take away March's day rows: a period of whole months does not need them...
        StatsDaily.objects.filter(grain="day", day__month=3).delete()
        assert Figures(MARCH).summary()["received"] == 11
        # ...one that ends in the middle of March does.
        assert Figures(Period(date(2025, 3, 1), date(2025, 3, 15))).summary()["received"] == 0


@pytest.mark.django_db
def test_today_is_counted_live_without_a_refresh(carol, alice):
    with time_machine.travel("2025-03-03 09:00+08:00"):
        stats_rollup_refresh()  # nothing yet
        case = submit(carol)
        assert Figures(MARCH).summary()["received"] == 1
        act(alice, case, "accept")
        assert Figures(MARCH).summary()["accepted"] == 1
    assert StatsDaily.objects.count() == 0


@pytest.mark.django_db
def test_a_refresh_redoes_only_the_days_of_changed_cases(carol, alice):
    with time_machine.travel("2025-03-03 09:00+08:00"):  # Monday
        case = submit(carol)
    with time_machine.travel("2025-03-04 09:00+08:00"):
        submit(carol, idempotency_key="second")
    with time_machine.travel("2025-03-06 09:00+08:00"):
        assert stats_rollup_refresh() == 4  # 03-03 .. 03-06 (today, as far as now), the first build
        assert StatsRollupState.objects.get().rolled_through == date(2025, 3, 6)
        act(alice, case, "accept")  # today, on a case of 03-03
        rolled, raw = both(MARCH)
        assert (rolled.summary()["accepted"], raw.summary()["accepted"]) == (0, 1)  # lagging
        assert stats_rollup_refresh() == 1  # 03-03 only
        assert Figures(MARCH).summary()["accepted"] == 1
        assert stats_rollup_refresh() == 1  # looked at once more, in case it was late
        assert stats_rollup_refresh() == 0


def rows():
    return sorted(
        StatsDaily.objects.values_list("grain", "level", "day", "office_id", "item_id", "channel",
                                       "insured_region_id", "applicant_kind", "received",
                                       "completed", "handling_days"),
        key=str,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_refresh_can_be_repeated_and_redone_from_a_date(history):
    with time_machine.travel(TODAY):
        stats_rollup_refresh()
        before = rows()
        assert stats_rollup_refresh(since=date(2025, 1, 1)) == 82  # 02-28 (c11) .. 05-20 (today)
        after = rows()
    assert before == after


@pytest.mark.django_db
def test_the_command_refreshes(history, capsys):
    from django.core.management import call_command

    with time_machine.travel(TODAY):
        call_command("stats_refresh")
    assert "days recomputed" in capsys.readouterr().out
    assert StatsDaily.objects.filter(level="office").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_refreshes_on_several_workers_take_turns(history):
    errors = []

    def run():
        from django.db import connection as conn

        try:
            stats_rollup_refresh(since=date(2025, 2, 1))
        except Exception as e:  # noqa: BLE001 - the outcome is what we test
            errors.append(e)
        finally:
            conn.close()

    with time_machine.travel(TODAY):
        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        rolled, raw = both(MARCH)
        assert rolled.summary() == raw.summary()
    assert StatsDaily.objects.filter(level="office", day=date(2025, 3, 3)).count() == 1


@pytest.mark.django_db
def test_a_refresh_sees_ratings_rectifications_and_appeals(history, olga):
    from tongban.evaluations.services import (
        rectification_close,
        rectification_record_callback,
        rectification_verify,
    )

    with time_machine.travel(TODAY):
        stats_rollup_refresh()
        assert Figures(MARCH).summary()["bad_ratings_open"] == 1  # c7
    with time_machine.travel("2025-05-21 10:00+08:00"):
        r = history["c7"].evaluations.get().rectification
        rectification_verify(rectification=r, by=olga, verification="已核实并整改")
        rectification_record_callback(rectification=r, by=olga, outcome="已回访", satisfied=True)
        rectification_close(rectification=r, by=olga)
        assert Figures(MARCH).summary()["bad_ratings_open"] == 1  # until the next refresh
        assert stats_rollup_refresh() == 2  # 05-21 (today), and 03-13 where c7 was submitted
        march = Figures(MARCH).summary()
    assert (march["bad_ratings_open"], march["bad_ratings_closed_late"]) == (0, 1)
    assert march == Figures(MARCH, source="raw", today=date(2025, 5, 21)).summary()

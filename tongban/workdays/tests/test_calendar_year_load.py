from datetime import date

import pytest

from tongban.workdays.models import CalendarDay, CalendarYear
from tongban.workdays.services import (
    CalendarError,
    Due,
    add,
    calendar_builtin_data,
    calendar_year_load,
    calendar_years_load,
    is_workday,
)

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(CalendarDay.objects.values_list("date", "is_workday", "name", "year__year"))


def test_it_loads_a_year(db, year_2027):
    cy = calendar_year_load(data=year_2027, year=2027)
    assert (cy.year, cy.doc_no, cy.issued) == (2027, "测试〔2026〕1号", date(2026, 11, 10))
    assert cy.days.filter(is_workday=False).count() == 33  # whole rest periods, weekends too
    assert cy.days.get(date=date(2027, 1, 31)).name == "春节调休上班"
    assert not is_workday(date(2027, 1, 1))
    assert is_workday(date(2027, 1, 31))


def test_it_takes_the_year_from_the_data(db, year_2027):
    assert calendar_year_load(data={"year": 2027, **year_2027}).year == 2027


def test_loading_2027_makes_its_deadlines_final(calendar, year_2027):
    assert add(date(2026, 12, 31), 1) == Due(date(2027, 1, 1), provisional=True)
    calendar_year_load(data=year_2027, year=2027)
    assert add(date(2026, 12, 31), 1) == Due(date(2027, 1, 4), provisional=False)


def test_it_replaces_a_loaded_year(db, year_2027):
    first = calendar_year_load(data=year_2027, year=2027)
    del year_2027["periods"][1]  # no 春节 any more
    year_2027["notice"]["doc_no"] = "测试〔2026〕2号"
    second = calendar_year_load(data=year_2027, year=2027)
    assert second.pk == first.pk
    assert CalendarYear.objects.get().doc_no == "测试〔2026〕2号"
    assert not CalendarDay.objects.filter(name__startswith="春节").exists()
    assert is_workday(date(2027, 2, 8))


def test_the_builtin_file_loads_2025_and_2026(db):
    data = calendar_builtin_data()
    assert [cy.year for cy in calendar_years_load(data=data)] == [2025, 2026]
    assert [cy.year for cy in calendar_years_load(data=data)] == [2025, 2026]  # and again
    assert CalendarDay.objects.filter(year__year=2025, is_workday=True).count() == 5
    assert CalendarDay.objects.filter(year__year=2026, is_workday=True).count() == 6


def _break(data, path, value):
    *parents, last = path
    for key in parents:
        data = data[key]
    data[last] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("periods", 1, "end"), "2027-02-30", "periods[1].end: '2027-02-30' is not a date"),
        (("periods", 1, "start"), "2027/02/06", "periods[1].start: '2027/02/06' is not a date"),
        (
            ("periods", 1, "end"),
            "2027-02-01",
            "periods[1].end: 2027-02-01 is before start 2027-02-06",
        ),
        (
            ("periods", 2, "days"),
            4,
            "periods[2].days: 4 does not match 2027-04-03..2027-04-05 (3 days)",
        ),
        (("periods", 2, "days"), "3", "periods[2].days: '3' is not a positive whole number"),
        (
            ("periods", 0, "start"),
            "2026-10-01",
            "periods[0]: 2026-10-01..2027-01-03 is outside 2027",
        ),
        (("periods", 6, "end"), "2028-01-07", "periods[6]: 2027-10-01..2028-01-07 is outside 2027"),
        (
            ("periods", 3, "makeup_workdays"),
            ["2027-04-28"],
            "periods[3].makeup_workdays[0]: 2027-04-28 is a Wednesday, not a Saturday or Sunday",
        ),
        (
            ("periods", 3, "makeup_workdays"),
            ["2027-05-02"],
            "periods[3].makeup_workdays[0]: 2027-05-02 is also listed at periods[3]",
        ),
        (
            ("periods", 3, "makeup_workdays"),
            ["2027-04-25", "2027-04-25"],
            "periods[3].makeup_workdays[1]: 2027-04-25 is also listed at periods[3].makeup_workdays[0]",
        ),
        (("periods", 3, "makeup_workdays"), ["2028-01-08"], "2028-01-08 is outside 2027"),
        (("periods", 2, "start"), "2027-02-14", "2027-02-14 is also listed at periods[1]"),
        (("periods", 2, "name"), "", "periods[2].name: expected non-empty text"),
        (("periods",), [], "periods: expected a non-empty list"),
        (("periods", 1), "春节", "periods[1]: expected an object"),
        (("notice", "title"), None, "notice.title: expected non-empty text"),
        (("notice", "issued"), "yesterday", "notice.issued: 'yesterday' is not a date"),
        (("notice",), "国办发", "notice: expected an object"),
        (("year",), 2026, "year: 2026 does not match the year given (2027)"),
    ],
)
def test_it_rejects_malformed_data_and_writes_nothing(calendar, year_2027, path, value, message):
    before = snapshot()
    _break(year_2027, path, value)
    with pytest.raises(CalendarError) as e:
        calendar_year_load(data=year_2027, year=2027)
    assert message in str(e.value)
    assert snapshot() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_bad_replacement_keeps_the_loaded_year(calendar):
    before = snapshot()
    with pytest.raises(CalendarError):
        calendar_year_load(
            data={"notice": {"title": "x"}, "periods": [{"name": "元旦"}]}, year=2025
        )
    assert snapshot() == before


def test_it_names_every_problem_at_once(db, year_2027):
    year_2027["periods"][0]["end"] = "2027-13-01"
    year_2027["periods"][4]["makeup_workdays"] = ["2027-06-08"]
    with pytest.raises(CalendarError) as e:
        calendar_year_load(data=year_2027, year=2027)
    assert e.value.errors == [
        "periods[0].end: '2027-13-01' is not a date (YYYY-MM-DD)",
        "periods[4].makeup_workdays[0]: 2027-06-08 is a Tuesday, not a Saturday or Sunday",
    ]


def test_it_needs_a_year(db, year_2027):
    with pytest.raises(CalendarError, match="is not a year"):
        calendar_year_load(data=year_2027)


def test_a_notice_may_reach_into_the_previous_december(db):
    # The 2019 notice: 元旦 2018-12-30..2019-01-01, with Saturday 2018-12-29 worked.
    calendar_year_load(
        year=2019,
        data={
            "notice": {"title": "国务院办公厅关于2019年部分节假日安排的通知"},
            "periods": [
                {
                    "name": "元旦",
                    "start": "2018-12-30",
                    "end": "2019-01-01",
                    "days": 3,
                    "makeup_workdays": ["2018-12-29"],
                }
            ],
        },
    )
    assert is_workday(date(2018, 12, 29))
    assert not is_workday(date(2018, 12, 31))
    # 2018 itself is still unloaded, so a count through its days stays provisional.
    assert add(date(2018, 12, 28), 2) == Due(date(2019, 1, 2), provisional=True)


def test_it_refuses_a_date_another_years_notice_set(db, year_2027):
    calendar_year_load(
        year=2028,
        data={
            "notice": {"title": "2028"},
            "periods": [{"name": "元旦", "start": "2027-12-31", "end": "2028-01-02", "days": 3}],
        },
    )
    year_2027["periods"].append(
        {"name": "跨年", "start": "2027-12-31", "end": "2027-12-31", "days": 1}
    )
    with pytest.raises(
        CalendarError, match=r"2027-12-31 is already set by the 2028 notice \(元旦\)"
    ):
        calendar_year_load(data=year_2027, year=2027)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_whole_file_is_checked_before_any_year_is_written(db, year_2027):
    bad = {"notice": {"title": "2028"}, "periods": [{"name": "元旦", "start": "2028-01-01"}]}
    with pytest.raises(CalendarError) as e:
        calendar_years_load(data={"years": {"2027": year_2027, "2028": bad}})
    assert "years.2028.periods[0].end: None is not a date (YYYY-MM-DD)" in e.value.errors
    assert not CalendarYear.objects.exists()

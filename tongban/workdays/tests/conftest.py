import copy

import pytest

from tongban.workdays.services import calendar_builtin_data, calendar_years_load

# An invented 2027 arrangement (the real notice is not out yet): 7 periods, 33 rest days,
# 6 make-up days. Tests copy it and break one thing at a time.
YEAR_2027 = {
    "notice": {
        "title": "国务院办公厅关于2027年部分节假日安排的通知（测试用）",
        "doc_no": "测试〔2026〕1号",
        "issued": "2026-11-10",
        "url": "https://example.org/2027",
    },
    "periods": [
        {
            "name": "元旦",
            "start": "2027-01-01",
            "end": "2027-01-03",
            "days": 3,
            "makeup_workdays": [],
        },
        {
            "name": "春节",
            "start": "2027-02-06",
            "end": "2027-02-14",
            "days": 9,
            "makeup_workdays": ["2027-01-31", "2027-02-20"],
        },
        {
            "name": "清明节",
            "start": "2027-04-03",
            "end": "2027-04-05",
            "days": 3,
            "makeup_workdays": [],
        },
        {
            "name": "劳动节",
            "start": "2027-05-01",
            "end": "2027-05-05",
            "days": 5,
            "makeup_workdays": ["2027-04-25", "2027-05-08"],
        },
        {
            "name": "端午节",
            "start": "2027-06-09",
            "end": "2027-06-11",
            "days": 3,
            "makeup_workdays": [],
        },
        {
            "name": "中秋节",
            "start": "2027-09-15",
            "end": "2027-09-17",
            "days": 3,
            "makeup_workdays": [],
        },
        {
            "name": "国庆节",
            "start": "2027-10-01",
            "end": "2027-10-07",
            "days": 7,
            "makeup_workdays": ["2027-09-26", "2027-10-09"],
        },
    ],
}


@pytest.fixture
def calendar(db):
    """The official 2025 and 2026 notices, loaded from the packaged holidays.json."""
    return calendar_years_load(data=calendar_builtin_data())


@pytest.fixture
def year_2027():
    return copy.deepcopy(YEAR_2027)


@pytest.fixture(autouse=True)
def _no_calendar_loaded(db):
    # The suite builds the demo city (with 2025 and 2026) once per session; these tests start
    # from an empty calendar and load what they need. The test's transaction undoes this.
    from tongban.workdays.models import CalendarDay, CalendarYear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()

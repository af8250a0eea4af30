from datetime import date

import pytest

from tongban.ops import calendar as calendar_module
from tongban.workdays.models import CalendarYear
from tongban.workdays.services import is_workday

pytestmark = pytest.mark.django_db


def post_with_new_day(client, cy: CalendarYear, new_day: dict):
    """Submit the year's change form as it stands, plus one new inline row."""
    url = f"/admin/workdays/calendaryear/{cy.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: "" if v is None else v for k, v in form.initial.items() if k != "loaded_at"}
    days = list(cy.days.order_by("date"))
    data |= {"days-TOTAL_FORMS": len(days) + 1, "days-INITIAL_FORMS": len(days)}
    data |= {"days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, day in enumerate(days + [None]):
        row = new_day if day is None else {"id": day.pk, "date": day.date, "name": day.name}
        row |= {"year": cy.pk}
        if day is not None and day.is_workday:
            row["is_workday"] = "on"
        data |= {f"days-{i}-{k}": v for k, v in row.items()}
    return client.post(url, data)


def test_the_year_list_shows_the_notices(admin_client, calendar):
    r = admin_client.get("/admin/workdays/calendaryear/")
    assert r.status_code == 200
    assert "国办发明电〔2024〕12号" in r.content.decode()


def test_a_hand_correction_moves_the_calendar_and_recomputes(admin_client, calendar, monkeypatch):
    calls = []
    monkeypatch.setattr(calendar_module, "case_dates_recompute", lambda *, year: calls.append(year))
    cy = CalendarYear.objects.get(year=2026)
    r = post_with_new_day(admin_client, cy, {"date": "2026-12-31", "name": "测试假日"})
    assert r.status_code == 302
    assert not is_workday(date(2026, 12, 31))
    assert calls == [2026]


def test_it_refuses_a_weekday_make_up_day(admin_client, calendar):
    cy = CalendarYear.objects.get(year=2026)
    new_day = {"date": "2026-12-30", "is_workday": "on", "name": "调休上班"}
    r = post_with_new_day(admin_client, cy, new_day)
    assert r.status_code == 200
    assert "调休上班只能是周六或周日" in r.content.decode()
    assert not cy.days.filter(date=date(2026, 12, 30)).exists()

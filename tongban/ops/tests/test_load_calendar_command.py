import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongban.cli import main
from tongban.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_calendar(db):
    # These tests start from an empty calendar (the suite's city has 2025 and 2026); the
    # test's transaction undoes this.
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()


def run(*args) -> str:
    out = StringIO()
    call_command("load_calendar", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(CalendarDay.objects.values_list("date", "is_workday", "name", "year__year"))


def test_it_loads_a_whole_file(db, tmp_path, year_2027):
    path = tmp_path / "holidays.json"
    path.write_text(
        json.dumps({"years": {"2027": year_2027}}, ensure_ascii=False), encoding="utf-8"
    )
    assert run(str(path)) == "loaded 2027: 7 periods, 33 holidays, 6 make-up working days\n"
    assert CalendarYear.objects.get().year == 2027


def test_it_loads_one_years_object_with_year(db, tmp_path, year_2027):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(year_2027), encoding="utf-8")
    assert run(str(path), "--year", "2027").startswith("loaded 2027: 7 periods")


def test_it_picks_one_year_of_a_whole_file(db):
    from tongban.workdays.services import BUILTIN_FILE

    assert (
        run(str(BUILTIN_FILE), "--year", "2026")
        == "loaded 2026: 7 periods, 33 holidays, 6 make-up working days\n"
    )
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2026]


def test_it_loads_the_builtin_notices(db):
    assert run("--builtin") == (
        "loaded 2025: 6 periods, 28 holidays, 5 make-up working days\n"
        "loaded 2026: 7 periods, 33 holidays, 6 make-up working days\n"
    )


def test_a_malformed_file_changes_nothing(calendar, tmp_path, year_2027):
    year_2027["periods"][1]["end"] = "2027-02-30"
    broken_2025 = {"notice": {"title": "x"}, "periods": [{"name": "元旦", "start": "2025-01-01"}]}
    path = tmp_path / "holidays.json"
    path.write_text(
        json.dumps({"years": {"2025": broken_2025, "2027": year_2027}}), encoding="utf-8"
    )
    before = snapshot()
    with pytest.raises(CommandError) as e:
        run(str(path))
    assert "nothing loaded" in str(e.value)
    assert "years.2027.periods[1].end: '2027-02-30' is not a date" in str(e.value)
    assert "years.2025.periods[0].end" in str(e.value)
    assert snapshot() == before
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2025, 2026]


@pytest.mark.parametrize("content", ["{not json", "[]", '{"years": []}'])
def test_it_explains_a_file_that_is_not_a_calendar(db, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match="bad.json"):
        run(str(path))
    assert not CalendarYear.objects.exists()


def test_it_needs_a_file_or_builtin(db):
    with pytest.raises(CommandError, match="FILE or --builtin"):
        run()


def test_the_cli_spells_it_load_calendar(db, capsys):
    main(["tongban", "load-calendar", "--builtin"])
    assert "loaded 2026: 7 periods" in capsys.readouterr().out

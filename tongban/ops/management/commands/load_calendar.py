import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.ops.calendar import calendar_load
from tongban.workdays.services import BUILTIN_FILE, CalendarError


class Command(BaseCommand):
    help = (
        "Load the State Council's holiday arrangement from FILE: a whole holidays.json "
        '({"years": {"2027": {...}}}) or one year\'s object (give --year unless it has "year"). '
        "Every year is checked before any is written; an already loaded year is replaced, and "
        "the open cases' dates are recomputed with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="holidays.json-shaped file")
        parser.add_argument(
            "--year", type=int, help="load only this year, or the year of a bare object"
        )
        parser.add_argument(
            "--builtin", action="store_true", help="load the packaged 2025 and 2026 notices"
        )

    def handle(self, *args, file=None, year=None, builtin=False, **options):
        if builtin == bool(file):
            raise CommandError("give either FILE or --builtin")
        path = BUILTIN_FILE if builtin else Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CommandError(f"{path}: {e}") from None
        try:
            loaded = calendar_load(data=data, year=year, source=path.name)
        except CalendarError as e:
            raise CommandError(f"{path}: nothing loaded:\n  " + "\n  ".join(e.errors)) from None
        for cy in loaded:
            rest = cy.days.filter(is_workday=False)
            self.stdout.write(
                f"loaded {cy.year}: {rest.order_by().values('name').distinct().count()} periods, "
                f"{rest.count()} holidays, {cy.days.filter(is_workday=True).count()} make-up working days"
            )

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.workbook import CatalogImportError, catalog_workbook_import

# parse_date and actor are shared by export_catalog and catalog_item.


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD，而不是 {value!r}") from None


def actor(username: str | None):
    """The user a change is recorded under (audit trail, versions' created_by)."""
    if not username:
        return None
    User = get_user_model()  # people's, a layer beside the catalog's (docs/architecture.md)
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"没有用户 {username!r} (unknown user)") from None


class Command(BaseCommand):
    help = (
        "Bring the catalog in line with an Excel workbook (the layout export-catalog writes). "
        "The whole workbook is checked first: any error and nothing is written. Items whose "
        "rules changed get a new version; existing versions are never edited."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--effective-from", type=parse_date, metavar="YYYY-MM-DD",
            help="when new versions take effect (default: today; a date written in a row wins)",
        )  # fmt: skip
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--user", help="record the changes under this username")

    def handle(self, *args, file, effective_from=None, dry_run=False, user=None, **options):
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as e:
            raise CommandError(f"{file}: {e.strerror or e}") from None
        try:
            report = catalog_workbook_import(
                data, actor=actor(user), effective_from=effective_from, dry_run=dry_run
            )
        except CatalogImportError as e:
            lines = "\n".join(str(error) for error in e.errors)
            raise CommandError(f"{file}: {e.message}\n{lines}") from None
        for line in report.lines():
            self.stdout.write(line)

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.models import ServiceItem
from tongban.catalog.workbook import catalog_workbook_export

from .import_catalog import parse_date


class Command(BaseCommand):
    help = (
        "Write the whole catalog (every item, whatever its status) to an Excel workbook: "
        "each item with its latest version, or with the version in force on --on."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the .xlsx workbook")
        parser.add_argument(
            "--on", type=parse_date, metavar="YYYY-MM-DD",
            help="the versions in force that day instead of the latest ones",
        )  # fmt: skip

    def handle(self, *args, file, on=None, **options):
        data = catalog_workbook_export(on=on)
        try:
            Path(file).write_bytes(data)
        except OSError as e:
            raise CommandError(f"{file}: {e.strerror or e}") from None
        self.stdout.write(f"wrote {file}: {ServiceItem.objects.count()} items")

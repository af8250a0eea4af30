"""tongban translations: rebuild every English catalogue in one go.

Each catalogue's translations live in a table, `locale/fill_en.py` beside it: `EN` (msgid ->
English; a plural msgid -> (singular, plural)) and, where makemessages cannot find a string
(labels passed through {% trans var %}, the site-wide templates), `EXTRA` (msgids added as
they are). For every catalogue this command extracts the strings (makemessages, in the app's
folder), fills them from the table (lib.po_fill) and compiles them (msgfmt). Strings without
English are listed; the command then exits 1, and lib/tests/test_translations.py fails too.
"""

import os
import runpy
import subprocess
from contextlib import chdir
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tongban.lib.po_fill import po_fill

ROOT = Path(__file__).resolve().parents[3]  # the tongban package


def catalogues() -> list[tuple[Path, Path]]:
    """(the folder makemessages runs in, the table) of every catalogue. The project
    catalogue (settings.LOCALE_PATHS, tongban/locale) holds tongban/lib's strings: lib is no
    app, and makemessages run there writes to the first LOCALE_PATHS folder."""
    found = [(table.parents[1], table) for table in sorted(ROOT.glob("*/locale/fill_en.py"))]
    return [*found, (ROOT / "lib", ROOT / "locale" / "fill_en.py")]


class Command(BaseCommand):
    help = "Rebuild every English catalogue: extract, fill from locale/fill_en.py, compile."

    def handle(self, *args, **options):
        missing = 0
        for source, table in catalogues():
            po = table.parent / "en" / "LC_MESSAGES" / "django.po"
            with chdir(source):
                call_command("makemessages", locale=["en"], no_obsolete=True, ignore_patterns=["tests"],
                             verbosity=0)  # fmt: skip
            data = runpy.run_path(str(table))
            left = po_fill(po, data["EN"], extra=data.get("EXTRA", ()))
            subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
            self.stdout.write(f"{os.path.relpath(po, ROOT.parent)}: {left} untranslated")
            missing += left
        if missing:
            raise CommandError(f"{missing} strings have no English: add them to the tables")

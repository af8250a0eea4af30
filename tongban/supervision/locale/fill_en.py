"""Fill the supervision app's English catalogue from the table below, then compile it:

    cd tongban/supervision && django-admin makemessages -l en --no-obsolete \
        && python locale/fill_en.py \
        && msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

Only the app's own files are here (the card levels of models.py); the supervisors' pages live
in the desk, and their strings in tongban/desk/locale/fill_en.py.

Strings that are not in the table stay untranslated (shown in Chinese)."""

import sys
from pathlib import Path

EN = {
    "黄牌": "Yellow",
    "红牌": "Red",
}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the project root
    from tongban.lib.po_fill import po_fill

    sys.exit(1 if po_fill(Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po", EN) else 0)

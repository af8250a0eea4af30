"""The `tongban` command: Django's management commands, spelled with hyphens.

tongban demo [--password PW] [--addr HOST:PORT]   migrate, load the demo city, serve
tongban serve [--addr HOST:PORT] [--workers N]     gunicorn over the configured database, and a
                                                   background worker kept running beside it
tongban worker [--burst] [--no-scheduler]          background jobs (tongban.ops.worker)
tongban migrate | load-calendar FILE | import-catalog FILE | export-catalog FILE | …
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)
    return 0

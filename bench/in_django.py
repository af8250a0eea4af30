"""Imported first by the bench scripts that run inside Django (explain, hotspots, jobs,
request_cost): puts the project on the path and sets Django up on TONGBAN_DATABASE_URL, with
the benchmark databases' data key (generate.BENCH_DATA_KEY) unless one is set."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ.setdefault("TONGBAN_DATA_KEY", "bench:YmVuY2gta2V5LW9mLXRvbmdiYW4tbm90LXNlY3JldCE=")  # generate.BENCH_DATA_KEY

import django  # noqa: E402

django.setup()

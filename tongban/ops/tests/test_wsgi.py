"""The WSGI module each gunicorn worker imports: the app, its URLconf and views loaded, and
what they made kept out of the garbage collector's passes."""

import subprocess
import sys

from django.conf import settings

CODE = """
import gc, sys
import tongban.wsgi
print(gc.get_freeze_count(), 'tongban.api.views' in sys.modules, len(gc.get_objects()))
"""


def test_a_worker_starts_with_its_views_loaded_and_frozen():
    out = subprocess.run([sys.executable, "-c", CODE], cwd=settings.BASE_DIR, check=True,
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    frozen, views_loaded, tracked = int(out[0]), out[1] == "True", int(out[2])
    assert views_loaded
    assert frozen > 50_000 and tracked < frozen / 10, out

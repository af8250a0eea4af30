import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
application = get_wsgi_application()

# Each gunicorn worker imports this module once, before it serves. What it has loaded by then
# (Django, the URLconf and every view it imports) lives as long as the process: gc.freeze()
# keeps those 120,000-odd objects out of the collector's full passes. Without it, each worker's
# first full collection took 120-140 ms while it served (bench/README.md).
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view now
gc.collect()
gc.freeze()

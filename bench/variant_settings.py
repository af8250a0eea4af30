"""tongban's settings with what-if changes, for measuring a proposed fix before anyone makes it.

The bench serves with DJANGO_SETTINGS_MODULE=variant_settings (bench/ on PYTHONPATH) when a
server spec names variants, e.g. `--servers sync:4,sync:4+prepared+nohealth`.
TONGBAN_BENCH_VARIANTS lists them; each is a plain change of a setting:

  prepared   psycopg server-side binding with prepare_threshold: a statement run twice on a
             connection is prepared, so PostgreSQL stops re-planning it (planning the case
             SELECT with its joins costs ~1 ms, executing it ~0.05 ms)
  nohealth   CONN_HEALTH_CHECKS off: no `SELECT 1` before the first query of each request
  (lean, the API without the browser's middleware, is the product's own now:
  tongban.lib.middleware.BrowserMiddleware)
"""

import os

from tongban.settings import *  # noqa: F403

VARIANTS = {v for v in os.environ.get("TONGBAN_BENCH_VARIANTS", "").split(",") if v}
KNOWN = {"prepared", "nohealth"}
if VARIANTS - KNOWN:
    raise ValueError(f"unknown variants {sorted(VARIANTS - KNOWN)}; known: {sorted(KNOWN)}")

_db = DATABASES["default"]  # noqa: F405
if "prepared" in VARIANTS and _db["ENGINE"].endswith("postgresql"):
    # Django turns psycopg's automatic preparation off (prepare_threshold None) unless told.
    _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if "nohealth" in VARIANTS:
    _db["CONN_HEALTH_CHECKS"] = False

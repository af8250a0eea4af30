"""The bare endpoint of docs/benchmarks.md, measured in the same run as the product: one Django
view doing the case step's writes (read status and version, version-checked UPDATE, one audit
INSERT, in one transaction) on the ceiling's tables (sql/case_schema.sql), with no
authentication, validation or middleware, answering a plain JsonResponse.

Served by gunicorn as `bare:application` (bench/ on the Python path, DJANGO_SETTINGS_MODULE=bare,
BARE_DATABASE_URL naming the ceiling database). POST /advance/<id>.
"""

import json
import os
from urllib.parse import urlsplit

from django.conf import settings

if not settings.configured:
    _url = urlsplit(
        os.environ.get("BARE_DATABASE_URL", "postgres://postgres@127.0.0.1/tongban_bench_ceiling")
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-bench-" + "x" * 40,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        ROOT_URLCONF=__name__,
        USE_TZ=True,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": _url.path.lstrip("/"),
                "USER": _url.username or "postgres",
                "PASSWORD": _url.password or "",
                "HOST": _url.hostname or "127.0.0.1",
                "PORT": str(_url.port or 5432),
                "CONN_MAX_AGE": 600,
            }
        },
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

NEXT = {"submitted": "accepted", "accepted": "in_review", "in_review": "approved",
        "approved": "completed"}  # fmt: skip
PAYLOAD = json.dumps({
    "action": "advance", "comment": "Documents verified against registry; applicant eligible under section 4.2.",
    "ip": "10.20.30.40", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0",
    "request_id": "3f2b6c1e-8a7d-4e1b-9c2a-5d6e7f8a9b0c", "fields_changed": ["status", "assignee"],
    "channel": "portal",
})  # fmt: skip


@csrf_exempt
def advance(request, case_id: int):
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT status, version FROM cases WHERE id = %s", [case_id])
        row = cursor.fetchone()
        if row is None:
            return JsonResponse({"error": "not found"}, status=404)
        status, version = row
        to = NEXT.get(status, "submitted")
        cursor.execute(
            "UPDATE cases SET status = %s, version = version + 1, updated_at = now() "
            "WHERE id = %s AND version = %s",
            [to, case_id, version],
        )
        if cursor.rowcount != 1:
            return JsonResponse({"error": "conflict"}, status=409)
        cursor.execute(
            "INSERT INTO case_audit (case_id, from_status, to_status, from_version, actor, payload) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [case_id, status, to, version, "clerk-0042", PAYLOAD],
        )
    return JsonResponse({"id": case_id, "status": to, "version": version + 1})


urlpatterns = [path("advance/<int:case_id>", advance)]
application = get_wsgi_application()

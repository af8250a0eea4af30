"""GET /health, for monitoring: the database answers and the background jobs run.

200 {"status": "ok", …} when both hold. 503 {"status": "jobs_stale", …} when no worker has
polled its queue within STALE_AFTER (tongban.supervision.heartbeat): the pages still answer,
but no SMS goes out, no card is raised and no application is deemed accepted. A database
that is down answers 503 through DatabaseUnavailableMiddleware. Public and cheap: one query,
no names of hosts or processes."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tongban.supervision.heartbeat import STALE_AFTER, jobs_heartbeat


def _iso(moment):
    return moment.isoformat() if moment else None


@never_cache
@require_safe
def health(request):
    beat = jobs_heartbeat()
    body = {
        "status": "jobs_stale" if beat.stale else "ok",
        "database": "ok",
        "jobs": {
            "last_seen": _iso(beat.seen_at),
            "age_seconds": int(beat.age.total_seconds()) if beat.age is not None else None,
            "last_finished": _iso(beat.job_at),
            "workers": beat.workers,
            "stale_after_seconds": int(STALE_AFTER.total_seconds()),
        },
    }
    return JsonResponse(body, status=503 if beat.stale else 200)

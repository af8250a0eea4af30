"""Reads that may come from a PostgreSQL streaming replica (TONGBAN_REPLICA_DATABASE_URL).

A replica is a copy that lags the primary by a little (usually milliseconds, seconds under
load). So the replica is asked only where being a little behind is harmless and reading a
lot is the point: the supervisors' figures, their wide lists and their exports, each a view
wrapped in `reads_from_replica`. Everything else reads the primary, as without a replica:

- every write goes to the primary (`Router.db_for_write`), and once a request has written,
  its later reads do too (it would not see its own change on the replica), as do reads inside
  a transaction open on the primary;
- a browser user who changed something (a POST, PUT, PATCH or DELETE answered below 400) reads
  the primary for the next TONGBAN_REPLICA_STICKY_SECONDS (10 by default): `RecentWrite`
  keeps the time in the session, which is saved at every request anyway;
- a request that is not GET or HEAD never reads the replica.

Without a replica configured the decorator changes nothing. The replica alias is never
migrated: it is the primary's copy.
"""

import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
WROTE_AT = "tongban_wrote_at"  # session key: when this browser last changed something
SAFE = frozenset({"GET", "HEAD"})

# None: read the primary. A dict while a view reads the replica: {"wrote": bool}.
_state: ContextVar[dict | None] = ContextVar("tongban_replica_reads", default=None)


def configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """The database the current code's reads go to: the primary once the request wrote, or
    while a transaction is open on the primary (it must see its own uncommitted rows)."""
    state = _state.get()
    if state is None or state["wrote"] or not configured():
        return PRIMARY
    return PRIMARY if connections[PRIMARY].in_atomic_block else REPLICA


@contextmanager
def replica_reads():
    """Reads inside go to the replica (when one is configured) until something writes."""
    token = _state.set({"wrote": False})
    try:
        yield
    finally:
        _state.reset(token)


def wrote_recently(request) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    at = session.get(WROTE_AT)
    return at is not None and time.time() - at < settings.TONGBAN_REPLICA_STICKY_SECONDS


def reads_from_replica(view: Callable) -> Callable:
    """A view whose reads may come from the replica: GET and HEAD only, and not for a user who
    has just changed something. Put it below the decorators that check who asks (the user and
    the session are read from the primary first)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE or not configured() or wrote_recently(request):
            return view(request, *args, **kwargs)
        request.user.is_authenticated  # noqa: B018 - the user and session from the primary
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapper


class Router:
    """settings.DATABASE_ROUTERS: reads to the replica only inside `replica_reads`."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        if (state := _state.get()) is not None:
            state["wrote"] = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database and its copy

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


class RecentWrite:
    """In settings.TONGBAN_BROWSER_MIDDLEWARE after the sessions: notes in the session when a
    browser user changed something, so that their next reads stay on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in SAFE
            and response.status_code < 400
            and configured()
            and getattr(request, "session", None) is not None
            and request.user.is_authenticated
        ):
            request.session[WROTE_AT] = time.time()
        return response

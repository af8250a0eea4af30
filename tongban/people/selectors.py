from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tongban.lib import sql
from tongban.offices.models import Office

from .models import ApiToken, Applicant, User, user_stamp

# Every API request asks whose its bearer token is. The answer is read from the database each
# time (one prepared statement: token, user, office, applicant), so that a revoked token, a
# deactivated user, a changed password or role counts from the next request in every server
# process; no process keeps what it read.
_TOKEN, _USER = sql.Columns(ApiToken, "t"), sql.Columns(User, "u")
_OFFICE, _APPLICANT = sql.Columns(Office, "o"), sql.Columns(Applicant, "a")
_SQL: dict[str, str] = {}
# last_used_at is written at most this often per token: the idle lifetime is counted in
# minutes, and a write per request would cost more than the read.
_TOUCH_EVERY = timedelta(seconds=60)


def _token_sql(vendor: str) -> str:
    if vendor not in _SQL:
        _SQL[vendor] = (
            f"SELECT {_TOKEN.sql}, {_USER.sql}, {_OFFICE.sql}, {_APPLICANT.sql} "
            f"FROM {sql.table(ApiToken)} t JOIN {sql.table(User)} u ON u.id = t.user_id "
            f"LEFT JOIN {sql.table(Office)} o ON o.id = u.office_id "
            f"LEFT JOIN {sql.table(Applicant)} a ON a.id = u.applicant_id "
            "WHERE t.digest = %s"
        )
    return _SQL[vendor]


def token_user(key: str) -> User | None:
    """The active user whose API token `key` is, or None: unknown or revoked, idle longer than
    TONGBAN_TOKEN_IDLE_MINUTES, older than TONGBAN_TOKEN_MAX_HOURS, or issued before its user's
    password or role last changed."""
    with sql.cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), [ApiToken.hash(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    token = _TOKEN.build(row)
    user = _USER.build(row, _TOKEN.width)
    if not token_alive(token, user):
        return None
    start = _TOKEN.width + _USER.width
    office = _OFFICE.build(row, start)
    applicant = _APPLICANT.build(row, start + _OFFICE.width)
    user._state.fields_cache.update(office=office, applicant=applicant)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def token_alive(token: ApiToken, user: User, *, now=None) -> bool:
    """Whether `token` still lets `user` in (the rule token_user applies)."""
    now = now or timezone.now()
    idle = timedelta(minutes=settings.TONGBAN_TOKEN_IDLE_MINUTES)
    return (
        user.is_active
        and token.stamp == user_stamp(user)
        and now - token.created_at < timedelta(hours=settings.TONGBAN_TOKEN_MAX_HOURS)
        and now - (token.last_used_at or token.created_at) < idle
    )

import time

from django.conf import settings
from django.utils import timezone

from .models import ApiToken, User

# Every API request asks whose its bearer token is, and the lookup (token, user, office,
# applicant) used to cost as much as the rest of a light request: a process keeps the answer
# for TONGBAN_TOKEN_CACHE_SECONDS. A token deleted or a user deactivated stops working in
# every process within that time, and at once in the process that made the change.
_TOKENS: dict[str, tuple[float, User]] = {}
_TOKENS_MAX = 10_000


def token_user(key: str) -> User | None:
    """The active user whose API token `key` is, or None."""
    digest = ApiToken.hash(key)
    now = time.monotonic()
    hit = _TOKENS.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    token = (
        ApiToken.objects.select_related("user", "user__office", "user__applicant")
        .filter(digest=digest)
        .first()
    )
    if token is None or not token.user.is_active:
        _TOKENS.pop(digest, None)
        return None
    # Seen in use: written at most once per cache period and process, for the security admin.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    if len(_TOKENS) >= _TOKENS_MAX:
        _TOKENS.clear()
    _TOKENS[digest] = (now + settings.TONGBAN_TOKEN_CACHE_SECONDS, token.user)
    return token.user


def token_forget_digest(digest: str) -> None:
    _TOKENS.pop(digest, None)


def tokens_cache_clear() -> None:
    _TOKENS.clear()

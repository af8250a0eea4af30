"""等保 password rules: the classes of characters, no reuse of recent passwords, and the age
of a staff member's password.

The two validators sit in AUTH_PASSWORD_VALIDATORS, so every door that sets a password checks
them through Django's validate_password: the portal's sign-up and forgotten password
(people.accounts), the desk's password pages, the admin's. Django calls each validator's
`password_changed` after a user with a new password is saved, whoever saved it; that is where
the history is written."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongban.audit.services import record

from .models import PUBLIC_ROLES, PasswordHistory, User


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols (anything else) `password` has."""
    return sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not (c.isupper() or c.islower() or c.isdigit()) for c in password),
    ))  # fmt: skip


class CharacterClassesValidator:
    """At least `min_classes` of the four classes of characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(count)d 类") % {
            "count": self.min_classes
        }


def _history_size() -> int:
    return max(settings.TONGBAN_PASSWORD_HISTORY, 0)


class PasswordHistoryValidator:
    """None of the account's last TONGBAN_PASSWORD_HISTORY passwords, nor its current one.

    Checking costs one PBKDF2 per kept password plus the current one, as strong as the
    stored hash (six for the default history: 7 s measured on a busy 2-core machine, about a
    second a hash); only a change of password pays it."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return  # a new account has no past
        current, joined = User.objects.filter(pk=user.pk).values_list(
            "password", "date_joined"
        ).first() or (None, None)
        history = PasswordHistory.objects.filter(user_id=user.pk)
        if current and not history.exists():
            # An account whose password was set around Django's set_password (create_user,
            # an older tongban): its current password joins the history before it changes,
            # dated no later than the account, so that its age stays what it was.
            PasswordHistory.objects.create(user_id=user.pk, password=current, created_at=joined)
        kept = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: _history_size()]
        )
        for encoded in dict.fromkeys([current, *kept]):  # the current one is often kept too
            if encoded and check_password(password, encoded):
                raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user):
        """Keep the new password's hash (and when it was set, which people.passwords reads
        for its age); forget those beyond the history, keeping the newest at least."""
        PasswordHistory.objects.create(user=user, password=user.password)
        old = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
        stale = list(old.values_list("pk", flat=True)[max(_history_size(), 1) :])
        if stale:
            PasswordHistory.objects.filter(pk__in=stale).delete()

    def get_help_text(self):
        size = _history_size()
        if size == 0:
            return _("新密码不能与当前密码相同")
        return ngettext(
            "新密码不能与当前密码或最近 %(count)d 次用过的密码相同",
            "新密码不能与当前密码或最近 %(count)d 次用过的密码相同",
            size,
        ) % {"count": size}


def password_set_at(user: User) -> datetime:
    """When the account's password was last set: its newest kept password, or, for an account
    whose password was never set through Django (created before the history), when it was
    created."""
    last = (
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return last or user.date_joined


def password_expired(user: User, *, now: datetime | None = None) -> bool:
    """Whether a staff member's password is older than TONGBAN_PASSWORD_MAX_DAYS (0: never).
    The public's accounts (applicants, agents) do not age. One query."""
    days = settings.TONGBAN_PASSWORD_MAX_DAYS
    if days <= 0 or user.role in PUBLIC_ROLES or not user.has_usable_password():
        return False
    return (now or timezone.now()) - password_set_at(user) >= timedelta(days=days)


@transaction.atomic
def password_set(*, user: User, password: str, by: User, ip: str | None, reason: str) -> None:
    """Give `user` the new `password`, already checked against AUTH_PASSWORD_VALIDATORS (the
    password forms do: Django's validate_password), and audit it (`auth.password_changed`,
    with `reason`: "expired", "changed" or "admin_set"). The account's other sessions and its
    API tokens stop working (people.models.user_stamp)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    password_set_audit(user=user, by=by, ip=ip, reason=reason)


def password_set_audit(*, user: User, by: User, ip: str | None, reason: str) -> None:
    """The audit entry of a new password (password_set's; the admin's own form saves the
    password itself and records it here, in the same transaction)."""
    record(event="auth.password_changed", user=by, ip=ip, target=user.pk,
           account=user.username, reason=reason)  # fmt: skip

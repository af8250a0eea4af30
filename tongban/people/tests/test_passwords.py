"""等保 password rules: classes of characters, no reuse of the last N, a staff password ages."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import _user
from tongban.people.demo import demo_password
from tongban.people.models import PasswordHistory, Role
from tongban.people.passwords import character_classes, password_expired

pytestmark = pytest.mark.django_db


def _codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as e:
        return {err.code for err in e.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Short-1a", False),  # 8 characters
        ("alllowercaseletters", False),  # one class
        ("lowercase-and-symbols", False),  # two classes
        ("lowercase2digits77", False),  # two classes
        ("Upper-and-lower", True),  # three: upper, lower, symbol
        ("NoSymbols2026abc", True),  # three: upper, lower, digit
        ("办事密码-2026-abc", True),  # Chinese counts as a symbol: symbol, digit, lower
    ],
)
def test_the_rules_want_ten_characters_of_three_classes(password, ok):
    assert (_codes(password) == set()) is ok


def test_the_demos_generated_password_keeps_the_rules():
    for _ in range(200):  # token_urlsafe may be all letters or all digits: "Tb-" keeps three
        password = demo_password()
        assert character_classes(password) >= 3
        assert _codes(password) == set()


def test_the_current_and_the_last_five_passwords_are_refused(alice):
    passwords = [f"Pw-history-{n:02d}" for n in range(6)]
    for p in passwords:
        alice.set_password(p)
        alice.save()
    assert PasswordHistory.objects.filter(user=alice).count() == 5  # the newest five kept
    assert "password_reused" in _codes(passwords[-1], alice)  # the current one
    for p in passwords[1:]:
        assert "password_reused" in _codes(p, alice)
    assert _codes(passwords[0], alice) == set()  # six changes ago: allowed again
    assert _codes("Pw-test-12345", alice) == set()  # the first, seven ago


def test_the_current_password_is_refused_without_history(alice):
    PasswordHistory.objects.filter(user=alice).delete()  # an account older than the history
    assert "password_reused" in _codes("Pw-test-12345", alice)


def test_the_history_size_is_a_setting(settings, alice):
    settings.TONGBAN_PASSWORD_HISTORY = 1
    for p in ("Pw-history-01", "Pw-history-02"):
        alice.set_password(p)
        alice.save()
    assert "password_reused" in _codes("Pw-history-02", alice)
    assert _codes("Pw-history-01", alice) == set()


def test_an_applicants_signup_password_is_checked_too(carol):
    from tongban.lib.errors import InvalidInput
    from tongban.people.accounts import _password_check

    with pytest.raises(InvalidInput) as e:
        _password_check("onlylowercase1", carol)
    assert e.value.code == "weak_password" and "3" in e.value.message


@pytest.mark.parametrize(
    ("fixture", "expires"),
    [("alice", True), ("olga", True), ("carol", False), ("dave", False)],
)
def test_a_staff_password_expires_after_90_days(request, fixture, expires):
    user = request.getfixturevalue(fixture)
    assert password_expired(user) is False
    later = timezone.now() + timedelta(days=90, minutes=1)
    assert password_expired(user, now=later) is expires


def test_a_new_password_starts_the_90_days_again(alice):
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        assert password_expired(alice)
        alice.set_password("Pw-renewed-2026")
        alice.save()
        assert not password_expired(alice)


def test_rotation_off_with_zero_days(settings, alice):
    settings.TONGBAN_PASSWORD_MAX_DAYS = 0
    assert not password_expired(alice, now=timezone.now() + timedelta(days=3650))


def test_an_account_without_history_ages_from_its_creation(city):
    admin = _user("sec", Role.SECADMIN)
    PasswordHistory.objects.filter(user=admin).delete()
    admin.date_joined = timezone.now() - timedelta(days=91)
    assert password_expired(admin)

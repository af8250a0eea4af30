"""The one sign-in rule: counted in the store every process shares, before the check."""

import threading

import pytest
from django.db import connection

from conftest import race
from tongban.people.limits import limit_hit, limit_peek
from tongban.people.services import SignInFailed, SignInLocked, sign_in


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_sixteen_concurrent_wrong_passwords_get_five_checks():
    checks = []
    lock = threading.Lock()

    def check():
        with lock:
            checks.append(1)
        return None  # a wrong password

    results = race([lambda: sign_in(username="alice", ip="10.0.0.5", face="api", check=check)] * 16)
    assert len(checks) == 5
    assert sum(isinstance(r, SignInFailed) for r in results) == 5
    assert sum(isinstance(r, SignInLocked) for r in results) == 11


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_concurrent_hits_each_count():
    race([lambda: limit_hit("k", window=60)] * 16)
    assert limit_peek("k").count == 16


@pytest.mark.django_db
def test_a_window_starts_again_when_it_ends():
    import time_machine

    with time_machine.travel("2026-03-02 09:00+08:00", tick=False) as clock:
        assert [limit_hit("k", window=60).count for _ in range(3)] == [1, 2, 3]
        clock.shift(59)
        assert limit_hit("k", window=60).count == 4
        clock.shift(2)
        assert limit_hit("k", window=60).count == 1
        assert limit_peek("k").count == 1

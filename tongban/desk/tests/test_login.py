from datetime import timedelta

import time_machine
from django.utils import timezone

from tongban.audit.models import AuditEntry

PASSWORD = "Pw-test-12345"


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/desk/login/", {"username": username, "password": password, **extra})


def test_a_clerk_signs_in_and_lands_on_my_work(client, alice):
    response = _login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    entry = AuditEntry.objects.get(event="auth.login")
    assert entry.user == alice and entry.outcome == "success"


def test_it_follows_next(client, alice):
    response = _login(client, "alice", next="/desk/policies/")
    assert response["Location"] == "/desk/policies/"


def test_an_applicant_signing_in_is_sent_to_the_portal(client, carol):
    response = _login(client, "carol")
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused_and_recorded(client, alice):
    response = _login(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "invalid_login"
    assert 'role="alert"' in response.content.decode()
    failure = AuditEntry.objects.get(event="auth.login_failed")
    assert failure.username == "alice" and failure.outcome == "failure"
    assert failure.ip == "127.0.0.1"


def test_five_failures_lock_the_account_for_15_minutes(client, alice):
    for _ in range(5):
        _login(client, "alice", "wrong-password")
    response = _login(client, "alice")  # the right password, but locked
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _login(client, "alice")
    assert response.status_code == 302


def test_four_failures_do_not_lock(client, alice):
    for _ in range(4):
        _login(client, "alice", "wrong-password")
    assert _login(client, "alice").status_code == 302


def test_the_lock_is_per_username(client, alice, bob):
    for _ in range(5):
        _login(client, "alice", "wrong-password")
    assert _login(client, "bob").status_code == 302


def test_sign_out_needs_post(client, alice):
    client.force_login(alice)
    response = client.post("/desk/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/desk/login/"
    assert client.get("/desk/").status_code == 302

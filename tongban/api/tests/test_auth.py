import pytest
import time_machine

from tongban.audit.models import AuditEntry
from tongban.people.models import ApiToken
from tongban.people.services import user_save

from .conftest import PASSWORD, error

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _sign_in(api, username, password):
    return api().post(TOKEN_URL, {"username": username, "password": password})


def test_it_issues_a_token_that_opens_the_api(api, alice):
    response = _sign_in(api, "alice", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(digest=ApiToken.hash(token)).user == alice
    assert AuditEntry.objects.filter(event="auth.token_issued", user=alice).count() == 1
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/cases").status_code == 200


def test_a_wrong_password_is_401_and_recorded(api, alice):
    response = _sign_in(api, "alice", "wrong-password")
    assert response.status_code == 401
    assert error(response)["code"] == "invalid_credentials"
    entry = AuditEntry.objects.get(event="auth.login_failed")
    assert (entry.username, entry.outcome, entry.ip) == ("alice", "failure", "127.0.0.1")


def test_an_unknown_username_gets_the_same_answer(api, alice):
    response = _sign_in(api, "nobody", "whatever-it-is")
    assert response.status_code == 401
    assert error(response)["code"] == "invalid_credentials"


def test_a_missing_password_names_the_field(api, alice):
    response = api().post(TOKEN_URL, {"username": "alice"})
    assert response.status_code == 400
    assert error(response)["field"] == "password"


def test_five_failures_lock_the_username_for_fifteen_minutes(api, alice):
    with time_machine.travel("2025-03-03 09:00+08:00", tick=False):
        for _ in range(5):
            assert _sign_in(api, "alice", "wrong-password").status_code == 401
        locked = _sign_in(api, "alice", PASSWORD)  # even the right password
        assert locked.status_code == 403
        assert error(locked)["code"] == "account_locked"
        assert not ApiToken.objects.exists()
        assert AuditEntry.objects.filter(data__reason="locked", data__face="api").count() == 1
    with time_machine.travel("2025-03-03 09:14+08:00", tick=False):
        assert _sign_in(api, "alice", PASSWORD).status_code == 403
    with time_machine.travel("2025-03-03 09:16+08:00", tick=False):
        assert _sign_in(api, "alice", PASSWORD).status_code == 200


def test_failures_on_the_desk_lock_the_api_too(api, alice, client):
    for _ in range(5):
        client.post("/desk/login/", {"username": "alice", "password": "wrong-password"})
    response = _sign_in(api, "alice", PASSWORD)
    assert (response.status_code, error(response)["code"]) == (403, "account_locked")


def test_failures_from_another_address_do_not_lock_the_clerk_out(api, alice):
    for _ in range(10):
        response = api().post(TOKEN_URL, {"username": "alice", "password": "wrong"},
                              REMOTE_ADDR="203.0.113.9")  # fmt: skip
    assert (response.status_code, error(response)["code"]) == (403, "account_locked")
    assert _sign_in(api, "alice", PASSWORD).status_code == 200  # from her own address


def test_one_address_trying_many_names_is_stopped(api, alice, settings):
    settings.TONGBAN_LOCKOUT_ADDRESS_FAILURES = 8
    codes = [_sign_in(api, f"user{i}", "wrong-password").status_code for i in range(9)]
    assert codes == [401] * 8 + [403]
    assert _sign_in(api, "alice", PASSWORD).status_code == 403  # the address, whoever it is


def test_many_addresses_lock_the_account_until_the_security_admin_unlocks(api, alice, settings):
    from tongban.people.models import Role, User
    from tongban.people.services import sign_in_unlock

    settings.TONGBAN_LOCKOUT_ACCOUNT_FAILURES = 6
    for i in range(6):
        api().post(
            TOKEN_URL, {"username": "alice", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{i}"
        )
    assert _sign_in(api, "alice", PASSWORD).status_code == 403
    secadmin = User.objects.create_user(username="sec", password=PASSWORD, role=Role.SECADMIN)
    sign_in_unlock(alice, by=secadmin)
    assert _sign_in(api, "alice", PASSWORD).status_code == 200
    assert AuditEntry.objects.filter(event="auth.unlocked", user=secadmin).exists()


def test_the_lock_is_per_username(api, alice, bob):
    for _ in range(5):
        _sign_in(api, "alice", "wrong-password")
    assert _sign_in(api, "bob", PASSWORD).status_code == 200


def test_a_successful_sign_in_starts_the_count_again(api, alice):
    with time_machine.travel("2025-03-03 09:00+08:00") as traveller:
        for _ in range(4):
            _sign_in(api, "alice", "wrong-password")
        traveller.shift(1)
        assert _sign_in(api, "alice", PASSWORD).status_code == 200
        traveller.shift(1)
        for _ in range(4):
            assert _sign_in(api, "alice", "wrong-password").status_code == 401
        assert _sign_in(api, "alice", PASSWORD).status_code == 200


def test_an_inactive_user_cannot_sign_in(api, alice):
    alice.is_active = False
    user_save(user=alice)
    assert _sign_in(api, "alice", PASSWORD).status_code == 401


def test_a_bad_or_missing_token_is_401(api, alice):
    client = api()
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert error(response)["code"] == "authentication_failed"


def test_a_deactivated_users_token_stops_working(api, alice):
    client = api(alice)
    alice.is_active = False
    user_save(user=alice)
    assert client.get("/api/v1/cases").status_code == 401


def test_another_processs_deactivation_counts_at_once(api, alice):
    from tongban.people.models import User

    client = api(alice)
    assert client.get("/api/v1/cases").status_code == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)  # as another process would
    assert client.get("/api/v1/cases").status_code == 401


def test_a_new_password_or_role_ends_the_tokens(api, alice, bob):
    from tongban.people.models import Role

    client, other = api(alice), api(bob)
    alice.set_password("Another-pass-2025")
    alice.save()
    assert client.get("/api/v1/cases").status_code == 401
    bob.role = Role.REVIEWER
    user_save(user=bob)
    assert other.get("/api/v1/cases").status_code == 401


def test_a_token_dies_idle_and_at_its_age(api, alice, settings):
    settings.TONGBAN_TOKEN_IDLE_MINUTES, settings.TONGBAN_TOKEN_MAX_HOURS = 30, 2
    with time_machine.travel("2025-03-03 09:00+08:00", tick=False) as clock:
        client = api(alice)
        clock.shift(29 * 60)
        assert client.get("/api/v1/cases").status_code == 200  # used: the idle time restarts
        clock.shift(29 * 60)
        assert client.get("/api/v1/cases").status_code == 200
        clock.shift(31 * 60)
        assert client.get("/api/v1/cases").status_code == 401  # idle 31 minutes
        busy = api(alice)
        for _ in range(5):
            clock.shift(25 * 60)
            code = busy.get("/api/v1/cases").status_code
        assert code == 401  # 125 minutes after it was issued, however busy


def test_a_revoked_token_fails_at_once_on_every_server(api, alice):
    client = api(alice)
    assert client.get("/api/v1/cases").status_code == 200
    ApiToken.objects.filter(user=alice).delete()  # as the admin in another process would
    assert client.get("/api/v1/cases").status_code == 401


def test_signing_out_stops_the_token_and_is_recorded(api, alice):
    client = api(alice)
    assert client.get("/api/v1/cases").status_code == 200
    assert client.delete(TOKEN_URL).status_code == 204
    response = client.get("/api/v1/cases")
    assert (response.status_code, error(response)["code"]) == (401, "authentication_failed")
    assert AuditEntry.objects.filter(event="auth.token_revoked", user=alice).exists()
    again = client.delete(TOKEN_URL)
    assert (again.status_code, error(again)["code"]) == (401, "authentication_failed")
    assert api().delete(TOKEN_URL).status_code == 401


def test_the_security_admin_sees_tokens_in_use_and_revokes_one(api, alice):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from tongban.people.models import Role, User

    client = api(alice)
    assert client.get("/api/v1/cases").status_code == 200
    token = ApiToken.objects.get(user=alice)
    assert token.last_used_at is not None  # seen in use
    sec = User.objects.create_user("sec", password=PASSWORD, role=Role.SECADMIN, is_staff=True)
    sec.user_permissions.set(
        Permission.objects.filter(codename__in=["view_apitoken", "delete_apitoken"])
    )
    browser = Client()
    browser.force_login(sec)
    listing = browser.get("/admin/people/apitoken/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    assert browser.get(f"/admin/people/apitoken/{token.pk}/change/").status_code == 200
    assert browser.get("/admin/people/apitoken/add/").status_code == 403
    gone = browser.post(f"/admin/people/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert gone.status_code == 302
    assert client.get("/api/v1/cases").status_code == 401  # at once in this process
    entry = AuditEntry.objects.get(event="auth.token_revoked")
    assert entry.user == sec and entry.data["token_user"] == "alice"

"""三权分立 in the admin, held by code rather than by the demo's groups: only the security
administrator assigns roles (never their own), each assignment audited; the system
administrator keeps accounts; the auditor changes none."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import _user
from tongban.audit.models import AuditEntry
from tongban.lib.errors import Forbidden
from tongban.people.models import Role, User
from tongban.people.roles import role_privileges_apply, user_assign
from tongban.people.tests.test_totp import enrol
from tongban.people.totp import totp_device

pytestmark = pytest.mark.django_db


def _admin(username, role):
    user = _user(username, role)
    role_privileges_apply(user)  # the admin entry and permissions of the role
    return user


@pytest.fixture
def sysadmin(city):
    return _admin("sys", Role.SYSADMIN)


@pytest.fixture
def secadmin(city):
    return _admin("sec", Role.SECADMIN)


@pytest.fixture
def auditor(city):
    return _admin("aud", Role.AUDITOR)


def _change(client, who, target, **changes):
    """Post `target`'s admin page as `who`, as the browser would, with `changes`."""
    client.force_login(who)
    url = f"/admin/people/user/{target.pk}/change/"
    page = client.get(url)
    if page.status_code != 200:
        return page
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "password":
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "on" if value is True else value
        if value is False:
            del data[name]
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return client.post(url, data)


# (who, whose page, change, allowed)
TABLE = [
    ("sysadmin", "alice", {"role": Role.SUPERVISOR}, False),
    ("sysadmin", "sysadmin", {"role": Role.SECADMIN}, False),
    ("sysadmin", "alice", {"is_active": False}, False),
    ("sysadmin", "alice", {"first_name": "爱丽丝"}, True),
    ("secadmin", "alice", {"role": Role.SUPERVISOR}, True),
    ("secadmin", "alice", {"is_active": False}, True),
    ("secadmin", "secadmin", {"role": Role.SYSADMIN}, False),
]


@pytest.mark.parametrize(("who", "whose", "change", "allowed"), TABLE)
def test_who_changes_what_on_an_account(request, client, alice, who, whose, change, allowed):
    actor = request.getfixturevalue(who)
    target = request.getfixturevalue(whose)
    before = {f: getattr(target, f) for f in change}
    response = _change(client, actor, target, **change)
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    after = {f: getattr(target, f) for f in change}
    assert (after == change) is allowed
    if not allowed:
        assert after == before


def test_a_role_assignment_is_audited_with_old_and_new(client, secadmin, alice):
    _change(client, secadmin, alice, role=Role.SUPERVISOR)
    entry = AuditEntry.objects.get(event="people.role_changed")
    assert entry.user == secadmin and entry.target == str(alice.pk)
    assert (entry.data["old"], entry.data["new"]) == ("clerk", "supervisor")


def test_the_auditor_cannot_change_accounts(client, auditor, alice):
    client.force_login(auditor)
    assert client.get(f"/admin/people/user/{alice.pk}/change/").status_code == 403
    assert (
        client.post(f"/admin/people/user/{alice.pk}/change/", {"role": "sysadmin"}).status_code
        == 403
    )
    alice.refresh_from_db()
    assert alice.role == Role.CLERK


def test_a_superuser_without_the_role_cannot_change_accounts(client, alice, city):
    boss = User.objects.create_superuser("boss", password="Pw-test-12345")
    assert _change(client, boss, alice, role=Role.SECADMIN).status_code == 403


def test_the_service_holds_the_rule_too(secadmin, sysadmin, alice):
    with pytest.raises(Forbidden):
        user_assign(user=alice, by=sysadmin, role=Role.SUPERVISOR)
    with pytest.raises(Forbidden):
        user_assign(user=secadmin, by=secadmin, role=Role.SYSADMIN)
    user_assign(user=alice, by=secadmin, role=Role.SYSADMIN)
    alice.refresh_from_db()
    # The admin entry and permissions come with the role, and go with it.
    assert alice.is_staff and alice.has_perm("offices.change_office")
    user_assign(user=alice, by=secadmin, role=Role.CLERK)
    alice = User.objects.get(pk=alice.pk)
    assert not alice.is_staff and not alice.has_perm("offices.change_office")


def test_a_new_account_has_no_role_until_the_security_administrator_gives_one(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post("/admin/people/user/add/", {
        "username": "newbie", "usable_password": "true", "password1": "Pw-newbie-2026",
        "password2": "Pw-newbie-2026", "role": Role.SECADMIN,
    })  # fmt: skip
    assert response.status_code == 302
    assert User.objects.get(username="newbie").role == ""


def test_only_the_security_administrator_sets_anothers_password(client, sysadmin, secadmin, alice):
    url = f"/admin/people/user/{alice.pk}/password/"
    data = {"password1": "Pw-reset-2026!", "password2": "Pw-reset-2026!", "usable_password": "true"}
    client.force_login(sysadmin)
    assert client.post(url, data).status_code == 403
    client.force_login(secadmin)
    assert client.get(f"/admin/people/user/{secadmin.pk}/password/").status_code == 403  # own
    assert client.post(url, data).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Pw-reset-2026!")
    entry = AuditEntry.objects.get(event="auth.password_changed")
    assert (entry.data["reason"], entry.data["account"]) == ("admin_set", "alice")  # as the desk's


def test_unlock_and_device_reset_are_the_security_administrators(client, sysadmin, secadmin, alice):
    enrol(alice)
    client.force_login(sysadmin)
    form = client.get("/admin/people/user/").context["action_form"]
    assert form is None  # no action at all: neither unlock nor reset (nor delete)
    client.post("/admin/people/user/", {"action": "reset_totp", "_selected_action": [alice.pk]})
    assert totp_device(alice) is not None
    client.force_login(secadmin)
    form = client.get("/admin/people/user/").context["action_form"]
    assert {n for n, _label in form.fields["action"].choices} == {"", "unlock", "reset_totp"}
    client.post("/admin/people/user/", {"action": "reset_totp", "_selected_action": [alice.pk]})
    assert totp_device(alice) is None
    assert AuditEntry.objects.get(event="auth.totp_reset").user == secadmin


# --- The first security administrator ------------------------------------------------------


def test_the_first_security_administrator_comes_from_the_console_once(city, monkeypatch):
    monkeypatch.setenv("TONGBAN_BOOTSTRAP_PASSWORD", "Pw-first-sec-2026")
    call_command("bootstrap_secadmin", "chief", "--no-input")
    chief = User.objects.get(username="chief")
    assert chief.role == Role.SECADMIN and chief.is_staff and not chief.is_superuser
    assert chief.has_perm("people.change_user") and chief.check_password("Pw-first-sec-2026")
    assert AuditEntry.objects.get(event="people.secadmin_bootstrapped").user == chief
    with pytest.raises(CommandError, match="已有安全管理员"):
        call_command("bootstrap_secadmin", "second", "--no-input")


def test_the_bootstrap_keeps_the_password_rules(city, monkeypatch):
    monkeypatch.setenv("TONGBAN_BOOTSTRAP_PASSWORD", "weakpassword")
    with pytest.raises(CommandError):
        call_command("bootstrap_secadmin", "chief", "--no-input")
    assert not User.objects.filter(username="chief").exists()


def test_the_demo_refuses_the_production_profile(settings, city):
    from tongban.people.demo import people_demo

    settings.TONGBAN_PROFILE = "production"
    with pytest.raises(Forbidden):
        people_demo(password="Tb-demo-password")
    assert not User.objects.filter(username="secadmin").exists()


def test_createsuperuser_is_not_the_way_in(tmp_path):
    """Django's createsuperuser is refused from the command line, whatever its options, and
    says what to do instead; nobody is created."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_DATABASE")}
    env["TONGBAN_DATA_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "manage.py", "createsuperuser", "--username", "root",
                           "--email", "root@example.org", "--noinput"],
                          env=env, capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[3])  # fmt: skip
    assert done.returncode == 1 and "bootstrap-secadmin" in done.stderr
    assert not User.objects.filter(username="root").exists()

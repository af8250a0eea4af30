"""三权分立 in the admin: the user page offers no superuser flag, groups or permissions, so a
system administrator cannot make himself (or anyone) superuser (#12's probe)."""

import pytest
from django.contrib.auth.models import Group, Permission

from conftest import _user
from tongban.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(city):
    user = _user("sys", Role.SYSADMIN)
    user.is_staff = True
    user.save()
    group = Group.objects.create(name="系统管理员")
    group.permissions.set(Permission.objects.filter(content_type__app_label="people"))
    user.groups.add(group)
    return user


def test_the_user_page_offers_no_privileges(client, sysadmin):
    client.force_login(sysadmin)
    page = client.get(f"/admin/people/user/{sysadmin.pk}/change/").content.decode()
    for field in ("is_superuser", "user_permissions", 'name="groups"'):
        assert field not in page


def test_ticking_superuser_on_oneself_changes_nothing(client, sysadmin):
    client.force_login(sysadmin)
    url = f"/admin/people/user/{sysadmin.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data |= {"is_superuser": "on", "is_staff": "on", "is_active": "on", "role": Role.SYSADMIN,
             "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors  # saved
    sysadmin.refresh_from_db()
    assert sysadmin.is_superuser is False


def test_a_change_to_an_account_is_audited_with_who_made_it(client, sysadmin):
    from tongban.audit.models import AuditEntry

    client.force_login(sysadmin)
    url = f"/admin/people/user/{sysadmin.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data |= {"first_name": "新名", "is_active": "on", "is_staff": "on", "role": Role.SYSADMIN,
             "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.filter(event="people.user_changed").get()
    assert (entry.username, entry.target) == ("sys", "sys")
    assert "first_name" in entry.data["fields"] and "新名" not in str(entry.data)

"""The auditors' page: the audit trail listed, filtered, paged and exported; every export is
audited; nobody but an auditor gets in."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tongban.audit.models import AuditEntry
from tongban.audit.services import record
from tongban.desk import audit as page
from tongban.people.models import Role, User


@pytest.fixture
def audrey(city):
    return User.objects.create_user(username="audrey", password="Pw-test-12345", role=Role.AUDITOR)


@pytest.fixture
def trail(alice, bob):
    return {
        "login": record(event="auth.login", user=alice, ip="10.0.0.1", face="desk"),
        "failed": record(event="auth.login_failed", outcome="failure", username="=cmd|' /C calc'!A0",
                         ip="10.0.0.9", reason="bad_credentials"),
        "item": record(event="catalog.item_revised", user=bob, target="ITEM-TEST-1"),
    }  # fmt: skip


ANON = None
ACCESS = [
    (ANON, 302),
    ("carol", 403),  # an applicant
    ("alice", 403),  # a clerk
    ("olga", 403),  # a supervisor
    ("vera", 403),  # the city's supervisor
    ("audrey", 200),
]


@pytest.mark.parametrize(("who", "status"), ACCESS)
@pytest.mark.parametrize(
    "url", ["/desk/audit/", "/desk/audit/export.csv", "/desk/audit/export.xlsx"]
)
def test_only_auditors_get_in(request, client, city, who, status, url):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == status


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.CATALOG_ADMIN])
def test_administrators_do_not_read_the_trail(client, city, role):
    client.force_login(User.objects.create_user(username="admin-x", password="x", role=role))
    assert client.get("/desk/audit/").status_code == 403


def test_an_exported_file_is_not_written_for_someone_else(client, alice, trail):
    client.force_login(alice)
    client.get("/desk/audit/export.csv")
    assert not AuditEntry.objects.filter(event="audit.exported").exists()


def _listed(client, **params) -> list[int]:
    response = client.get("/desk/audit/", params)
    assert response.status_code == 200
    return [e.seq for e in response.context["rows"]]


def test_the_page_lists_newest_first(client, audrey, trail):
    client.force_login(audrey)
    seqs = _listed(client)
    assert seqs[:3] == [trail["item"].seq, trail["failed"].seq, trail["login"].seq]
    assert b"catalog.item_revised" in client.get("/desk/audit/").content


@pytest.mark.parametrize(("params", "expected"), [
    ({"event": "auth."}, ["failed", "login"]),
    ({"event": "catalog.item_revised"}, ["item"]),
    ({"outcome": "failure"}, ["failed"]),
    ({"user": "alice"}, ["login"]),
    ({"target": "ITEM-TEST-1"}, ["item"]),
])  # fmt: skip
def test_the_filters(client, audrey, trail, params, expected):
    client.force_login(audrey)
    assert _listed(client, **params) == [trail[k].seq for k in expected]


def test_the_time_filter_takes_whole_local_days(client, audrey, trail):
    client.force_login(audrey)
    today = timezone.localdate()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert set(_listed(client, **{"from": today.isoformat()})) >= {e.seq for e in trail.values()}
    assert not _listed(client, to=yesterday, event="auth.")
    assert _listed(client, **{"from": yesterday, "to": today.isoformat(), "user": "alice"}) == [
        trail["login"].seq
    ]


def test_a_bad_date_is_reported_and_dropped(client, audrey, trail):
    client.force_login(audrey)
    response = client.get("/desk/audit/", {"from": "2026-13-45"})
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()
    assert response.context["filters"]["from"] == ""


def test_pages_are_read_without_counting(client, audrey, alice, trail, monkeypatch):
    monkeypatch.setattr(page, "PAGE_SIZE", 2)
    client.force_login(audrey)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/desk/audit/", {"event": "auth."})
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert first.context["has_next"] is False
    record(event="auth.login", user=alice)
    first = client.get("/desk/audit/", {"event": "auth."})
    assert first.context["has_next"] is True
    second = client.get("/desk/audit/", {"event": "auth.", "page": 2})
    assert [e.seq for e in second.context["rows"]] == [trail["login"].seq]
    assert "event=auth." in first.content.decode()  # the pager keeps the filters


def test_csv_export_holds_the_filtered_entries_and_is_audited(client, audrey, trail):
    client.force_login(audrey)
    response = client.get("/desk/audit/export.csv", {"event": "auth.", "outcome": "failure"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "序号" and len(rows) == 2
    failed = trail["failed"]
    assert rows[1][0] == str(failed.seq) and rows[1][-1] == failed.hash
    assert rows[1][2] == "'=cmd|' /C calc'!A0"  # text, not a formula
    export = AuditEntry.objects.get(event="audit.exported")
    assert export.user == audrey and export.ip == "127.0.0.1"
    assert export.data == {"format": "csv", "filters": {"event": "auth.", "outcome": "failure"},
                           "rows": 1}  # fmt: skip


def test_excel_export_is_audited_too(client, audrey, trail):
    client.force_login(audrey)
    response = client.get("/desk/audit/export.xlsx", {"user": "=cmd|' /C calc'!A0"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == trail["failed"].seq
    assert sheet.cell(row=2, column=3).data_type == "s"  # never a formula
    assert AuditEntry.objects.get(event="audit.exported").data["format"] == "xlsx"


def test_each_export_is_its_own_entry(client, audrey, trail):
    client.force_login(audrey)
    client.get("/desk/audit/export.csv")
    client.get("/desk/audit/export.csv")
    exports = AuditEntry.objects.filter(event="audit.exported").order_by("seq")
    assert exports.count() == 2
    assert exports[1].data["rows"] == exports[0].data["rows"] + 1  # the first export is listed


def test_too_large_an_export_is_refused_not_cut(client, audrey, trail, monkeypatch):
    monkeypatch.setattr(page, "EXPORT_MAX", 2)
    client.force_login(audrey)
    response = client.get("/desk/audit/export.csv", {"event": "auth."})
    assert response.status_code == 200
    response = client.get("/desk/audit/export.csv")
    assert response.status_code == 302
    assert response["Location"] == "/desk/audit/"
    assert AuditEntry.objects.filter(event="audit.exported").count() == 1


def test_the_auditor_sees_the_audit_link_not_the_case_desk(client, audrey):
    client.force_login(audrey)
    nav = re.search(
        r'<nav class="nav">(.*?)</nav>', client.get("/desk/audit/").content.decode(), re.S
    )
    assert 'href="/desk/audit/"' in nav.group(1)
    assert "我的工作" not in nav.group(1)  # the case desk answers an auditor 403


def test_the_auditor_signs_in_to_the_audit_trail(client, audrey):
    response = client.post("/desk/login/", {"username": "audrey", "password": "Pw-test-12345"})
    assert response.status_code == 302 and response["Location"] == "/desk/audit/"

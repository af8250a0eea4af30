"""On PostgreSQL the audit trail is append-only for the application's own database role,
whatever rights it has (owner, superuser): UPDATE and DELETE of an entry fail, through the ORM
and in plain SQL, and the head only moves forward onto a real entry (migration 0006)."""

import pytest
from django.db import DatabaseError, connection, transaction

from tongban.audit.models import AuditEntry, AuditHead
from tongban.audit.selectors import chain_verify
from tongban.audit.services import record

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")


@pytest.fixture
def entry(alice):
    return record(event="test.kept", user=alice, target="T1")


def _refused(statement):
    with pytest.raises(DatabaseError, match="append-only|head"), transaction.atomic():
        statement()


def _sql(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_the_orm_cannot_change_an_entry(entry):
    _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(target="T2"))
    entry.target = "T2"
    _refused(lambda: entry.save())


def test_the_orm_cannot_delete_an_entry(entry):
    _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
    _refused(lambda: AuditEntry.objects.get(pk=entry.pk).delete())


def test_plain_sql_cannot_change_or_delete_an_entry(entry):
    _refused(_sql("UPDATE audit_auditentry SET target = 'T2' WHERE id = %s", [entry.pk]))
    _refused(_sql("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]))
    _refused(_sql("DELETE FROM audit_auditentry"))


def test_replication_mode_does_not_switch_the_guard_off(entry):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    _refused(_sql("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]))


def test_the_head_cannot_be_moved_back_or_deleted(entry):
    _refused(lambda: AuditHead.objects.filter(pk=1).update(seq=entry.seq - 1))
    _refused(lambda: AuditHead.objects.filter(pk=1).update(seq=entry.seq + 1, hash="f" * 64))
    _refused(lambda: AuditHead.objects.filter(pk=1).delete())


def test_nothing_refused_touched_the_chain(entry):
    for statement in (
        _sql("UPDATE audit_auditentry SET target = 'T2'"),
        _sql("DELETE FROM audit_auditentry"),
        _sql("UPDATE audit_audithead SET seq = 0"),
    ):
        _refused(statement)
    assert AuditEntry.objects.get(pk=entry.pk).target == "T1"
    assert chain_verify().ok

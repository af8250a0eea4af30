from contextlib import contextmanager

import pytest
from django.db import connection

from tongban.people.models import Role, User


@contextmanager
def tampering():
    """What someone who owns the tables can do behind the application's back: on PostgreSQL,
    switch the append-only trigger off first (inside the test's transaction, so that it comes
    back with the rollback); SQLite has no such guard."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # A table with deferred foreign-key checks pending cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        cursor.execute("ALTER TABLE audit_audithead DISABLE TRIGGER audit_head_forward")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE ALWAYS TRIGGER audit_append_only")
            cursor.execute("ALTER TABLE audit_audithead ENABLE ALWAYS TRIGGER audit_head_forward")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def audrey(city):
    """An auditor (审计员): no office, reads the audit trail."""
    return User.objects.create_user(username="audrey", password="Pw-test-12345", role=Role.AUDITOR)

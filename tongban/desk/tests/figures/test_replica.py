"""The supervisors' figures, lists and exports read from a streaming replica (issue #16), against
a real one started beside the primary: `.ci/replica start` (pg_basebackup of the local cluster
into a temporary directory, another port). The replica's replay is paused to tell which
database answered: a case made on the primary after the pause is on the primary only.

Only these tests may see a replica (the others' data lives in transactions a replica never
sees): in a run without TONGBAN_REPLICA_DATABASE_URL (the PostgreSQL stage of ./dev test),
`test_against_a_replica_started_here` starts one and runs this file again in a pytest of its
own with the replica configured, where the tests below run."""

import glob
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection, connections

from conftest import submit
from tongban.audit.models import AuditEntry
from tongban.cases.models import Case
from tongban.lib.replica import REPLICA, configured, replica_reads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases="__all__")]


def _binaries() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"))


@pytest.fixture
def replica():
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica is PostgreSQL's: runs in the PostgreSQL stage")
    if not configured():
        if not _binaries():
            pytest.skip("no PostgreSQL server binaries (pg_basebackup) to start a replica with")
        pytest.skip("run with a replica by test_against_a_replica_started_here, in its own pytest")
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0], "TONGBAN_REPLICA_DATABASE_URL names a primary, not a replica"
    yield connections[REPLICA]
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's: runs in the PostgreSQL stage")  # fmt: skip
@pytest.mark.skipif(configured(), reason="a replica is configured: the tests below run against it")
def test_against_a_replica_started_here():
    if not _binaries():
        pytest.skip("no PostgreSQL server binaries (pg_basebackup) to start a replica with")
    script = settings.BASE_DIR / ".ci" / "replica"
    already = (
        subprocess.run([str(script), "status"], capture_output=True, text=True).returncode == 0
    )
    started = subprocess.run([str(script), "start"], capture_output=True, text=True, timeout=600)
    assert started.returncode == 0, started.stderr
    try:
        db = connection.settings_dict
        primary = os.environ["TONGBAN_DATABASE_URL"]
        parts = urlsplit(primary)
        # A database name of its own: its test database must not be this run's.
        name = (parts.path.lstrip("/") or "tongban") + "_replica"
        env = dict(
            os.environ,
            TONGBAN_DATABASE_URL=urlunsplit(parts._replace(path="/" + name)),
            TONGBAN_REPLICA_DATABASE_URL=f"{started.stdout.strip()}/{name}",
        )
        assert db["NAME"] != "test_" + name
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
            env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
        inner = sum(1 for n in globals() if n.startswith("test_")) - 1  # all but this one
        assert f"\n{inner} passed, 1 skipped" in done.stdout, done.stdout[-2000:]
    finally:
        if not already:
            subprocess.run([str(script), "stop"], capture_output=True, timeout=120)


def caught_up(timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {lsn} within {timeout} s")


def pause(replica) -> None:
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


def test_figures_lists_and_exports_read_the_replica_and_writes_stay_on_the_primary(
    replica, client, vera, carol
):
    before = submit(carol)
    client.force_login(vera)
    caught_up()
    pause(replica)
    after = submit(carol)  # on the primary only from here on

    with replica_reads():
        assert Case.objects.filter(number=before.number).exists()
        assert not Case.objects.filter(number=after.number).exists()
    assert Case.objects.filter(number=after.number).exists()  # the primary, outside

    # The city supervisor's list of the cases behind a figure: read on the replica.
    page = client.get("/desk/stats/cases/?figure=received").content.decode()
    assert before.number in page and after.number not in page
    assert client.get("/desk/stats/").status_code == 200
    assert client.get("/desk/supervision/").status_code == 200

    # An export reads the replica and writes its audit row on the primary, in the same request.
    response = client.get("/desk/stats/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(event="figures.exported", user=vera).exists()

    # The user changes something: their next reads come from the primary, which has `after`.
    assert (
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/desk/"}).status_code == 302
    )
    page = client.get("/desk/stats/cases/?figure=received").content.decode()
    assert before.number in page and after.number in page

    # Replay resumes: the replica catches up and shows it to everyone else too.
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    with replica_reads():
        assert Case.objects.filter(number=after.number).exists()


def test_a_write_inside_replica_reads_sends_the_rest_of_the_request_to_the_primary(
    replica, vera, carol
):
    caught_up()
    pause(replica)
    with replica_reads():
        made = submit(carol)  # a write: the primary
        # ...and the request's later reads follow it there, seeing what it wrote.
        assert Case.objects.filter(number=made.number).exists()


def test_api_figures_read_the_replica_for_a_bearer_token_made_on_the_primary(replica, client, vera):
    from tongban.people.models import ApiToken

    caught_up()
    pause(replica)
    # The token is made after the pause: authentication reads the primary, the figures the replica.
    raw = ApiToken.issue(vera)
    response = client.get("/api/v1/stats/summary", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content

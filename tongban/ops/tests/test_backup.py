"""`tongban backup` and `tongban restore`: a round trip into a fresh database and data dir
brings back every row and every file; an altered, cut-short or wrong-key archive, or a target
that is not empty, restores nothing. On the suite's database: SQLite, or PostgreSQL (then the
restore goes into a database of its own, <test database>_restored).

The backup runs here, on the test database; each restore runs as the operator runs it, in a
process of its own configured for the target, so these tests need committed rows
(transaction=True)."""

import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import act, submit
from tongban.cases.attachments import attachment_add
from tongban.cases.models import Attachment, Case, CaseEvent
from tongban.lib.crypto import MAGIC, KeyRing, SealedReader, SealedWriter, key_line_new
from tongban.ops import backup
from tongban.portal.tests.samples import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


@pytest.fixture
def key_line(settings, tmp_path):
    line = key_line_new("bk1")
    settings.TONGBAN_DATA_KEYS = KeyRing.parse(line)
    settings.MEDIA_ROOT = tmp_path / "src-media"
    settings.DATA_DIR = tmp_path / "src"
    settings.DATA_DIR.mkdir()
    return line


class Target:
    """A fresh data dir and an empty database, and tongban run on them in a process of its own."""

    def __init__(self, tmp_path: Path, key_line: str):
        self.data_dir = tmp_path / "dst"
        self.data_dir.mkdir()
        self.media = self.data_dir / "media"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
        self.env.update(TONGBAN_DATA_DIR=str(self.data_dir), TONGBAN_DATA_KEY=key_line,
                        DJANGO_SETTINGS_MODULE="tongban.settings")  # fmt: skip
        self.db = connection.settings_dict
        self.pg_name = None
        if connection.vendor == "postgresql":
            self.pg_name = f"{self.db['NAME']}_restored"
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            auth = quote(self.db["USER"] or "") + (
                ":" + quote(self.db["PASSWORD"]) if self.db["PASSWORD"] else ""
            )
            self.env["TONGBAN_DATABASE_URL"] = (
                f"postgres://{auth}@{self.db['HOST'] or 'localhost'}:{self.db['PORT'] or 5432}"
                f"/{self.pg_name}"
            )

    def _pg_admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", host=self.db["HOST"] or None,
                             port=self.db["PORT"] or None, user=self.db["USER"] or None,
                             password=self.db["PASSWORD"] or None, autocommit=True) as c:  # fmt: skip
            c.execute(sql)

    def close(self) -> None:
        if self.pg_name:
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def run(self, *args: str, env: dict | None = None, stdin: bytes | None = None):
        done = subprocess.run([sys.executable, str(MANAGE), *args], env={**self.env, **(env or {})},
                              input=stdin, capture_output=True, timeout=300)  # fmt: skip
        done.stdout, done.stderr = done.stdout.decode(), done.stderr.decode()
        return done

    def tables(self) -> int:
        if self.pg_name:
            import psycopg

            with psycopg.connect(dbname=self.pg_name, host=self.db["HOST"] or None,
                                 port=self.db["PORT"] or None, user=self.db["USER"] or None,
                                 password=self.db["PASSWORD"] or None) as c:  # fmt: skip
                return c.execute(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'S')"
                ).fetchone()[0]
        path = self.data_dir / "tongban.sqlite3"
        if not path.exists():
            return 0
        with sqlite3.connect(path) as c:
            return c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
                0
            ]

    def rows(self) -> list:
        done = self.run(
            "dumpdata", "--format=json", "--exclude=django_rq"
        )  # its models are no tables
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def files(self) -> dict:
        return _files(self.media)


@pytest.fixture
def target(tmp_path, key_line):
    target = Target(tmp_path, key_line)
    yield target
    target.close()


def _files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}  # fmt: skip


def _rows() -> list:
    out = io.StringIO()
    call_command("dumpdata", format="json", exclude=["django_rq"], stdout=out)
    return json.loads(out.getvalue())


BIG = pdf_bytes("over several chunks", pad=3 * 1024 * 1024)


@pytest.fixture
def cases(key_line, carol, alice, rita, sam):
    """carol's cases: one completed, one awaiting a supplement, one at the window; a 3 MB scan
    (several chunks of the archive) and a PNG among their files."""
    done = submit(carol)
    attachment_add(case=done, material="M1", file=upload("发票.pdf", BIG), user=carol)
    for user, action in ((alice, "accept"), (rita, "approve"), (sam, "approve")):
        act(user, done, action)
    waiting = submit(carol)
    act(alice, waiting, "request_supplement", missing_materials=["M2"])
    attachment_add(case=waiting, material="M2", file=upload("图.png", png_bytes(), "image/png"),
                   user=carol)  # fmt: skip
    submit(alice, "YB01003", channel="window", applicant=carol.applicant, materials=["M1"])
    return Case.objects.count(), CaseEvent.objects.count(), Attachment.objects.count()


def _backup(tmp_path) -> Path:
    path = tmp_path / "tongban.backup"
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    assert f"wrote {path}" in out.getvalue() and "key 'bk1'" in out.getvalue()
    return path


def test_a_round_trip_brings_back_every_case_event_and_file(cases, target, tmp_path, settings):
    assert cases == (3, 7, 2)
    rows, files = _rows(), _files(settings.MEDIA_ROOT)
    assert sum(r["model"] == "cases.caseevent" for r in rows) == 7 and len(files) == 2
    archive = _backup(tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    sealed = archive.read_bytes()
    assert b"over several chunks" not in sealed and "Carol 王".encode() not in sealed
    assert not list(settings.DATA_DIR.iterdir())  # the spooled database copy is gone

    done = target.run("restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert "and 2 files" in done.stdout
    assert target.rows() == rows  # every row of every table, cases and events among them
    assert target.files() == files  # byte for byte
    for a in Attachment.objects.all():
        restored = (target.media / a.file.name).read_bytes()
        assert hashlib.sha256(restored).hexdigest() == a.sha256
    assert [p.name for p in target.data_dir.iterdir() if p.name.startswith(".backup-")] == []


def test_an_archive_goes_through_a_pipe(cases, target, capsysbinary):
    # tongban backup --output - | ssh elsewhere tongban restore -
    rows = _rows()
    call_command("backup", output="-")
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(MAGIC) and b"wrote standard output" in captured.err
    done = target.run("restore", "-", stdin=captured.out)
    assert done.returncode == 0, done.stderr
    assert target.rows() == rows and len(target.files()) == 2


def test_a_target_with_data_is_replaced_only_with_force(cases, target, tmp_path):
    rows = _rows()
    archive = _backup(tmp_path)
    assert target.run("restore", str(archive)).returncode == 0
    assert target.run("flush", "--no-input").returncode == 0  # the tables stay, empty
    (target.media / "stray.txt").write_text("not from the backup")

    done = target.run("restore", str(archive))
    assert done.returncode == 1
    assert "tables" in done.stderr and "is not empty" in done.stderr
    assert "only with --force; nothing was restored" in done.stderr
    assert (target.media / "stray.txt").exists()

    done = target.run("restore", "--force", str(archive))
    assert done.returncode == 0, done.stderr
    assert target.rows() == rows
    assert not (target.media / "stray.txt").exists() and len(target.files()) == 2


SEALED_CHUNK = 1024 * 1024 + 16
HEADER = len(MAGIC) + 1 + len("bk1") + 32 + 4


def _cut_at_chunk_border(data: bytes) -> bytes:
    return data[: HEADER + (len(data) - HEADER) // SEALED_CHUNK * SEALED_CHUNK]  # the last dropped


def _last_chunk_flipped(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[-20] ^= 0x01  # in the last chunk: read after the database and every file
    return bytes(damaged)


@pytest.mark.parametrize(
    "damage, env, message",
    [
        (_last_chunk_flipped, {}, "does not open at chunk"),
        (lambda data: data[:-100], {}, "does not open at chunk"),
        (_cut_at_chunk_border, {}, "cut short"),
        (lambda data: data, {"TONGBAN_DATA_KEY": key_line_new("bk2")}, "key 'bk1', which"),
        (lambda data: data, {"TONGBAN_DATA_KEY": "bk1:" + key_line_new("x")[2:]},
         "not the key that sealed it"),
    ],
    ids=["altered", "cut inside a chunk", "cut at a chunk border", "another key",
         "another key of the same id"],
)  # fmt: skip
def test_an_archive_that_does_not_open_restores_nothing(
    cases, target, tmp_path, damage, env, message
):
    archive = _backup(tmp_path)
    bad = tmp_path / "bad.backup"
    bad.write_bytes(damage(archive.read_bytes()))
    done = target.run("restore", str(bad), env=env)
    assert done.returncode == 1
    assert message in done.stderr and "nothing was restored" in done.stderr
    assert target.tables() == 0
    assert target.files() == {}
    assert [p.name for p in target.data_dir.iterdir() if p.name.startswith(".backup-")] == []


def test_backup_never_overwrites_a_file(key_line, tmp_path):
    path = tmp_path / "kept.backup"
    path.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="exists; give another --output"):
        call_command("backup", output=str(path))
    assert path.read_bytes() == b"an older backup"


def test_only_regular_files_of_the_uploads_are_backed_up(key_line, settings, tmp_path):
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "a.pdf").write_bytes(b"%PDF-")
    (tmp_path / "secret").write_text("outside the uploads")
    (settings.MEDIA_ROOT / "cases" / "link.pdf").symlink_to(tmp_path / "secret")
    files, skipped = backup._media_files()
    assert [name for name, _ in files] == ["media/cases/a.pdf"]
    assert skipped == ["cases/link.pdf"]


def test_an_archive_for_another_kind_of_database_is_refused(key_line):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest = {
        "format": 1,
        "database": {"vendor": other, "member": backup.DATABASE_MEMBERS[other]},
    }
    with pytest.raises(backup.BackupError, match=f"holds a {other} database"):
        backup._check_manifest(manifest)


def test_backup_and_unpacking_hold_a_chunk_not_a_file(key_line, city, tmp_path, settings):
    big = os.urandom(48 * 1024 * 1024)
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "scan.pdf").write_bytes(big)
    archive = tmp_path / "big.backup"
    tracemalloc.start()
    try:
        with archive.open("wb") as out:
            backup.backup_write(out)
        written_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        folder = tmp_path / "unpacked"
        folder.mkdir()
        with archive.open("rb") as src:
            backup._unpack(SealedReader(src), folder)
        read_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (folder / "media" / "cases" / "scan.pdf").read_bytes() == big
    # A chunk is 1 MiB; the file is 48.
    assert written_peak < 8 * 1024 * 1024, written_peak
    assert read_peak < 8 * 1024 * 1024, read_peak


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's restore transaction")
def test_a_postgresql_restore_that_fails_half_way_leaves_the_old_database(cases, target, tmp_path):
    archive = _backup(tmp_path)
    import psycopg

    db = target.db
    with psycopg.connect(dbname=target.pg_name, host=db["HOST"] or None, port=db["PORT"] or None,
                         user=db["USER"] or None, password=db["PASSWORD"] or None) as c:  # fmt: skip
        c.execute("CREATE TABLE kept (note text)")
        c.execute("INSERT INTO kept VALUES ('still here')")
        # An event trigger (which --force does not drop) refuses one table of the dump: the
        # restore fails after `kept` was dropped and other tables were made.
        c.execute("CREATE SCHEMA guard")
        c.execute(
            "CREATE FUNCTION guard.refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()"
            "            WHERE object_identity = 'public.workdays_calendarday') THEN"
            "  RAISE EXCEPTION 'no workdays_calendarday here'; END IF; END $$"
        )
        c.execute(
            "CREATE EVENT TRIGGER refuse ON ddl_command_end WHEN TAG IN ('CREATE TABLE')"
            " EXECUTE FUNCTION guard.refuse()"
        )
    done = target.run("restore", "--force", str(archive))
    assert done.returncode == 1
    assert "PostgreSQL refused the dump" in done.stderr
    assert "no workdays_calendarday here" in done.stderr
    with psycopg.connect(dbname=target.pg_name, host=db["HOST"] or None, port=db["PORT"] or None,
                         user=db["USER"] or None, password=db["PASSWORD"] or None) as c:  # fmt: skip
        assert c.execute("SELECT note FROM kept").fetchall() == [("still here",)]
    assert target.tables() == 1
    assert target.files() == {}


def _pg_connect(target):
    import psycopg

    db = target.db
    return psycopg.connect(dbname=target.pg_name, host=db["HOST"] or None, port=db["PORT"] or None,
                           user=db["USER"] or None, password=db["PASSWORD"] or None)  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's restore transaction")
def test_a_dump_that_breaks_off_is_never_committed(cases, target, tmp_path):
    # pg_restore reads the dump's contents, then fails at the end of its last table's data:
    # what it wrote until then (and the DROPs of --force) must not be committed.
    folder = tmp_path / "dump"
    folder.mkdir()
    dump = backup._database_dump(folder).read_bytes()[:-2000]
    manifest = {"format": 1, "created_at": "2026-01-01T00:00:00+00:00",
                "database": {"vendor": "postgresql", "member": "database.pgdump", "bytes": len(dump)},
                "media": {"files": 0, "bytes": 0, "skipped": []}}  # fmt: skip
    archive = tmp_path / "broken-dump.backup"
    with archive.open("wb") as out:
        sealer = SealedWriter(out)
        with tarfile.open(fileobj=sealer, mode="w|") as tar:
            for name, data in (("manifest.json", json.dumps(manifest).encode()),
                               ("database.pgdump", dump)):  # fmt: skip
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        sealer.finish()
    with _pg_connect(target) as c:
        c.execute("CREATE TABLE kept (note text)")
        c.execute("INSERT INTO kept VALUES ('still here')")
    done = target.run("restore", "--force", str(archive))
    assert done.returncode == 1
    assert "PostgreSQL refused the dump" in done.stderr and "pg_restore" in done.stderr
    with _pg_connect(target) as c:
        assert c.execute("SELECT note FROM kept").fetchall() == [("still here",)]
    assert target.tables() == 1

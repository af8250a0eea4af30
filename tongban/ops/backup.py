"""The whole of tongban in one archive, and back: the database and the uploaded files.

An archive is a tar stream sealed with the backup key (tongban.lib.crypto: SM4-GCM in 1 MiB
chunks, each checked before use): it reads as noise without the data key, and an altered,
cut-short or wrong-key archive is refused. Inside: `manifest.json`, the database, then `media/`
(MEDIA_ROOT). Nothing is held in memory but a chunk; the database copy
is spooled to a private directory in the data dir first, as a tar member needs its size.

The database is copied by its own tools, not by Django's serialisation: SQLite by its online
backup API (one consistent read, safe beside WAL writers), PostgreSQL by `pg_dump` in its
custom format (one snapshot) and restored through `pg_restore | psql --single-transaction`.
So the copy is exact (migration state, sequences, constraints, the task queue, rows no model
describes), fast, and loads all or nothing. The price: an archive goes back into the same kind
of database, and PostgreSQL needs its client programs, of the server's major version or newer.

Restore stages everything in the data dir and touches nothing until the whole archive opened;
it then loads the database (all or nothing) and moves the files into MEDIA_ROOT. It refuses a
database with tables, or a MEDIA_ROOT with files, unless `force`: then both are replaced.
Stop `serve` and `worker` first.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tongban.lib.crypto import SealedReader, SealedWriter

FORMAT = 1
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what is wrong. `changed` is
    true only when a restore failed after the database was restored."""

    def __init__(self, message: str, *, changed: bool = False):
        super().__init__(message)
        self.changed = changed


def _staging() -> Path:
    # In the data dir, beside what it copies: same disk, same protection, 0700 by mkdtemp.
    return Path(tempfile.mkdtemp(prefix=".backup-", dir=settings.DATA_DIR))


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files() -> tuple[list[tuple[str, Path]], list[str]]:
    """(archive name, path) of every regular file under MEDIA_ROOT, and what was skipped."""
    root, files, skipped = _media_root(), [], []
    if not root.is_dir():
        return files, skipped
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(rel)
            else:
                files.append((f"media/{rel}", path))
    return files, skipped


# --- The database -------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client programs of the server's "
            "major version or newer (Debian: postgresql-client)"
        )
    return path


def _pg_env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                     ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):  # fmt: skip
        if db.get(key):
            env[var] = str(db[key])
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, **kw)
    if done.returncode:
        err = done.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(args[0]).name} failed: {err}")
    return done


def _database_dump(folder: Path) -> Path:
    vendor = connection.vendor
    path = folder / DATABASE_MEMBERS.get(vendor, "database")
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        try:
            connection.connection.backup(copy)  # all pages in one step: one consistent read
        finally:
            copy.close()
    elif vendor == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={path}"])
    else:
        raise BackupError(f"tongban backs up SQLite and PostgreSQL, not {vendor}")
    return path


def _database_tables() -> list[str]:
    return connection.introspection.table_names(include_views=True)


def _sqlite_load(path: Path) -> None:
    copy = sqlite3.connect(path)
    try:
        if (check := copy.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
            raise BackupError(f"the archive's SQLite database is damaged: {check}")
        connection.close()
        target = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
        try:
            # A WAL database refuses pages of another size; the copy brings its own mode back.
            target.execute("PRAGMA journal_mode=DELETE")
            copy.backup(target)  # replaces the whole database, tables and all, in one write
        except sqlite3.OperationalError as e:
            raise BackupError(f"the database cannot be written ({e}): stop tongban first") from None
        finally:
            target.close()
    finally:
        copy.close()


# What --force drops before a PostgreSQL restore: every table, view and sequence of the
# connection's schema (a column's own sequence goes with its table), then its functions and
# its own types (a table's row type goes with the table), but nothing an extension owns.
_PG_DROPS = """
SELECT format('DROP %s IF EXISTS %I.%I CASCADE;', CASE c.relkind WHEN 'v' THEN 'VIEW'
         WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
         WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
UNION ALL
SELECT format('DROP %s IF EXISTS %I.%I(%s) CASCADE;',
              CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
              n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = current_schema()
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                   AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT format('DROP %s IF EXISTS %I.%I CASCADE;',
              CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = current_schema()
   AND (t.typtype IN ('d', 'e', 'r')
        OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                   AND d.objid = t.oid AND d.deptype = 'e')
"""


def _pg_drop_sql() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_PG_DROPS)
        return "".join(row[0] + "\n" for row in cursor.fetchall())


def _pg_load(path: Path, *, replace: bool) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    # Reads the dump's contents: a dump this pg_restore cannot read fails here, before a drop.
    _run([pg_restore, "--list", str(path)])
    prelude = _pg_drop_sql() if replace else ""
    connection.close()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        # One transaction from the first DROP to the last row, committed only when pg_restore
        # has written the whole dump: psql stops at the first error, and a transaction left
        # open at the end of its input is rolled back.
        load = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
             "--file=-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err,
            env={**_pg_env(), "PGOPTIONS": "-c client_min_messages=warning"},  # no CASCADE notes
        )  # fmt: skip
        dump = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE, stderr=restore_err, env=_pg_env(),
        )  # fmt: skip
        try:
            load.stdin.write(b"BEGIN;\n" + prelude.encode())
            shutil.copyfileobj(dump.stdout, load.stdin, 1024 * 1024)
            if dump.wait() == 0:
                load.stdin.write(b"COMMIT;\n")
            load.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error; its message follows
        dump.stdout.close()
        if dump.wait() or load.wait():
            restore_err.seek(0)
            psql_err.seek(0)
            err = (restore_err.read() + psql_err.read()).decode(errors="replace").strip()
            raise BackupError(f"PostgreSQL refused the dump: {err}")


# --- Backup and restore -------------------------------------------------------------------


def backup_write(out: BinaryIO) -> dict:
    """Write the database and every file under MEDIA_ROOT to `out`, sealed with the backup key.

    Returns the manifest with the archive's size and key id. Raises BackupError (a missing
    pg_dump, pg_dump's own error); `out` then holds an unfinished archive, which never opens."""
    started = time.monotonic()
    folder = _staging()
    try:
        dump = _database_dump(folder)
        files, skipped = _media_files()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": connection.vendor, "member": dump.name,
                         "bytes": dump.stat().st_size},
            "media": {"files": len(files), "bytes": sum(p.stat().st_size for _, p in files),
                      "skipped": skipped},
        }  # fmt: skip
        sealer = SealedWriter(out)
        with tarfile.open(fileobj=sealer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for name, path in files:
                with path.open("rb") as f:
                    # fstat of the open file: the size tar promises is the size it reads.
                    tar.addfile(tar.gettarinfo(arcname=name, fileobj=f), f)
        sealer.finish()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {**manifest, "key_id": sealer.key_id, "archive_bytes": sealer.written,
            "seconds": round(time.monotonic() - started, 2)}  # fmt: skip


def restore_target_problems() -> list[str]:
    """Why the configured database and MEDIA_ROOT are not empty ([] when they are)."""
    problems = []
    if tables := _database_tables():
        problems.append(f"the database has {len(tables)} tables")
    root = _media_root()
    if root.is_dir() and any(root.iterdir()):
        problems.append(f"{root} is not empty")
    return problems


def backup_restore(src: BinaryIO, *, force: bool = False) -> dict:
    """Restore an archive of backup_write into the configured database and MEDIA_ROOT.

    Both must be empty, unless `force`, which replaces them. Raises CryptoError for an
    archive that does not open (altered, cut short, another key: UnknownKey) and BackupError
    for any other refusal; in both cases nothing was changed. Returns the manifest, with
    `pending_migrations`: the migrations this code has that the restored database lacks."""
    started = time.monotonic()
    reader = SealedReader(src)  # the key is checked before anything else is read
    problems = restore_target_problems()
    if problems and not force:
        raise BackupError("; ".join(problems) + ": restore replaces them only with --force")
    folder = _staging()
    try:
        manifest = _unpack(reader, folder)
        database = folder / manifest["database"]["member"]
        if manifest["database"]["vendor"] == "sqlite":
            _sqlite_load(database)
        else:
            _pg_load(database, replace=bool(problems))
        database.unlink()
        try:
            _media_put(folder / "media", old=folder / "old-media")
        except OSError as e:
            kept, folder = folder, None  # not removed below: the files are still in it
            raise BackupError(
                f"the database was restored, but the files could not be moved into "
                f"{_media_root()} ({e}); they are in {kept / 'media'}",
                changed=True,
            ) from None
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    connection.close()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {**manifest, "key_id": reader.key_id, "pending_migrations": len(pending),
            "seconds": round(time.monotonic() - started, 2)}  # fmt: skip


def _unpack(reader: SealedReader, folder: Path) -> dict:
    """Open the whole archive into `folder`; return its manifest after checking it fits."""
    manifest, names = None, set()
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if manifest is None:
                    if member.name != "manifest.json":
                        raise BackupError("the archive does not start with its manifest")
                    manifest = json.load(tar.extractfile(member))
                    _check_manifest(manifest)
                    continue
                if member.name != manifest["database"]["member"] and not (
                    member.name.startswith("media/") and member.isfile()
                ):
                    raise BackupError(f"the archive holds an unexpected {member.name!r}")
                tar.extract(member, folder, filter="data")
                names.add(member.name)
        reader.drain()
    except tarfile.TarError as e:
        raise BackupError(f"the archive's contents are damaged ({e})") from None
    if manifest is None or manifest["database"]["member"] not in names:
        raise BackupError("the archive holds no database")
    if (count := len(names) - 1) != manifest["media"]["files"]:
        raise BackupError(
            f"the archive holds {count} files, its manifest says {manifest['media']['files']}"
        )
    return manifest


def _check_manifest(manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"the archive is of format {manifest.get('format')!r}; this tongban reads {FORMAT}"
        )
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"the archive holds a {vendor} database; this tongban is configured for "
            f"{connection.vendor} (TONGBAN_DATABASE_URL)"
        )
    if manifest["database"]["member"] != DATABASE_MEMBERS[vendor]:
        raise BackupError("the archive's manifest is damaged")


def _media_put(staged: Path, *, old: Path) -> None:
    """Replace what MEDIA_ROOT holds with `staged` (moved, not copied, on the same disk)."""
    root = _media_root()
    root.mkdir(parents=True, exist_ok=True)
    old.mkdir()
    for child in root.iterdir():  # only with --force: restore_target_problems said so
        shutil.move(child, old / child.name)
    if staged.is_dir():
        for child in staged.iterdir():
            shutil.move(child, root / child.name)

"""Faults under load (issue #12): nothing acknowledged is lost, nothing is done twice.

Clients apply and carry cases through their lifecycle over HTTP, against the real server
(`tongban serve`: gunicorn's sync workers, and the background worker under its supervisor) on
a PostgreSQL instance of this test's own. Meanwhile that PostgreSQL is stopped and started
again twice (a fast shutdown, then a crash: `-m immediate`, recovered from its WAL), and a
gunicorn worker is killed (SIGKILL) while it holds a client's connection. Clients retry as a
careful program would: the same Idempotency-Key for an application, the same `version` for an
action, and when a retried action answers 409 stale_version, they read the case.

Afterwards, in the database:
- every acknowledged (2xx) application is there exactly once, under its key, and no key made
  two cases, acknowledged or not;
- every acknowledged transition is in its case's history exactly once, at its version;
- no case is half-changed: its version is the number of its history rows, its status that of
  the last row, and the history is a prefix of submit, accept, approve, approve;
- every failed request got a clear answer: 503 with the JSON error body and Retry-After, or a
  broken connection (the killed worker); no 500, no other status;
- the server answers again without a restart (same gunicorn master), and the background worker
  that was running before the faults is still running and polling after the last one.

The machine's shared PostgreSQL cluster is never touched: others run tests on it. The test's
instance is initdb'd into a temporary directory and started on a free port (as the postgres OS
user when run as root), with fsync off: that loses data only when the machine itself crashes,
which is not the fault tried here. Its tables are copied from this run's test database (one
second; the migrations take a quarter of a minute). It runs in ./dev test's PostgreSQL pass
(marker `postgres`; skipped on SQLite) and prints its figures.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from server import Server, Spec, descendants, free_port  # noqa: E402

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,  # this run's test database: copy_schema() reads its tables
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="faults of PostgreSQL: the PostgreSQL pass"
    ),
]

PASSWORD = "Faults-test-2026"
CLIENTS = 6
APPLY = {"item": "YB07019", "channel": "web", "materials": ["M1", "M2", "M3", "M4"],
         "form": {"amount": "1280.50", "bank_account": "6222020200112233445"}}  # fmt: skip
# Who takes each step of 门诊费用报销 (审核 → 复审), as in bench/load.py.
STEPS = (("accept", "clerk-371522"), ("approve", "reviewer-371522"),
         ("approve", "second-reviewer-371522"))  # fmt: skip
HISTORY = ["submit", "accept", "approve", "approve"]
# What the second reviewer fills in when finishing the reimbursement (办结结果, #15).
DECISION = {"decision": {"amount_approved": "100.00", "paid_to_account": "6222020200112233445",
                         "payment_date": (date.today() + timedelta(days=7)).isoformat()}}  # fmt: skip
RETRIES = 40  # per request; 0.25 s apart, enough to outlast a restart


def _pg_bindir() -> Path | None:
    """The server's programs: Debian's newest /usr/lib/postgresql/N/bin, else pg_ctl's folder."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)  # fmt: skip
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


class PrivatePostgres:
    """A PostgreSQL instance of the test's own, in a temporary directory, on a free port."""

    def __init__(self):
        self.bindir = _pg_bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="tongban-faults-"))
        self.data, self.log = self.dir / "data", self.dir / "postgres.log"
        self.port = free_port()
        self.root = os.geteuid() == 0  # initdb refuses root: run as the postgres user

    def _run(self, program: str, *args: str) -> None:
        argv = [str(self.bindir / program), *args]
        if self.root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}")

    def init(self) -> "PrivatePostgres":
        if self.root:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        return self.start()

    def start(self) -> "PrivatePostgres":
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c max_connections=60")  # fmt: skip
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "-t", "30", "start")  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass  # not running
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str = "tongban") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def query(self, sql: str, params=(), *, db: str = "tongban") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


# --- the clients ----------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0
    acknowledged: int = 0
    failed: Counter = field(default_factory=Counter)  # "503", "broken", "unclear"
    unclear: list = field(default_factory=list)  # (status, body) of every unclear answer
    applied: list = field(default_factory=list)  # (username, key, number): acknowledged
    keys: list = field(default_factory=list)  # (username, key): every key sent
    moved: list = field(default_factory=list)  # (number, action, version): acknowledged
    resolved: int = 0  # 409 stale_version after a lost answer: the read showed it was done
    lifecycles: int = 0
    last_ack: float = 0.0


class Client(threading.Thread):
    def __init__(self, port: int, tokens: dict, applicant: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.tokens, self.applicant, self.stop = port, tokens, applicant, stop
        self.tally = Tally()

    def call(self, method: str, path: str, user: str, body=None, key: str | None = None):
        """(status, json body, headers) or (None, error, {}) for a broken connection."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        self.tally.sent += 1
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as e:
            return None, repr(e), {}
        finally:
            conn.close()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw[:200]
        return response.status, data, dict(response.getheaders())

    def answered(self, *args, **kw):
        """Call until the answer is neither a 503 nor a broken connection; count each."""
        for _ in range(RETRIES):
            status, data, headers = self.call(*args, **kw)
            if status is None:
                self.tally.failed["broken"] += 1
            elif status == 503 and _clear_503(data, headers):
                self.tally.failed["503"] += 1
            elif status >= 500:
                self.tally.failed["unclear"] += 1
                self.tally.unclear.append((status, data))
            else:
                if 200 <= status < 300:
                    self.tally.acknowledged += 1
                    self.tally.last_ack = time.monotonic()
                return status, data
            time.sleep(0.25)
        return None, None

    def lifecycle(self) -> None:
        key = uuid.uuid4().hex
        self.tally.keys.append((self.applicant, key))
        status, case = self.answered("POST", "/api/v1/cases", self.applicant, APPLY, key=key)
        if status != 201:
            if status is not None:
                self.tally.unclear.append((status, case))
                self.tally.failed["unclear"] += 1
            return
        number, version = case["number"], case["version"]
        self.tally.applied.append((self.applicant, key, number))
        for action, user in STEPS:
            path = f"/api/v1/cases/{number}/actions/{action}"
            body = {"version": version, **(DECISION if user.startswith("second") else {})}
            status, data = self.answered("POST", path, user, body)
            if status == 200:
                version = data["version"]
                self.tally.moved.append((number, action, version))
            elif status == 409 and data["error"]["code"] == "stale_version":
                # A try whose answer was lost had been done: the case shows it.
                status, data = self.answered("GET", f"/api/v1/cases/{number}", user)
                if status != 200 or data["version"] != version + 1:
                    self.tally.unclear.append((status, data))
                    self.tally.failed["unclear"] += 1
                    return
                version = data["version"]
                self.tally.resolved += 1
            else:
                if status is not None:
                    self.tally.unclear.append((status, data))
                    self.tally.failed["unclear"] += 1
                return
        self.tally.lifecycles += 1

    def run(self) -> None:
        while not self.stop.is_set():
            self.lifecycle()


def _clear_503(data, headers) -> bool:
    return (
        isinstance(data, dict)
        and data.get("error", {}).get("code") == "service_unavailable"
        and "Retry-After" in headers
    )


# --- the faults -----------------------------------------------------------------------------


def _gunicorn_workers(server: Server) -> list[int]:
    """The gunicorn master's worker processes (the background worker's supervisor aside)."""
    out = []
    for pid in descendants(server.proc.pid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == server.proc.pid and b"gunicorn" in cmdline:
            out.append(pid)
    return out


def _server_sockets(port: int) -> dict[str, int]:
    """The server's side of each open client connection: socket inode -> the client's port."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "01":  # ESTABLISHED
                found[parts[9]] = int(parts[2].rsplit(":", 1)[1], 16)
    return found


def _holder(workers: list[int], inodes: set[str]) -> int | None:
    """The gunicorn worker that holds one of these sockets."""
    for pid in workers:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if any(link[8:-1] in inodes for link in links if link.startswith("socket:[")):
            return pid
    return None


def kill_a_busy_worker(server: Server, timeout: float = 5.0) -> int | None:
    """SIGKILL a gunicorn worker seen holding one of the clients' connections (it may be
    anywhere in the request: reading it, in its transaction, or just after its answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = _gunicorn_workers(server)  # the slow part: before the quick look
        if pid := _holder(workers, set(_server_sockets(server.port))):
            os.kill(pid, signal.SIGKILL)
            return pid
    return None


def kill_a_worker_mid_request(server: Server, client: "Client") -> int:
    """An application whose body arrives in two parts: SIGKILL the gunicorn worker that has
    begun it and waits for the rest, then send the rest. The client sees its connection
    break, and applies again with the same Idempotency-Key, as after any broken connection."""
    key = uuid.uuid4().hex
    body = json.dumps(APPLY).encode()
    head = (f"POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {client.tokens[client.applicant]}\r\nIdempotency-Key: {key}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    client.tally.keys.append((client.applicant, key))
    client.tally.sent += 1
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(head + body[:20])
        mine = sock.getsockname()[1]
        deadline, victim = time.monotonic() + 20, None
        while victim is None and time.monotonic() < deadline:
            ours = {inode for inode, port in _server_sockets(server.port).items() if port == mine}
            victim = _holder(_gunicorn_workers(server), ours - {"0"})  # "0": not accepted yet
        assert victim, "no gunicorn worker took the request"
        time.sleep(0.2)  # it is reading the body now
        os.kill(victim, signal.SIGKILL)
        try:
            sock.sendall(body[20:])
            answer = sock.recv(65536)
        except OSError:
            answer = b""
    assert not answer, answer[:200]  # no answer: the worker died with the request
    client.tally.failed["broken"] += 1
    status, case = client.answered("POST", "/api/v1/cases", client.applicant, APPLY, key=key)
    assert status == 201, (status, case)
    client.tally.applied.append((client.applicant, key, case["number"]))
    return victim


# --- the test -------------------------------------------------------------------------------


@pytest.fixture
def postgres():
    pg = PrivatePostgres()
    if pg.bindir is None or (pg.root and shutil.which("runuser") is None):
        pytest.skip("initdb/pg_ctl (and runuser, as root) are needed for a private PostgreSQL")
    try:
        yield pg.init()
    finally:
        pg.destroy()


def copy_schema(pg: PrivatePostgres) -> None:
    """This run's test database's tables (and its record of migrations) into the private
    instance: a second, not the quarter of a minute the migrations take."""
    source = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": source["PASSWORD"] or ""}
    where = ["-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432), "-U",
             source["USER"] or "postgres", "-d", source["NAME"]]  # fmt: skip
    into = ["-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "tongban", "-q",
            "-v", "ON_ERROR_STOP=1"]  # fmt: skip
    for part in (["--schema-only"], ["--data-only", "--table=django_migrations"]):
        dump = subprocess.run([str(pg.bindir / "pg_dump"), *where, *part], env=env, check=True,
                              capture_output=True, timeout=60).stdout  # fmt: skip
        subprocess.run([str(pg.bindir / "psql"), *into], input=dump, check=True,
                       capture_output=True, timeout=60)  # fmt: skip


USERS = ["applicant-1", "applicant-2", *(user for _, user in STEPS)]
# The demo city's offices, calendar and catalog, its users (clerk-371522, applicant-1 …), and a
# bearer token for each client's user (issued here: a sign-in's password check is half a
# second of a core, and signing in is not what is tried).
SEED = f"""
import json
from conftest import load_city
from tongban.people.demo import people_demo
from tongban.people.models import ApiToken, User
load_city()
people_demo(password={PASSWORD!r})
print(json.dumps({{u: ApiToken.issue(User.objects.get(username=u)) for u in {USERS!r}}}))
"""


def test_nothing_acknowledged_is_lost_through_database_restarts_and_a_killed_worker(
    postgres, tmp_path, capsys
):
    began = time.monotonic()
    postgres.query("CREATE DATABASE tongban", db="postgres")
    copy_schema(postgres)
    env = {**os.environ, "TONGBAN_DATABASE_URL": postgres.url(), "TONGBAN_DATA_DIR": str(tmp_path),
           "TONGBAN_SMS_BACKEND": "file", "TONGBAN_EMAIL_BACKEND": "file"}  # fmt: skip
    env.pop("TONGBAN_BROKER_URL", None)
    seeded = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", SEED],
                            cwd=settings.BASE_DIR, env=env, check=True, capture_output=True,
                            text=True)  # fmt: skip
    tokens = json.loads(seeded.stdout.strip().splitlines()[-1])
    server = Server(Spec("sync", 3), env, tmp_path / "serve.log").start()
    faults, stop, clients = Counter(), threading.Event(), []
    try:
        # The background worker that serve started, before any fault.
        rows = []
        deadline = time.monotonic() + 20
        while not rows and time.monotonic() < deadline:
            rows = postgres.query("SELECT worker FROM supervision_workerheartbeat")
            time.sleep(0.2)
        assert rows, "the background worker never polled"
        (worker,) = (r[0] for r in rows)
        set_up = time.monotonic() - began

        clients = [Client(server.port, tokens, f"applicant-{i % 2 + 1}", stop) for i in range(CLIENTS)]  # fmt: skip
        for c in clients:
            c.start()
        time.sleep(3)
        postgres.stop("fast")  # a restart: sessions ended, new connections refused
        faults["postgres stopped (fast) and started"] += 1
        time.sleep(2.5)
        postgres.start()
        time.sleep(3)
        if kill_a_busy_worker(server):
            faults["gunicorn worker killed while busy"] += 1
        time.sleep(1)
        victim = Client(server.port, tokens, "applicant-1", stop)
        clients.append(victim)  # counted with the others, never started as a thread
        kill_a_worker_mid_request(server, victim)
        faults["gunicorn worker killed mid-request"] += 1
        time.sleep(2)
        postgres.stop("immediate")  # a crash: recovery from the WAL at the next start
        faults["postgres crashed (immediate) and started"] += 1
        time.sleep(2)
        postgres.start()
        restarted = time.monotonic()
        time.sleep(4)
        stop.set()
        for c in clients:
            if c.is_alive():
                c.join(timeout=30)
        assert not any(c.is_alive() for c in clients), "a client is stuck"

        # The server answers again without a restart: its gunicorn master has run all along, and
        # the clients were answered after the last fault.
        assert server.proc.poll() is None
        assert max(c.tally.last_ack for c in clients) > restarted
        # The background worker of before the faults is still there and has polled since.
        deadline, polled = time.monotonic() + 40, False
        while not polled and time.monotonic() < deadline:
            polled = postgres.query(
                "SELECT seen_at > pg_postmaster_start_time() FROM supervision_workerheartbeat "
                "WHERE worker = %s", (worker,),
            )[0][0]  # fmt: skip
            time.sleep(0.5)
        assert polled, f"the background worker {worker} did not come back after the restarts"
    finally:
        stop.set()
        server.stop()

    t = Tally()
    for c in clients:
        for name in ("sent", "acknowledged", "resolved", "lifecycles"):
            setattr(t, name, getattr(t, name) + getattr(c.tally, name))
        t.failed.update(c.tally.failed)
        t.unclear += c.tally.unclear
        t.applied += c.tally.applied
        t.keys += c.tally.keys
        t.moved += c.tally.moved

    with capsys.disabled():  # the figures show in ./dev test's output too
        print(
            f"\nfaults: {sum(faults.values())} injected ({dict(faults)}), "
            f"server and worker set up in {set_up:.1f} s, {time.monotonic() - began:.1f} s in all\n"
            f"requests: {t.sent} sent, {t.acknowledged} acknowledged (2xx), failed: "
            f"{t.failed['503']} answered 503 + JSON + Retry-After, {t.failed['broken']} broken "
            f"connections, {t.failed['unclear']} unclear; {t.resolved} lost answers found done by "
            f"reading the case"
        )
        checked = check_database(postgres, t)
        print(
            f"records checked: {checked['cases']} cases ({t.lifecycles} lifecycles completed), "
            f"{checked['events']} history rows, {len(t.keys)} idempotency keys, {len(t.moved)} "
            f"acknowledged transitions: each once, none half-changed"
        )
    assert t.failed["unclear"] == 0, t.unclear[:5]
    assert t.failed["503"] >= 1 and t.failed["broken"] >= 1  # each fault was met by a client
    assert t.lifecycles >= 1


def check_database(pg: PrivatePostgres, t: Tally) -> dict:
    users = dict(pg.query("SELECT username, id FROM people_user"))
    # No key made two cases; every acknowledged application is there once, under its key.
    keys = {(u, k) for u, k in t.keys}
    counted = Counter(
        (user, key)
        for user, key in pg.query(
            "SELECT u.username, c.idempotency_key FROM cases_case c "
            "JOIN people_user u ON u.id = c.submitted_by_id WHERE c.idempotency_key = ANY(%s)",
            ([k for _, k in keys],),
        )
    )
    assert all(n == 1 for n in counted.values()), [k for k, n in counted.items() if n > 1]
    for user, key, number in t.applied:
        rows = pg.query(
            "SELECT number FROM cases_case WHERE submitted_by_id = %s AND idempotency_key = %s",
            (users[user], key),
        )
        assert rows == [(number,)], (user, key, number, rows)
    # Every case the clients' keys made, acknowledged or not: whole, never half-changed.
    cases = pg.query(
        "SELECT c.id, c.number, c.version, c.status FROM cases_case c "
        "WHERE c.idempotency_key = ANY(%s)",
        ([k for _, k in keys],),
    )
    events = {}
    for case_id, action, to_status in pg.query(
        "SELECT case_id, action, to_status FROM cases_caseevent WHERE case_id = ANY(%s) "
        "ORDER BY case_id, at, id",
        ([c[0] for c in cases],),
    ):
        events.setdefault(case_id, []).append((action, to_status))
    history = {}
    for case_id, number, version, status in cases:
        rows = events.get(case_id, [])
        actions = [a for a, _ in rows]
        assert actions == HISTORY[: len(actions)], (number, actions)
        assert version == len(rows), (number, version, actions)
        assert status == rows[-1][1], (number, status, rows)
        history[number] = actions
    # Every acknowledged transition is in its case's history, once, at its version.
    for number, action, version in t.moved:
        assert history[number][version - 1] == action, (number, action, version)
    return {"cases": len(cases), "events": sum(len(v) for v in events.values())}

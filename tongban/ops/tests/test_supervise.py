"""`tongban serve` keeps its background worker running (issue #12: the worker that serve started
exited with the database and nobody started it again, while the pages went on answering).

The supervisor (tongban.ops.supervise) is tried on a small child of its own; the server itself
on PostgreSQL, whose test database the server's processes can reach."""

import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tongban.ops.tests.test_broker import wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from server import Server, Spec, descendants, free_port  # noqa: E402

# Runs three times: exits 3 on the first two runs, then waits to be stopped and says so.
CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    runs = Path(sys.argv[1])
    runs.write_text(runs.read_text() + f"{os.getpid()}\\n" if runs.exists() else f"{os.getpid()}\\n")
    if len(runs.read_text().split()) < 3:
        sys.exit(3)
    def stopped(*_):
        Path(sys.argv[2]).write_text("stopped")
        sys.exit(0)
    signal.signal(signal.SIGTERM, stopped)
    while True:
        time.sleep(0.1)
""")


def supervisor(tmp_path, *, via_shell: bool = False) -> subprocess.Popen:
    command = [sys.executable, "-m", "tongban.ops.supervise", "--name", "test child", "--",
               sys.executable, "-c", CHILD, str(tmp_path / "runs"), str(tmp_path / "stopped")]  # fmt: skip
    if via_shell:  # a parent that leaves: the supervisor must notice and stop its child
        command = ["sh", "-c", shlex.join(command) + " & sleep 8"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, stderr=subprocess.PIPE, text=True)


def alive(pid: int) -> bool:
    """Running, not a zombie that nobody reaped (a container's pid 1 may not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] not in "ZX"
    except OSError:
        return False


def runs(tmp_path) -> list[int]:
    path = tmp_path / "runs"
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_it_starts_an_exited_child_again_with_a_back_off_and_stops_it(tmp_path):
    proc = supervisor(tmp_path)
    started = time.monotonic()
    assert wait_for(lambda: len(runs(tmp_path)) == 3, timeout=20)
    assert time.monotonic() - started >= 3  # waited 1 s, then 2 s
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    log = proc.stderr.read()
    assert "the test child (pid" in log and "exited with status 3; starting it again in 1 s" in log
    assert "starting it again in 2 s" in log
    assert (tmp_path / "stopped").read_text() == "stopped"  # stopped with SIGTERM, not killed


def test_it_stops_the_child_when_its_parent_is_gone(tmp_path):
    proc = supervisor(tmp_path, via_shell=True)
    assert wait_for(lambda: len(runs(tmp_path)) == 3, timeout=20)
    proc.wait(timeout=20)  # the shell leaves after 8 s
    assert wait_for(lambda: (tmp_path / "stopped").exists(), timeout=10)
    child = runs(tmp_path)[-1]
    assert wait_for(lambda: not alive(child), timeout=10)


def _worker_pids(server: Server) -> set[int]:
    found = set()
    for pid in descendants(server.proc.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--exit-with-parent" in cmdline and b"tongban.ops.supervise" not in cmdline:
            found.add(pid)
    return found


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the server needs a database it can reach: runs on PostgreSQL")  # fmt: skip
def test_serve_starts_its_worker_again_when_it_dies_and_stops_it_with_the_server(city, tmp_path):
    from tongban.ops.tests.test_broker import worker_env
    from tongban.supervision.models import WorkerHeartbeat

    env = worker_env(tmp_path)
    env.pop("TONGBAN_BROKER_URL")
    server = Server(Spec("sync", 1), env, tmp_path / "serve.log", port=free_port()).start()
    try:
        assert wait_for(lambda: len(_worker_pids(server)) == 1, timeout=30)
        (first,) = _worker_pids(server)
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: _worker_pids(server) - {first}, timeout=30), "not started again"
        (second,) = _worker_pids(server)
        assert wait_for(
            lambda: WorkerHeartbeat.objects.filter(worker__endswith=f":{second}").exists(),
            timeout=30,
        ), "the new worker does not poll"
        everything = descendants(server.proc.pid) | {server.proc.pid}
    finally:
        server.stop()
    log = (tmp_path / "serve.log").read_text()
    assert f"the background worker (pid {first}) was killed by SIGKILL; starting it again" in log
    # The server's stop took the worker and its supervisor with it.
    assert wait_for(lambda: not any(alive(p) for p in everything), timeout=20)

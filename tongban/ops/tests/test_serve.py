"""`tongban serve` holds what a production server must, under gunicorn's sync worker (its
default since #16's open loop) and under granian (`--server granian`): a worker that dies is
started again, SIGHUP reloads the workers while the server answers, oversized headers and
bodies are refused, static files are served and the access log written.
The real server process on PostgreSQL, whose test database its processes can reach."""

import json
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from django.db import connection

from tongban.ops.tests.test_broker import wait_for, worker_env
from tongban.ops.tests.test_supervise import alive

from .test_supervise import Server, Spec, descendants, free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the server needs a database it can reach: runs on PostgreSQL",
    ),  # fmt: skip
]


def raw(port: int, request: bytes, timeout: float = 5) -> bytes:
    """Send `request` as is and read the answer until the server closes or `timeout` passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
                if b"\r\n\r\n" in data and len(data) > 64 and b"Connection: close" not in data:
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = [
                        ln
                        for ln in head.split(b"\r\n")
                        if ln.lower().startswith(b"content-length:")
                    ]
                    if length and len(body) >= int(length[0].split(b":")[1]):
                        break
        except (TimeoutError, ConnectionResetError):
            pass
        return data


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


# What each server is called in its workers' command lines, and what it logs when a worker has
# loaded the application and when one died.
SERVERS = {
    "gunicorn": (Spec("sync", 2), b"gunicorn", "Booting worker with pid", "was sent SIGKILL"),
    "granian": (Spec("granian", 2), b"granian", "Started worker-", "Unexpected exit from worker-"),
}


def web_workers(server: Server) -> set[int]:
    """The server's worker processes: its children but the background worker's supervisor."""
    name = SERVERS[server.name][1]
    found = set()
    for pid in descendants(server.proc.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        except OSError:
            continue
        if ppid == server.proc.pid and name in cmdline and alive(pid):
            found.add(pid)
    return found


@pytest.fixture(params=list(SERVERS))
def served(request, city, tmp_path):
    # A worker loads Django in 1-2 s; on a machine shared by several test runs it can take
    # several times that: the reload gives each new worker 10 s here (5 s by default).
    env = dict(worker_env(tmp_path), TONGBAN_ACCESS_LOG="1", TONGBAN_INPROCESS_WORKER="false",
               TONGBAN_RESPAWN_INTERVAL="10")  # fmt: skip
    env.pop("TONGBAN_BROKER_URL")
    server = Server(SERVERS[request.param][0], env, tmp_path / "serve.log", port=free_port())
    server.name = request.param
    server.start()
    try:
        yield server
    finally:
        server.stop()


def get(port: int, path: str, timeout: float = 5) -> bytes:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    return raw(port, request.encode(), timeout)


def test_serve_restarts_a_killed_worker_and_reloads_on_sighup(served, tmp_path):
    port, log = served.port, tmp_path / "serve.log"
    _, name, started_line, died_line = SERVERS[served.name]

    def started() -> int:  # workers that have loaded the application and listen
        return log.read_text().count(started_line)

    assert name in Path(f"/proc/{served.proc.pid}/cmdline").read_bytes()
    assert wait_for(lambda: len(web_workers(served)) == 2 and started() == 2, timeout=60)
    first = web_workers(served)

    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: len(web_workers(served) - first) == 1 and len(web_workers(served)) == 2, timeout=30), "not started again"  # fmt: skip
    assert wait_for(lambda: started() == 3, timeout=60)
    assert died_line in log.read_text()
    assert status(get(port, "/api/v1/offices")) == 200

    # SIGHUP: every worker replaced; the server answers throughout. gunicorn stops the old
    # workers once the new ones are started, before they have loaded the application: a
    # request then waits in the listening socket for a new worker (1-2 s, more on a busy
    # machine), it is not dropped. granian starts each new worker before the old one stops.
    before = web_workers(served)
    os.kill(served.proc.pid, signal.SIGHUP)
    answers = []

    def replaced():
        answers.append(status(get(port, "/api/v1/offices", timeout=30)))
        return not (web_workers(served) & before) and len(web_workers(served)) == 2

    assert wait_for(replaced, timeout=60), "the workers were not reloaded"
    assert set(answers) == {200}, answers

    # Static files (whitenoise) and the access log.
    answer = get(port, "/static/tongban/app.css")
    assert status(answer) == 200 and b"text/css" in answer
    assert wait_for(
        lambda: '"GET /static/tongban/app.css HTTP/1.1" 200' in log.read_text(), timeout=10
    )


def test_serve_refuses_oversized_headers_and_bodies(served):
    port = served.port
    # A header over 16 KiB: no answer from the application (the server closes or answers 4xx).
    big = b"GET /api/v1/offices HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"
    answer = raw(port, big)
    assert status(answer) in (0, 400, 431), answer[:200]
    # A body over 1 MiB: the API's 413, with its error code.
    body = json.dumps({"username": "x" * (2 * 1024 * 1024), "password": "y"}).encode()
    head = (b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            b"\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))  # fmt: skip
    answer = raw(port, head + body)
    assert status(answer) == 413, answer[:300]
    assert b"body_too_large" in answer
    # And it still serves.
    assert status(get(port, "/api/v1/offices")) == 200
    time.sleep(0.1)

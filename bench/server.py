"""Start and stop the product's server for a benchmark, and account for CPU by process group."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Spec:
    """How the server runs, always through the product's command: `sync:W` is
    `tongban serve --workers W` (gunicorn's sync worker, the default, which closes every
    connection), `gthread:W:T` is `tongban serve --worker-class gthread --workers W --threads T`
    (keep-alive 5 s), both `--server gunicorn`; `granian:W` is `tongban serve --server granian
    --workers W` (granian's WSGI interface, keep-alive, one blocking thread a worker)."""

    kind: str
    workers: int
    threads: int = 1
    variants: tuple[str, ...] = ()  # what-if settings (bench/variant_settings.py)

    @classmethod
    def parse(cls, text: str) -> "Spec":
        head, *variants = text.strip().split("+")
        parts = head.split(":")
        if parts[0] == "gthread" and len(parts) == 3:
            return cls("gthread", int(parts[1]), int(parts[2]), tuple(variants))
        if parts[0] in ("sync", "granian") and len(parts) == 2:
            return cls(parts[0], int(parts[1]), 1, tuple(variants))
        raise ValueError(
            f"server spec is granian:WORKERS, sync:WORKERS or gthread:WORKERS:THREADS, each optionally "
            f"+variant+… (bench/variant_settings.py), not {text!r}"
        )

    def __str__(self) -> str:
        head = (
            f"gthread:{self.workers}:{self.threads}"
            if self.kind == "gthread"
            else f"{self.kind}:{self.workers}"
        )
        return "+".join((head, *self.variants))

    def describe(self) -> str:
        if self.kind == "granian":
            text = f"granian WSGI, {self.workers} workers (keep-alive)"
        elif self.kind == "sync":
            text = f"gunicorn sync, {self.workers} workers (no keep-alive)"
        else:
            text = (
                f"tongban serve: gunicorn gthread, {self.workers} workers x {self.threads} threads"
            )
        if self.variants:
            text += f", what-if settings: {', '.join(self.variants)}"
        return text

    def env(self, env: dict) -> dict:
        if not self.variants:
            return env
        path = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
        return dict(env, DJANGO_SETTINGS_MODULE="variant_settings", PYTHONPATH=path,
                    TONGBAN_BENCH_VARIANTS=",".join(self.variants))  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The product (`tongban serve`), or with bare=True the bare endpoint (bench/bare.py) under the same server configuration."""

    def __init__(self, spec: Spec, env: dict, log_path: Path, port: int | None = None,
                 bare: bool = False):  # fmt: skip
        self.spec, self.env, self.log_path, self.bare = spec, spec.env(env), log_path, bare
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    def argv(self) -> list[str]:
        addr = f"127.0.0.1:{self.port}"
        if self.bare and self.spec.kind == "granian":
            return [sys.executable, "-m", "granian", "--interface", "wsgi", "bare:application",
                    "--working-dir", str(HERE), "--host", "127.0.0.1", "--port", str(self.port),
                    "--workers", str(self.spec.workers), "--blocking-threads", "1", "--http", "1",
                    "--no-ws", "--log-level", "warning"]  # fmt: skip
        if self.bare:
            worker = ["--worker-class", "sync"] if self.spec.kind == "sync" else [
                "--worker-class", "gthread", "--threads", str(self.spec.threads), "--keep-alive", "5"]  # fmt: skip
            return [sys.executable, "-m", "gunicorn", "bare:application", "--pythonpath", str(HERE),
                    "--bind", addr, "--workers", str(self.spec.workers), *worker]  # fmt: skip
        if self.spec.kind == "granian":
            return [sys.executable, str(ROOT / "manage.py"), "serve", "--addr", addr,
                    "--server", "granian", "--workers", str(self.spec.workers)]  # fmt: skip
        return [sys.executable, str(ROOT / "manage.py"), "serve", "--addr", addr,
                "--server", "gunicorn", "--worker-class", self.spec.kind,
                "--workers", str(self.spec.workers), "--threads", str(self.spec.threads)]  # fmt: skip

    def start(self, timeout: float = 60) -> "Server":
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the server
        # Its own session: stop() signals the whole group it started, nothing else.
        self.proc = subprocess.Popen(self.argv(), env=self.env, cwd=ROOT, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/offices")
                status = conn.getresponse().status
                conn.close()
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout:.0f} s; see {self.log_path}")

    def warm(self, n: int = 20) -> None:
        """A few requests so that every worker has imported its views and opened its
        database connection before anything is timed."""
        for _ in range(n):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", "/api/v1/items")
            conn.getresponse().read()
            conn.close()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def pids(self) -> set[int]:
        return descendants(self.proc.pid) | {self.proc.pid} if self.proc else set()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- CPU accounting ----------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(")")[2].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid: int) -> set[int]:
    kids, out, todo = _children_map(), set(), [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _postgres_pids() -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    pids.add(int(entry))
            except OSError:
                continue
    return pids


def _system_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def machine_busy(seconds: float = 1.0) -> tuple[float, list[str]]:
    """Cores busy over `seconds`, and the processes that used the most CPU meanwhile: the
    machine may be shared, and anything else running skews every figure."""
    before = {int(p): _cpu_seconds(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    b0 = _system_busy()
    time.sleep(seconds)
    b1 = _system_busy()
    used = []
    for pid, t0 in before.items():
        delta = _cpu_seconds(pid) - t0
        if delta > 0.05 * seconds:
            try:
                name = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
            except OSError:
                name = "?"
            used.append((delta / seconds, f"{delta / seconds:.2f} {pid} {name.strip()}"))
    return (b1[0] - b0[0]) / seconds, [text for _, text in sorted(used, reverse=True)[:5]]


class CpuMeter:
    """CPU seconds used by the server's processes, PostgreSQL (the backends of our database
    and the server's own background processes) and the load generator between start() and
    stop(), and by anything else on the machine. stop() reads the processes it knew at start
    first, at once, and only then asks who else there is (for PostgreSQL a psql call, which
    can take a few tenths of a second on a busy machine): processes that end meanwhile, such
    as pgbench's backends at the end of its run, are still counted. Processes that start and
    end in between are missed."""

    def __init__(self, server_pids, client_pids, postgres_pids=_postgres_pids):
        self.groups = {
            "server": server_pids,
            "postgres": postgres_pids,
            "load generator": client_pids,
        }

    def _sample(self, pids: dict[str, set[int]] | None = None) -> dict[str, dict[int, float]]:
        """CPU seconds of each group's processes: `pids`, or those its function finds now."""
        return {
            group: {p: _cpu_seconds(p) for p in (pids[group] if pids else find())}
            for group, find in self.groups.items()
        }

    def start(self) -> None:
        # Every lookup first, then every reading together, then the clock: CPU used while
        # psql answers must not count before the interval begins.
        pids = {group: set(find()) for group, find in self.groups.items()}
        self.first = self._sample(pids)
        self.t0, self.sys0 = time.perf_counter(), _system_busy()

    def stop(self) -> dict[str, float]:
        """CPU used per group, as a share of one core (1.0 = one core busy)."""
        known = self._sample({group: set(seen) for group, seen in self.first.items()})
        elapsed, sys1 = time.perf_counter() - self.t0, _system_busy()
        last = self._sample()  # and those that started since
        out = {}
        for group, found in last.items():
            before = self.first[group]
            now = found | known[group]  # the known ones as read at the end of the interval
            used = sum(max(0.0, v - before.get(p, 0.0)) for p, v in now.items())
            out[group] = used / elapsed
        busy = (sys1[0] - self.sys0[0]) / elapsed
        out["other"] = max(0.0, busy - sum(out.values()))
        out["machine busy"] = busy
        out["machine cores"] = (sys1[1] - self.sys0[1]) / elapsed
        return out

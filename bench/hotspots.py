"""Where one case lifecycle's time goes, in process: SQL statements per API call and a cProfile.

    TONGBAN_DATABASE_URL=postgres://postgres@127.0.0.1/tongban_bench .venv/bin/python bench/hotspots.py

Runs the load generator's lifecycle (bench/load.py) through Django's test client (the whole
middleware and DRF stack, no HTTP or gunicorn) on an existing database with the demo city
(`tongban bench` leaves one: tongban_bench). Prints, per call: the statements it ran (with
--sql, their text) and its median time; then the top functions of a cProfile over --lifecycles
lifecycles. Not a benchmark figure: a tool to find the cost.
"""

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import in_django  # noqa: E402, F401 - sets Django up
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from load import INSTANT_ITEM, PROMISED, _decision, _window_applicants  # noqa: E402

from tongban.people.models import ApiToken, User  # noqa: E402

_backend = {}


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine)."""
    if "pid" not in _backend:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            _backend["pid"] = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{_backend['pid']}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Lifecycle:
    def __init__(self, office: str = "371522"):
        users = {
            "applicant": "applicant-1",
            "clerk": f"clerk-{office}",
            "reviewer": f"reviewer-{office}",
            "second": f"second-reviewer-{office}",
        }
        self.office = office
        self.tokens = {r: ApiToken.issue(User.objects.get(username=u)) for r, u in users.items()}
        self.clients = {
            r: Client(HTTP_AUTHORIZATION=f"Bearer {t}", HTTP_ACCEPT="application/json")
            for r, t in self.tokens.items()
        }
        self.applicants = _window_applicants(99)
        self.n = 0

    def calls(self):
        """(name, role, method, path, body, key) of one promised and one instant lifecycle;
        the path may depend on the previous answer's case number."""
        yield "create_web", "applicant", "post", "/api/v1/cases", PROMISED, True
        for name, role in (("accept", "clerk"), ("approve_1", "reviewer"), ("approve_2", "second")):
            body = _decision() if name == "approve_2" else {}  # 办结结果 of a reimbursement
            yield name, role, "post", "/api/v1/cases/{n}/actions/" + name.split("_")[0], body, False
        yield "get_case", "applicant", "get", "/api/v1/cases/{n}", None, False
        self.n += 1
        body = {"item": INSTANT_ITEM, "channel": "window", "office": self.office,
                "applicant": self.applicants[self.n % len(self.applicants)], "materials": ["M1"],
                "form": {}}  # fmt: skip
        yield "create_window", "clerk", "post", "/api/v1/cases", body, True
        yield "accept_instant", "clerk", "post", "/api/v1/cases/{n}/actions/accept", {}, False

    def run(self, record=None, capture: bool = False):
        number = None
        for name, role, method, path, body, key in self.calls():
            client = self.clients[role]
            path = path.replace("{n}", number or "")
            extra = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if key else {}
            ctx = CaptureQueriesContext(connection) if capture else contextlib.nullcontext()
            b0 = backend_cpu()
            t0, c0 = time.perf_counter(), time.thread_time()
            with ctx:
                if method == "post":
                    resp = client.post(
                        path, json.dumps(body), content_type="application/json", **extra
                    )
                else:
                    resp = client.get(path)
            dt, cpu = time.perf_counter() - t0, time.thread_time() - c0
            db = backend_cpu() - b0
            if resp.status_code >= 300:
                raise RuntimeError(f"{name}: {resp.status_code} {resp.content[:300]!r}")
            if name.startswith("create"):
                number = resp.json()["number"]
            if record is not None:
                sqls = [q["sql"] for q in ctx.captured_queries] if capture else None
                record(name, dt, cpu, db, sqls)

    def close(self):
        ApiToken.objects.filter(
            digest__in=[ApiToken.hash(t) for t in self.tokens.values()]
        ).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifecycles", type=int, default=200)
    parser.add_argument("--sql", action="store_true", help="print each call's statements")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--samples", type=int, default=40, help="lifecycles timed (40)")
    parser.add_argument("--no-profile", action="store_true", help="timings only, no cProfile")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(
            "set TONGBAN_DATABASE_URL to a PostgreSQL database with the demo city", file=sys.stderr
        )
        return 2
    life = Lifecycle()
    try:
        life.run()  # warm
        statements: dict[str, list[str]] = {}
        life.run(lambda name, dt, cpu, db, sqls: statements.__setitem__(name, sqls), capture=True)
        times: dict[str, list[tuple]] = {}
        for _ in range(args.samples):
            life.run(
                lambda name, dt, cpu, db, sqls: times.setdefault(name, []).append((dt, cpu, db))
            )
        print(
            f"{args.samples} lifecycles, one call at a time, in process (Django test client, no HTTP):"
        )
        print(
            f"{'call':<16} {'SQL':>4} {'wall ms':>8} {'Python CPU ms':>14} {'PostgreSQL CPU ms':>18}"
        )
        total = [0.0, 0.0, 0.0]
        for name, rows in times.items():
            wall, cpu, db = (sum(r[i] for r in rows) / len(rows) * 1000 for i in range(3))
            total = [total[0] + wall, total[1] + cpu, total[2] + db]
            print(f"{name:<16} {len(statements[name]):>4} {wall:>8.2f} {cpu:>14.2f} {db:>18.2f}")
            if args.sql:
                for sql in statements[name]:
                    print(f"      {sql[:220]}")
        n = len(times)
        print(f"{'mean per call':<16} {sum(len(v) for v in statements.values()) / n:>4.1f} "
              f"{total[0] / n:>8.2f} {total[1] / n:>14.2f} {total[2] / n:>18.2f}")  # fmt: skip
        print(
            "(means; PostgreSQL CPU from /proc of this connection's backend, at clock-tick resolution)"
        )
        if args.no_profile:
            return 0
        profiler = cProfile.Profile(time.thread_time)
        t0 = time.perf_counter()
        profiler.enable()
        for _ in range(args.lifecycles):
            life.run()
        profiler.disable()
        elapsed = time.perf_counter() - t0
        calls = args.lifecycles * 7
        print(f"\ncProfile: {args.lifecycles} lifecycles ({calls} calls) in {elapsed:.1f} s, "
              f"{elapsed / calls * 1000:.2f} ms per call (profiler overhead included; the profile counts this thread's CPU time, not waits)")  # fmt: skip
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    finally:
        life.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where one case lifecycle's time goes, in process: SQL statements per API call and a cProfile.

    TONGBAN_DATABASE_URL=postgres://postgres@127.0.0.1/tongban_bench .venv/bin/python bench/hotspots.py

Runs the load generator's lifecycle (bench/load.py) through Django's test client (the whole
middleware and DRF stack, no HTTP or gunicorn) on an existing database with the demo city
(`tongban bench` leaves one: tongban_bench). Prints, per call: the statements it ran (with
--sql, their text) and its median time; then the top functions of a cProfile over --lifecycles
lifecycles. Not a benchmark figure: a tool to find the cost.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from load import INSTANT_ITEM, PROMISED, _window_applicants  # noqa: E402

from tongban.people.models import ApiToken, User  # noqa: E402


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
            yield name, role, "post", "/api/v1/cases/{n}/actions/" + name.split("_")[0], {}, False
        yield "get_case", "applicant", "get", "/api/v1/cases/{n}", None, False
        self.n += 1
        body = {"item": INSTANT_ITEM, "channel": "window", "office": self.office,
                "applicant": self.applicants[self.n % len(self.applicants)], "materials": ["M1"],
                "form": {}}  # fmt: skip
        yield "create_window", "clerk", "post", "/api/v1/cases", body, True
        yield "accept_instant", "clerk", "post", "/api/v1/cases/{n}/actions/accept", {}, False

    def run(self, record=None):
        number = None
        for name, role, method, path, body, key in self.calls():
            client = self.clients[role]
            path = path.replace("{n}", number or "")
            extra = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if key else {}
            t0, c0 = time.perf_counter(), time.thread_time()
            if method == "post":
                with CaptureQueriesContext(connection) as ctx:
                    resp = client.post(
                        path, json.dumps(body), content_type="application/json", **extra
                    )
            else:
                with CaptureQueriesContext(connection) as ctx:
                    resp = client.get(path)
            dt, cpu = time.perf_counter() - t0, time.thread_time() - c0
            if resp.status_code >= 300:
                raise RuntimeError(f"{name}: {resp.status_code} {resp.content[:300]!r}")
            if name.startswith("create"):
                number = resp.json()["number"]
            if record is not None:
                record(name, dt, cpu, [q["sql"] for q in ctx.captured_queries])

    def close(self):
        ApiToken.objects.filter(
            digest__in=[ApiToken.hash(t) for t in self.tokens.values()]
        ).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifecycles", type=int, default=200)
    parser.add_argument("--sql", action="store_true", help="print each call's statements")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(
            "set TONGBAN_DATABASE_URL to a PostgreSQL database with the demo city", file=sys.stderr
        )
        return 2
    life = Lifecycle()
    try:
        life.run()  # warm
        times: dict[str, list[float]] = {}
        cpu_times: dict[str, list[float]] = {}
        statements: dict[str, list[str]] = {}

        def record(name, dt, cpu, sqls):
            times.setdefault(name, []).append(dt * 1000)
            cpu_times.setdefault(name, []).append(cpu * 1000)
            statements[name] = sqls

        for _ in range(20):
            life.run(record)
        print(f"{'call':<16} {'SQL':>4} {'wall ms':>8} {'CPU ms':>7}  (medians; in process, "
              "test client, one call at a time; CPU: this Python thread, not PostgreSQL)")  # fmt: skip
        for name, ts in times.items():
            print(f"{name:<16} {len(statements[name]):>4} {statistics.median(ts):>8.2f} "
                  f"{statistics.median(cpu_times[name]):>7.2f}")  # fmt: skip
            if args.sql:
                for s in statements[name]:
                    print(f"      {s[:220]}")
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

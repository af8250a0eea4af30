"""tongban's benchmark: the product over HTTP against the pgbench ceiling, and the work-queue
queries at 10 thousand and 1 million cases. Figures, not pass/fail.

    .venv/bin/python bench/run.py            (or: tongban bench, ./dev bench)

1. A throwaway PostgreSQL database (--db-name, dropped and created), migrated, with the demo
   city loaded by `tongban demo --no-serve`.
2. For each --servers spec: the server (gunicorn) on it; --clients virtual clients drive
   complete case lifecycles over HTTP for --seconds after --warmup; per action count, errors,
   p50/p90/p99; requests/s, case actions/s (accept + approve + approve + instant accept),
   lifecycles/s, and where the CPU went (server / PostgreSQL / load generator).
3. The ceiling: pgbench running the same writes (bench/sql/case_step.sql) on a scratch
   database, at --ceiling-clients; the product's case actions/s as a share of it.
4. The queries (bench/queries.py) at each --scale: the database <db-name>_<scale> filled by
   bench/generate.py (a large one is kept between runs and only migrated; --regenerate makes it
   anew), timed over HTTP, and their SQL explained.
5. A summary block, printed and saved with the whole output to bench/out/<timestamp>.txt
   (plans in bench/out/<timestamp>-plans.txt).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import ceiling  # noqa: E402
import generate  # noqa: E402
import load  # noqa: E402
import queries  # noqa: E402
from pg import Pg  # noqa: E402
from server import CpuMeter, Server, Spec, descendants, machine_busy  # noqa: E402

DEFAULT_SERVERS = "sync:4,granian:4"
KEEP_SCALE = 200_000  # data sets at least this large are kept between runs
TARGET_SHARE = 0.15
TARGET_P99_MS = 50
# Open loop: every action's p99 under these at these fractions of the closed-loop throughput.
OPEN_TARGETS_MS = {0.5: 50, 0.8: 150}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options, shared with `tongban bench` (tongban/ops/management/commands/bench.py)."""
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per run (20)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds not counted at the start (3)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent virtual clients (16)")
    parser.add_argument(
        "--client-procs",
        type=int,
        default=2,
        help="load generator processes; clients are split among them as threads (2)",
    )
    parser.add_argument(
        "--servers",
        default=DEFAULT_SERVERS,
        help="server configurations to measure, comma-separated: sync:WORKERS (gunicorn's sync "
        "worker, tongban serve's default), granian:WORKERS or gthread:WORKERS:THREADS (gunicorn); "
        "the first is reported against the "
        f"ceiling, the others compared ({DEFAULT_SERVERS})",
    )
    parser.add_argument(
        "--instant-every",
        type=int,
        default=4,
        help="every n-th lifecycle of a client is the instant window path (4; 0: never)",
    )
    parser.add_argument(
        "--wait-idle",
        type=int,
        default=20,
        help="before each measurement wait up to this many seconds for the machine to be idle "
        "(20: a run starts after the last one's autovacuum, not during it)",
    )
    parser.add_argument("--skip-load", action="store_true", help="no HTTP lifecycle load")
    parser.add_argument(
        "--open-loop",
        default="0.5,0.8",
        help="open-loop runs after the closed loop, on the first server: lifecycles arriving "
        "(Poisson) at these fractions of its closed-loop lifecycles/s (0.5,0.8; empty: none)",
    )
    parser.add_argument(
        "--open-loop-all",
        action="store_true",
        help="the open loop on every server configuration, at the same arrival rates (the "
        "fractions of the first one's closed loop): which server answers a given load sooner",
    )
    parser.add_argument(
        "--open-threads",
        type=int,
        default=32,
        help="open loop: threads (connections) per load process to take the arrivals (32)",
    )
    parser.add_argument(
        "--skip-actions",
        action="store_true",
        help="no actions-only run (the case step alone on applications made beforehand)",
    )
    parser.add_argument("--skip-ceiling", action="store_true", help="no pgbench ceiling")
    parser.add_argument(
        "--skip-bare",
        action="store_true",
        help="no bare-endpoint run (bench/bare.py) beside pgbench",
    )
    parser.add_argument(
        "--ceiling-clients",
        default="1,4,16",
        help="pgbench client counts (1,4,16); the ratio uses --clients",
    )
    parser.add_argument("--skip-queries", action="store_true", help="no work-queue timings")
    parser.add_argument(
        "--skip-jobs", action="store_true", help="no background job timings at the largest scale"
    )
    parser.add_argument(
        "--scale", default="10000,1000000", help="case counts for the query timings (10000,1000000)"
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help=f"generate the kept data sets (>= {KEEP_SCALE:,} cases) anew",
    )
    parser.add_argument(
        "--db-name", default="tongban_bench", help="scratch database (tongban_bench)"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("TONGBAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server, without a database (postgres://postgres@127.0.0.1:5432)",
    )
    parser.add_argument("--password", default=generate.BENCH_PASSWORD, help="demo users' password")  # fmt: skip


def option_names() -> set[str]:
    parser = argparse.ArgumentParser(add_help=False)
    add_arguments(parser)
    return set(vars(parser.parse_args([])))


class Report:
    """Prints as it goes and appends every line to the saved file at once (a run cut short
    still leaves what it measured)."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(text + "\n")

    def table(self, header: list[str], rows: list[list], align: str = "") -> list[str]:
        cells = [[str(h) for h in header]] + [
            ["" if c is None else str(c) for c in r] for r in rows
        ]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        out = []
        for n, r in enumerate(cells):
            parts = []
            for i, c in enumerate(r):
                left = (align[i] if i < len(align) else "r") == "l"
                parts.append(c.ljust(widths[i]) if left else c.rjust(widths[i]))
            out.append("  ".join(parts).rstrip())
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        for line in out:
            self(line)
        return out


def _cpu_per(cpu: dict, rate: float, unit: str) -> str:
    """CPU milliseconds per unit of work, per party: steadier than throughput on a busy
    machine (the work costs what it costs; what others run only takes cores away)."""
    if not rate:
        return f"CPU per {unit}: - (nothing done)"
    parts = [f"{k} {v / rate * 1000:.2f} ms" for k, v in cpu.items()
             if k in ("server", "postgres", "load generator") and v > 0]  # fmt: skip
    return f"CPU per {unit}: " + ", ".join(parts)


def _ms(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def _scale_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _git() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tongban"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()  # fmt: skip
        return rev + (" + uncommitted changes in tongban/" if dirty else "")
    except OSError:
        return "?"


def _load_pids(server: Server):
    """The load generator's processes: this process's descendants but the server's."""
    me = os.getpid()
    return lambda: descendants(me) - server.pids()


class Bench:
    def __init__(self, args):
        self.args = args
        self.pg = Pg.from_url(args.pg)
        self.stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%SZ")
        self.out_dir = HERE / "out"
        self.out_dir.mkdir(exist_ok=True)
        self.say = Report(self.out_dir / f"{self.stamp}.txt")
        self.data_dir = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
        self.log_path = self.out_dir / f"{self.stamp}-server.log"
        self.plans_path = self.out_dir / f"{self.stamp}-plans.txt"
        self.summary: list[str] = []
        self.reported: tuple[Spec, load.Outcome, dict] | None = None
        self.actions: tuple[Spec, load.Outcome, dict] | None = None
        self.open_runs: list[tuple[Spec, float, float, load.Outcome, dict]] = []
        self.bare: tuple[Spec, load.Outcome, dict] | None = None
        self.ceilings: list[dict] = []
        self.query_results: dict[int, dict] = {}
        self.job_results: dict[str, dict] = {}

    def env(self, db: str, **extra) -> dict:
        return dict(
            self.pg.env(),
            **extra,
            TONGBAN_DATABASE_URL=self.pg.url(db),
            TONGBAN_DATA_DIR=str(self.data_dir),
            TONGBAN_SECRET_KEY="bench-" + "x" * 50,
            TONGBAN_DATA_KEY=generate.BENCH_DATA_KEY,
            TONGBAN_DEBUG="false",
            TONGBAN_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )

    def _pg_pids(self, db: str):
        """PostgreSQL's processes that work for us: our database's backends and the server's
        background processes (not another database's sessions on a shared machine)."""
        sql = f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}' OR datname IS NULL"
        return lambda: {int(p) for p in self.pg.psql("postgres", sql).split()}

    def check_idle(self) -> None:
        """Warn when something else keeps the machine busy; with --wait-idle, wait for it first."""
        deadline = time.monotonic() + self.args.wait_idle
        busy, top = machine_busy()
        while busy > 0.25 and time.monotonic() < deadline:
            busy, top = machine_busy()
        if busy > 0.25:
            self.say(f"WARNING: the machine is not idle ({busy:.2f} cores busy before the run); "
                     "figures are skewed. Busiest: " + "; ".join(top))  # fmt: skip

    # --- 1. setup -------------------------------------------------------------------------

    def setup(self) -> None:
        a, say = self.args, self.say
        say(f"tongban bench {self.stamp}: {_git()}")
        say(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"PostgreSQL {self.pg.setting('server_version')} (shared_buffers "
            f"{self.pg.setting('shared_buffers')}, synchronous_commit {self.pg.setting('synchronous_commit')})")  # fmt: skip
        t = time.perf_counter()
        self.pg.create(a.db_name)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "demo", "--no-serve", "--password",
                        a.password], env=self.env(a.db_name), cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        # An empty demo city to copy for the query data sets (before the load adds cases).
        self.pg.create(f"{a.db_name}_base", template=a.db_name)
        say(f"setup: database {a.db_name} created, migrated, demo city loaded in "
            f"{time.perf_counter() - t:.0f} s")  # fmt: skip

    # --- 2. load --------------------------------------------------------------------------

    def _drive(self, spec: Spec, mix: str = "lifecycle", numbers=(), db: str | None = None,
               rate: float = 0.0) -> tuple[load.Outcome, dict]:  # fmt: skip
        """One measured load run against a fresh server; (outcome, CPU per party)."""
        a = self.args
        db = db or a.db_name
        procs = max(1, min(a.client_procs, a.clients))
        threads = a.open_threads if mix == "open" else -(-a.clients // procs)
        self.check_idle()
        # The web tier alone: background jobs are measured apart (jobs.py).
        env = self.env(db, BARE_DATABASE_URL=self.pg.url(db), TONGBAN_INPROCESS_WORKER="false")
        server = Server(spec, env, self.log_path, bare=mix == "bare").start()
        try:
            server.warm()
            plan = load.Plan(host="127.0.0.1", port=server.port, password=a.password,
                             seconds=a.seconds, warmup=a.warmup, processes=procs, threads=threads,
                             instant_every=a.instant_every, mix=mix, numbers=list(numbers),
                             rate=rate)  # fmt: skip
            meter = CpuMeter(server.pids, _load_pids(server), self._pg_pids(db))
            cpu: dict = {}

            def watch(count_from, stop_at):
                def run():
                    time.sleep(max(0.0, count_from - time.perf_counter()))
                    meter.start()
                    # A little before the end: the clients exit at stop_at.
                    time.sleep(max(0.0, stop_at - 0.3 - time.perf_counter()))
                    cpu.update(meter.stop())

                threading.Thread(target=run, daemon=True).start()

            outcome = load.drive(plan, on_start=watch)
            time.sleep(0.1)
        finally:
            server.stop()
        return outcome, cpu

    def _clients_text(self) -> str:
        a = self.args
        procs = max(1, min(a.client_procs, a.clients))
        threads = -(-a.clients // procs)
        return (f"{procs * threads} clients ({procs} processes x {threads} threads), "
                f"{a.warmup} s warm-up + {a.seconds} s measured")  # fmt: skip

    def load_runs(self) -> None:
        a, say = self.args, self.say
        results = []
        for text in a.servers.split(","):
            spec = Spec.parse(text.strip())
            say()
            say(f"== load, complete lifecycles: {spec.describe()}; {self._clients_text()}")
            outcome, cpu = self._drive(spec)
            self._print_outcome(outcome, cpu)
            results.append((spec, outcome, cpu))
        if len(results) > 1:
            say()
            say("== server configurations compared (complete lifecycles)")
            self.say.table(
                ["server", "req/s", "case actions/s", "lifecycles/s", "worst p99 ms", "errors"],
                [[str(s), f"{o.requests_per_s:.0f}", f"{o.case_actions_per_s:.0f}",
                  f"{o.lifecycles_per_s:.1f}", _ms(max((r["p99"] or 0) for r in o.action_stats())),
                  o.errors] for s, o, _ in results],
                "lrrrrr",
            )  # fmt: skip
        # The summary, the actions-only run and the bare endpoint use the first listed: the
        # product as shipped. The others are there to compare.
        self.reported = results[0]
        if len(results) > 1:
            fastest = max(results, key=lambda r: r[1].case_actions_per_s)
            say(f"reported: {self.reported[0]} (the first listed); fastest here: {fastest[0]} "
                f"({fastest[1].case_actions_per_s:.0f} case actions/s)")  # fmt: skip
        if not a.skip_actions:
            self.actions_only(self.reported[0])
        fractions = [float(f) for f in a.open_loop.split(",") if f.strip()]
        for spec, _, _ in results if a.open_loop_all else results[:1]:
            if fractions:
                self.open_loop(spec, self.reported[1], fractions)
        if self.open_runs:
            say()
            say("== open loop: p50 / p99 / max ms per action at each arrival rate")
            for line in self._open_table():
                say(line)

    def open_loop(self, spec: Spec, closed: load.Outcome, fractions: list[float]) -> None:
        """Latency at a fixed arrival rate: lifecycles arrive (Poisson) at fractions of the
        closed loop's lifecycles/s (the first server's, measured just before)."""
        a, say = self.args, self.say
        procs = max(1, min(a.client_procs, a.clients))
        for f in fractions:
            rate = f * closed.lifecycles_per_s
            say()
            say(f"== open loop at {f:.0%} of the closed loop's {closed.lifecycles_per_s:.1f} "
                f"lifecycles/s: {rate:.1f} lifecycles/s arriving (Poisson), {spec.describe()}; "
                f"{procs} processes x {a.open_threads} threads, {a.warmup} s warm-up + "
                f"{a.seconds} s measured")  # fmt: skip
            outcome, cpu = self._drive(spec, "open", rate=rate)
            self._print_outcome(outcome, cpu)
            t = outcome.tally
            say(f"arrived {t.arrivals} lifecycles in {a.warmup + a.seconds} s "
                f"({t.arrivals / (a.warmup + a.seconds):.1f}/s offered {rate:.1f}/s); held "
                f"{outcome.lifecycles_per_s:.1f} lifecycles/s finished, "
                f"{outcome.requests_per_s:.0f} requests/s; {t.late} found no free thread")  # fmt: skip
            self.open_runs.append((spec, f, rate, outcome, cpu))

    def _open_table(self) -> list[str]:
        actions = [a for a in load.ACTIONS
                   if any(a == r["action"] for *_, o, _ in self.open_runs for r in o.action_stats())]  # fmt: skip
        header = ["load", "offered /s", "held /s", "req/s", "errors"] + actions
        rows = []
        servers = len({spec for spec, *_ in self.open_runs})
        for spec, f, rate, o, _ in self.open_runs:
            stats = {r["action"]: r for r in o.action_stats()}
            worst = max((r["p99"] or 0) for r in stats.values()) if stats else 0
            target = OPEN_TARGETS_MS.get(f)
            verdict = (
                ""
                if target is None
                else f" ({'met' if worst < target else 'MISSED'} < {target} ms)"
            )
            label = f"{spec} {f:.0%}" if servers > 1 else f"{f:.0%}"
            rows.append([f"{label}{verdict}", f"{rate:.1f}", f"{o.lifecycles_per_s:.1f}",
                         f"{o.requests_per_s:.0f}", str(o.errors)]
                        + [f"{_ms(stats[x]['p50'])}/{_ms(stats[x]['p99'])}/{_ms(stats[x]['max'])}"
                           if x in stats else "-" for x in actions])  # fmt: skip
        cells = [header, *rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        out = []
        for n, r in enumerate(cells):
            out.append("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                                 for i, c in enumerate(r)).rstrip())  # fmt: skip
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        return out

    def actions_only(self, spec: Spec) -> None:
        """The case step alone (accept, approve, approve on applications made beforehand), as
        pgbench and the bare endpoint (docs/benchmarks.md) measure it."""
        a, say = self.args, self.say
        count = (a.warmup + a.seconds) * 600
        t = time.perf_counter()
        numbers = generate.submitted_cases(self.pg, a.db_name, count)
        say()
        say(f"== load, case actions only (accept, approve, approve on {len(numbers):,} online "
            f"applications made in the database beforehand, {time.perf_counter() - t:.1f} s): "
            f"{spec.describe()}; {self._clients_text()}")  # fmt: skip
        outcome, cpu = self._drive(spec, "actions", numbers)
        self._print_outcome(outcome, cpu)
        self.actions = (spec, outcome, cpu)

    def _print_outcome(self, o: load.Outcome, cpu: dict) -> None:
        say = self.say
        rows = [[r["action"], r["count"], r["errors"], f"{r['per_s']:.1f}", _ms(r["p50"]),
                 _ms(r["p90"]), _ms(r["p99"]), _ms(r["max"])] for r in o.action_stats()]  # fmt: skip
        say.table(["action", "count", "errors", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms"],
                  rows, "lrrrrrrr")  # fmt: skip
        say(f"requests/s {o.requests_per_s:.0f}; case actions/s {o.case_actions_per_s:.0f}; "
            f"lifecycles finished/s {o.lifecycles_per_s:.1f} (promised {o.tally.finished['promised']}, "
            f"instant {o.tally.finished['instant']} in {o.seconds:.0f} s); errors {o.errors}")  # fmt: skip
        if o.tally.logins:
            say(f"sign-ins before the run: {len(o.tally.logins)}, median "
                f"{sorted(o.tally.logins)[len(o.tally.logins) // 2] * 1000:.0f} ms")  # fmt: skip
        if cpu:
            say("CPU (cores busy): " + ", ".join(
                f"{k} {v:.2f}" for k, v in cpu.items() if k != "machine cores"))  # fmt: skip
            if o.requests_per_s:
                say(_cpu_per(cpu, o.requests_per_s, "request"))
        for action, bodies in o.tally.error_bodies.items():
            for body in bodies:
                say(f"  error {action}: {body}")

    # --- 3. ceiling -----------------------------------------------------------------------

    def ceiling(self) -> None:
        a, say = self.args, self.say
        db = f"{a.db_name}_ceiling"
        counts = sorted({int(c) for c in a.ceiling_clients.split(",") if c.strip()} | {a.clients})
        say()
        say(f"== ceiling: the case step on {db} (bench/sql/case_schema.sql, 100,000 cases)")
        ceiling.prepare(self.pg, db)
        if not a.skip_bare:
            spec = self.reported[0] if self.reported else Spec.parse(a.servers.split(",")[0])
            say(f"-- the bare endpoint (bench/bare.py: one Django view, the same writes, no auth, "
                f"no validation, no middleware) under {spec}; {self._clients_text()}")  # fmt: skip
            outcome, cpu = self._drive(spec, "bare", db=db)
            self._print_outcome(outcome, cpu)
            self.bare = (spec, outcome, cpu)
            ceiling.prepare(self.pg, db)
        say("-- pgbench")
        self.check_idle()
        me = os.getpid()
        for c in counts:
            seconds = a.seconds if c == a.clients else max(5, a.seconds // 2)
            meter = CpuMeter(set, lambda: descendants(me), self._pg_pids(db))
            r = ceiling.pgbench(self.pg, db, c, seconds, meter)
            self.ceilings.append(r)
            say(f"pgbench -c {c:>2} -T {seconds}: {r['tps']:,.0f} TPS, latency {r['latency_ms']:.2f} ms"
                + (f", {r['failed']} failed" if r["failed"] else "")
                + (f"; {_cpu_per(r['cpu'], r['tps'], 'transaction')}; other {r['cpu']['other']:.2f} cores"
                   if r["cpu"] else ""))  # fmt: skip

    # --- 4. queries -----------------------------------------------------------------------

    def queries(self) -> None:
        a, say = self.args, self.say
        spec = self.reported[0] if self.reported else Spec.parse(a.servers.split(",")[0])
        for scale in [int(s) for s in a.scale.split(",") if s.strip()]:
            db = f"{a.db_name}_{_scale_label(scale)}"
            say()
            say(f"== queries at {scale:,} cases ({db}, server {spec})")
            t = time.perf_counter()
            fresh = scale < KEEP_SCALE or a.regenerate or not self.pg.exists(db)
            if fresh:
                self.pg.create(db, template=f"{a.db_name}_base")
            else:
                generate.ensure_database(self.pg, db, log=say)  # migrate a kept one
            made = generate.generate(self.pg, db, scale, log=lambda m: None)
            if made["added"]:
                say(f"generated {made['added']:,} cases in {made['seconds']:.0f} s")
            say(f"data: {generate.summary(self.pg, db)} (ready in {time.perf_counter() - t:.0f} s)")
            # The dashboard reads the daily rollups the figures job keeps (every 10 minutes in
            # production): made here first, or each request would count a year of cases.
            t = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "stats-refresh", "-v", "0"],
                           env=self.env(db), cwd=ROOT, check=True)  # fmt: skip
            say(f"figures' rollups brought up to date (tongban stats-refresh) in "
                f"{time.perf_counter() - t:.0f} s")  # fmt: skip
            numbers = queries.sample_numbers(self.pg, db)
            qs = queries.expand(queries.QUERIES, numbers)
            # No background worker here: its first round on a big data set would run beside the
            # timings (the jobs are timed on their own below).
            env = self.env(db, TONGBAN_INPROCESS_WORKER="false")
            with Server(spec, env, self.log_path) as server:
                server.warm()
                http_times = queries.time_http("127.0.0.1", server.port, a.password, qs, numbers)
            explained = queries.explain(self.env(db), qs, self.plans_path, f"{scale:,} cases")
            self.query_results[scale] = {"http": http_times, "sql": explained}
            rows = []
            for q in qs:
                h, e = http_times[q["name"]], explained[q["name"]]
                rows.append([q["name"], h["status"], h["count"], f"{h['median']:.1f}",
                             f"{e['in_process_ms']:.1f}", e["statements"], f"{e['sql_ms']:.1f}",
                             ", ".join(e["worst_nodes"][:4])])  # fmt: skip
            say.table(["query", "status", "count", "HTTP ms", "in-proc ms", "SQL n", "SQL ms",
                       "slowest statement's plan"], rows, "lrrrrrrl")  # fmt: skip
        if not a.skip_jobs and self.query_results:
            self.jobs(
                f"{a.db_name}_{_scale_label(max(self.query_results))}", max(self.query_results)
            )

    def jobs(self, db: str, scale: int) -> None:
        say = self.say
        say()
        say(f"== background jobs at {scale:,} cases ({db}): every periodic job, twice")
        try:
            done = subprocess.run([sys.executable, str(HERE / "jobs.py")], env=self.env(db),
                                  capture_output=True, text=True, cwd=ROOT, timeout=600)  # fmt: skip
        except subprocess.TimeoutExpired:
            say("jobs did not finish within 600 s")
            return
        if done.returncode:
            say(f"jobs.py failed: {done.stderr.strip()[-1500:]}")
            return
        self.job_results = json.loads(done.stdout)
        say.table(["job", "first s", "second s", "result (second round)"],
                  [[n, f"{r['first']:.2f}", f"{r['second']:.2f}", json.dumps(r["result"], ensure_ascii=False)[:90]]
                   for n, r in self.job_results.items()], "lrrl")  # fmt: skip

    # --- 5. summary -----------------------------------------------------------------------

    def finish(self) -> Path:
        a, say = self.args, self.say
        lines = [f"tongban bench {self.stamp} ({_git()}), {os.cpu_count()} cores, PostgreSQL "
                 f"{self.pg.setting('server_version')}; server, database and load generator on one machine"]  # fmt: skip
        tps = None
        if self.ceilings:
            same = [c for c in self.ceilings if c["clients"] == a.clients]
            tps = (same or self.ceilings)[-1]["tps"]
            lines.append("ceiling (pgbench, case step): " + ", ".join(
                f"{c['clients']} clients {c['tps']:,.0f} TPS" for c in self.ceilings))  # fmt: skip
        for label, result in (
            ("complete lifecycles", self.reported),
            ("case actions only", self.actions),
            ("the bare endpoint (the same writes, nothing else)", self.bare),
        ):
            if not result:
                continue
            spec, o, cpu = result
            stats = o.action_stats()
            lines.append("")
            lines.append(f"{label} over HTTP ({spec.describe()}, {o.clients} clients, {o.seconds:.0f} s): "
                         f"{o.case_actions_per_s:,.0f} case actions/s, {o.requests_per_s:,.0f} requests/s, "
                         f"{o.lifecycles_per_s:.1f} cases finished/s, {o.errors} errors")  # fmt: skip
            if tps:
                share = o.case_actions_per_s / tps
                lines.append(f"  case actions/s / pgbench TPS at {a.clients} clients: "
                             f"{o.case_actions_per_s:,.0f} / {tps:,.0f} = {share:.1%} "
                             f"(target >= {TARGET_SHARE:.0%}: {'met' if share >= TARGET_SHARE else 'MISSED'})")  # fmt: skip
            worst = max(stats, key=lambda r: r["p99"] or 0)
            lines.append("  p50 / p99 ms: " + "; ".join(
                f"{r['action']} {_ms(r['p50'])} / {_ms(r['p99'])}" for r in stats))  # fmt: skip
            lines.append(f"  worst p99: {worst['action']} {_ms(worst['p99'])} ms "
                         f"(target < {TARGET_P99_MS} ms: {'met' if (worst['p99'] or 0) < TARGET_P99_MS else 'MISSED'})")  # fmt: skip
            if cpu:
                lines.append("  CPU during the run (cores): " + ", ".join(
                    f"{k} {v:.2f}" for k, v in cpu.items() if k != "machine cores"))  # fmt: skip
                lines.append("  " + _cpu_per(cpu, o.requests_per_s, "request"))
        if self.open_runs:
            lines.append("")
            servers = sorted({str(spec) for spec, *_ in self.open_runs})
            lines.append(f"open loop (lifecycles arriving, Poisson; {', '.join(servers)}; "
                         "p50/p99/max ms):")  # fmt: skip
            lines += ["  " + line for line in self._open_table()]
        if self.bare and self.bare[1].case_actions_per_s:
            bare = self.bare[1].case_actions_per_s
            for label, result in (
                ("complete lifecycles", self.reported),
                ("case actions only", self.actions),
            ):
                if result:
                    lines.append(f"product / bare endpoint, case actions/s ({label}): "
                                 f"{result[1].case_actions_per_s / bare:.0%}")  # fmt: skip
        same = [c for c in self.ceilings if c["clients"] == a.clients]
        if same and same[-1]["cpu"]:
            lines.append("pgbench " + _cpu_per(same[-1]["cpu"], same[-1]["tps"], "transaction"))
        if self.query_results:
            scales = sorted(self.query_results)
            header = ["query (HTTP median ms)"] + [f"{_scale_label(s)} ms" for s in scales]
            if len(scales) > 1:
                header.append(f"largest / {_scale_label(scales[0])} (< {queries.SCALE_LIMIT:g}x)")
            rows = []
            for name, *_ in queries.QUERIES:
                times = [self.query_results[s]["http"][name]["median"] for s in scales]
                row = [name] + [f"{t:.1f}" for t in times]
                if len(scales) > 1:
                    worst = max(times[1:]) / times[0] if times[0] else float("inf")
                    row.append(
                        f"{worst:.2f}x " + ("met" if worst < queries.SCALE_LIMIT else "MISSED")
                    )
                rows.append(row)
            lines.append("")
            widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
            for n, r in enumerate([header, *rows]):
                lines.append("  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                                       for i, c in enumerate(r)))  # fmt: skip
                if n == 0:
                    lines.append("  ".join("-" * w for w in widths))
        if self.job_results:
            lines.append("")
            lines.append(f"background jobs at {_scale_label(max(self.query_results))} (first round / steady): "
                         + ", ".join(f"{n} {r['first']:.1f}/{r['second']:.1f} s"
                                     for n, r in self.job_results.items()))  # fmt: skip
        say()
        say("=" * 30 + " summary " + "=" * 30)
        for line in lines:
            say(line)
        say("=" * 69)
        path = self.say.path
        say(f"saved to {path.relative_to(ROOT)} (plans: {self.plans_path.relative_to(ROOT)}, "
            f"server log: {self.log_path.relative_to(ROOT)})")  # fmt: skip
        return path

    def run(self) -> int:
        a = self.args
        try:
            self.setup()
            if not a.skip_load:
                self.load_runs()
            if not a.skip_ceiling:
                self.ceiling()
            if not a.skip_queries:
                self.queries()
            self.finish()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_arguments(parser)
    args = parser.parse_args(argv)
    if not shutil.which("psql") or (not args.skip_ceiling and not shutil.which("pgbench")):
        parser.error("psql and pgbench must be on PATH")
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())

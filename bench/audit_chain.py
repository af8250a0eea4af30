"""What the audit chain costs (issue #12), measured on PostgreSQL: figures, not pass/fail.

    .venv/bin/python bench/audit_chain.py [--db-name tongban_bench_audit] [--threads 1,4,8]
                                          [--actions 400] [--appends 400] [--rounds 3]

1. **Case actions**: N threads of this process (one database connection each) accept online
   applications made beforehand (generate.submitted_cases), each thread its own cases, through
   cases.services.case_act as clerk-371522: as shipped (the CaseEvent only), and with every
   transition also appended to the audit chain (audit.services.record called from
   cases.services._event, patched here for the measurement). Actions/s of the whole run and
   CPU ms of this process per action; rounds alternate the two, the median is printed.
2. **Audit writers**: N threads each append entries, one transaction each: record() as shipped
   (one chain); then the same statements in plain SQL on tables of the benchmark's own:
   no chain (INSERT only), one chain, one chain per day (the day's head anchored in the next
   one's first entry: during a day every writer appends to the same head, so it contends as
   one chain does), and four chains by thread (what striping would buy).

Threads share one interpreter (the GIL): waits for a row lock or for PostgreSQL release it, so
lock contention shows, but CPU-bound Python does not run in parallel. The machine's two cores
are shared with PostgreSQL: compare the figures of one run with each other, not across runs.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import ensure_database, submitted_cases  # noqa: E402
from pg import Pg  # noqa: E402


def _django(url: str) -> None:
    os.environ["TONGBAN_DATABASE_URL"] = url
    os.environ.setdefault("TONGBAN_DATA_DIR", tempfile.mkdtemp(prefix="tongban-bench-audit-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()


def _threads(n: int, work) -> tuple[float, float, list[float]]:
    """Run work(i, latencies) in n threads at once: (wall seconds, process CPU seconds,
    latencies of every operation)."""
    from django.db import connections

    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(n + 1)

    def run(i):
        mine: list[float] = []
        try:
            start.wait()
            work(i, mine)
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, time.process_time() - c0, latencies


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else 0.0


# --- 1. Case actions ----------------------------------------------------------------------


def _chained_event(original):
    from tongban.audit.services import record

    def event(case, action, from_status, *, actor, office, reason="", data=None, ip=None,
              at=None):  # fmt: skip
        original(case, action, from_status, actor=actor, office=office, reason=reason,
                 data=data, ip=ip, at=at)  # fmt: skip
        record(event=f"case.{action}", user=actor, office=office, target=case.number, ip=ip,
               from_status=from_status, to_status=case.status)  # fmt: skip

    return event


def case_actions(pg: Pg, db: str, threads: int, per_thread: int, chained: bool) -> dict:
    from django.db import connection

    from tongban.cases import services
    from tongban.people.models import User

    numbers = submitted_cases(pg, db, threads * per_thread)
    clerk = User.objects.select_related("office").get(username="clerk-371522")
    connection.close()
    original = services._event
    if chained:
        services._event = _chained_event(original)

    def work(i, latencies):
        for number in numbers[i::threads]:
            t = time.perf_counter()
            services.case_act(number=number, action="accept", actor=clerk)
            latencies.append(time.perf_counter() - t)

    try:
        wall, cpu, latencies = _threads(threads, work)
    finally:
        services._event = original
    done = len(latencies)
    return {"per_s": done / wall, "cpu_ms": cpu * 1000 / done, "p50": _pct(latencies, 0.5),
            "p99": _pct(latencies, 0.99)}  # fmt: skip


# --- 2. Audit writers ---------------------------------------------------------------------

RAW_SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_chain_head (
    chain text PRIMARY KEY, seq bigint NOT NULL, hash char(64) NOT NULL);
CREATE TABLE IF NOT EXISTS bench_chain_entry (
    id bigserial PRIMARY KEY, chain text NOT NULL, seq bigint, at timestamptz NOT NULL,
    username text NOT NULL, event text NOT NULL, outcome text NOT NULL, target text NOT NULL,
    ip inet, data jsonb NOT NULL, prev_hash char(64), hash char(64), UNIQUE (chain, seq));
TRUNCATE bench_chain_head, bench_chain_entry;
"""


def _raw_append(conn, variant: str, thread: int, n: int) -> None:
    """One entry in its own transaction, as record() writes it, on the benchmark's tables."""
    from tongban.audit.chain import GENESIS, sm3

    at = datetime.now(UTC)
    values = {"at": at, "username": f"u{thread}", "event": "auth.login", "outcome": "success",
              "target": str(n), "ip": "10.0.0.1", "data": '{"face":"desk"}'}  # fmt: skip
    with conn.transaction():
        if variant == "unchained":
            conn.execute(
                "INSERT INTO bench_chain_entry (chain, at, username, event, outcome, target, ip, "
                "data) VALUES ('', %(at)s, %(username)s, %(event)s, %(outcome)s, %(target)s, "
                "%(ip)s, %(data)s)",
                values,
            )
            return
        chain = {"one": "main", "day": at.date().isoformat(), "stripes": f"s{thread % 4}"}[variant]
        row = conn.execute(
            "SELECT seq, hash FROM bench_chain_head WHERE chain = %s FOR UPDATE", [chain]
        ).fetchone()
        if row is None:
            # A new chain (a new day): it starts from the last head before it, locked so that
            # a late writer of that day finishes first.
            conn.execute(
                "INSERT INTO bench_chain_head SELECT %(c)s, 0, COALESCE((SELECT hash FROM "
                "bench_chain_head WHERE chain < %(c)s ORDER BY chain DESC LIMIT 1 FOR UPDATE), "
                "%(g)s) ON CONFLICT DO NOTHING",
                {"c": chain, "g": GENESIS},
            )
            row = conn.execute(
                "SELECT seq, hash FROM bench_chain_head WHERE chain = %s FOR UPDATE", [chain]
            ).fetchone()
        seq, prev = row[0] + 1, row[1]
        text = "|".join([chain, str(seq), at.isoformat(), *(values[k] for k in
                        ("username", "event", "outcome", "target", "ip", "data")), prev])  # fmt: skip
        digest = sm3(text.encode())
        conn.execute(
            "INSERT INTO bench_chain_entry (chain, seq, at, username, event, outcome, target, ip, "
            "data, prev_hash, hash) VALUES (%(chain)s, %(seq)s, %(at)s, %(username)s, %(event)s, "
            "%(outcome)s, %(target)s, %(ip)s, %(data)s, %(prev)s, %(hash)s)",
            {**values, "chain": chain, "seq": seq, "prev": prev, "hash": digest},
        )
        conn.execute(
            "UPDATE bench_chain_head SET seq = %s, hash = %s WHERE chain = %s", [seq, digest, chain]
        )


def audit_writers(pg: Pg, db: str, threads: int, per_thread: int, variant: str) -> dict:
    url = pg.url(db).replace("postgres://", "postgresql://")
    if variant == "record":
        from tongban.audit.services import record

        def work(i, latencies):
            for n in range(per_thread):
                t = time.perf_counter()
                record(event="bench.append", username=f"u{i}", target=str(n), ip="10.0.0.1",
                       face="desk")  # fmt: skip
                latencies.append(time.perf_counter() - t)

    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(RAW_SCHEMA)

        def work(i, latencies):
            with psycopg.connect(url, autocommit=True) as conn:
                for n in range(per_thread):
                    t = time.perf_counter()
                    _raw_append(conn, variant, i, n)
                    latencies.append(time.perf_counter() - t)

    wall, cpu, latencies = _threads(threads, work)
    done = len(latencies)
    return {"per_s": done / wall, "cpu_ms": cpu * 1000 / done, "p50": _pct(latencies, 0.5),
            "p99": _pct(latencies, 0.99)}  # fmt: skip


def _median(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _line(label: str, r: dict, base: dict | None = None) -> str:
    versus = f"  {100 * (r['per_s'] / base['per_s'] - 1):+6.1f}%" if base else ""
    return (f"  {label:<28} {r['per_s']:8.0f}/s{versus}  cpu {r['cpu_ms']:5.2f} ms/op  "
            f"p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms")  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("TONGBAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db-name", default="tongban_bench_audit")
    parser.add_argument("--threads", default="1,4,8")
    parser.add_argument("--actions", type=int, default=400, help="case actions per thread")
    parser.add_argument("--appends", type=int, default=400, help="audit appends per thread")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-cases", action="store_true")
    a = parser.parse_args(argv)
    pg = Pg.from_url(a.pg)
    ensure_database(pg, a.db_name)
    _django(pg.url(a.db_name))
    counts = [int(n) for n in a.threads.split(",")]
    print(f"PostgreSQL {pg.setting('server_version')}, synchronous_commit "
          f"{pg.setting('synchronous_commit')}, {os.cpu_count()} cores; median of {a.rounds} rounds")  # fmt: skip
    if not a.skip_cases:
        print("\n1. case actions (accept), as shipped vs. each transition also in the audit chain")
        for n in counts:
            runs = {False: [], True: []}
            for r in range(a.rounds):
                for chained in (False, True) if r % 2 == 0 else (True, False):
                    runs[chained].append(case_actions(pg, a.db_name, n, a.actions, chained))
            base = _median(runs[False])
            print(f" {n} thread{'s' if n > 1 else ''}")
            print(_line("CaseEvent only (shipped)", base))
            print(_line("+ audit chain per action", _median(runs[True]), base))
    print("\n2. audit writers, one transaction per entry")
    variants = ["record", "unchained", "one", "day", "stripes"]
    labels = {"record": "record(), one chain", "unchained": "SQL, no chain",
              "one": "SQL, one chain", "day": "SQL, one chain per day",
              "stripes": "SQL, 4 chains by thread"}  # fmt: skip
    for n in counts:
        runs = {v: [] for v in variants}
        for r in range(a.rounds):
            for v in variants if r % 2 == 0 else variants[::-1]:
                runs[v].append(audit_writers(pg, a.db_name, n, a.appends, v))
        print(f" {n} thread{'s' if n > 1 else ''}")
        base = _median(runs["unchained"])
        for v in variants:
            print(_line(labels[v], _median(runs[v]), None if v == "unchained" else base))


if __name__ == "__main__":
    main()

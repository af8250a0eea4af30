"""The ceiling: the same database writes as one case action, driven by pgbench directly.

bench/sql/case_schema.sql and case_step.sql (the team's reference copies, docs/benchmarks.md) model one action: read the
case's status and version, a version-checked UPDATE and one audit INSERT with a ~300-byte jsonb
payload, in one transaction.
"""

import re
import subprocess
import time
from pathlib import Path

from pg import Pg

SQL = Path(__file__).resolve().parent / "sql"


def prepare(pg: Pg, db: str) -> None:
    pg.create(db)
    pg.psql(db, file=str(SQL / "case_schema.sql"))


def pgbench(pg: Pg, db: str, clients: int, seconds: int, meter=None) -> dict:
    """One pgbench run; TPS without the initial connection time, and its mean latency (ms).
    `meter` (server.CpuMeter) is read from 2 s after the start to 0.5 s before the end, while
    pgbench and its connections exist."""
    argv = ["pgbench", "-n", "-f", str(SQL / "case_step.sql"), "-c", str(clients),
            "-j", str(min(2, clients)), "-T", str(seconds), db]  # fmt: skip
    launched = time.monotonic()
    proc = subprocess.Popen(argv, env=pg.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    cpu = None
    if meter is not None and seconds > 4:
        time.sleep(2.0)  # connecting 16 clients on a busy machine can take a while
        meter.start()  # itself a psql call: the end is timed from the launch, not from here
        time.sleep(max(0.0, launched + seconds - 0.5 - time.monotonic()))
        cpu = meter.stop()
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"pgbench failed: {err.strip() or out.strip()}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {
        "cpu": cpu,
        "clients": clients,
        "seconds": seconds,
        "tps": float(tps.group(1)),
        "latency_ms": float(latency.group(1)) if latency else None,
        "failed": int(failed.group(1)) if failed else 0,
    }

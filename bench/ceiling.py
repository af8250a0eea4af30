"""The ceiling: the same database writes as one case action, driven by pgbench directly.

bench/sql/case_schema.sql and case_step.sql (copies of ../shared/bench) model one action: read the
case's status and version, a version-checked UPDATE and one audit INSERT with a ~300-byte jsonb
payload, in one transaction.
"""

import re
import subprocess
from pathlib import Path

from pg import Pg

SQL = Path(__file__).resolve().parent / "sql"


def prepare(pg: Pg, db: str) -> None:
    pg.create(db)
    pg.psql(db, file=str(SQL / "case_schema.sql"))


def pgbench(pg: Pg, db: str, clients: int, seconds: int) -> dict:
    """One pgbench run; TPS without the initial connection time, and its mean latency (ms)."""
    argv = ["pgbench", "-n", "-f", str(SQL / "case_step.sql"), "-c", str(clients),
            "-j", str(min(2, clients)), "-T", str(seconds), db]  # fmt: skip
    done = subprocess.run(argv, env=pg.env(), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"pgbench failed: {done.stderr.strip() or done.stdout.strip()}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    return {
        "clients": clients,
        "seconds": seconds,
        "tps": float(tps.group(1)),
        "latency_ms": float(latency.group(1)) if latency else None,
        "failed": int(failed.group(1)) if failed else 0,
    }

"""Work-queue and lookup timings: the API requests people make all day, at a given data size.

Each query is timed over HTTP against the running server (the whole request: token check,
permissions, the SQL, the JSON), sequentially on one kept-alive connection after warm-up:
the median of --repeat runs. A separate Django process (bench/explain.py) then runs the same
requests through the test client, captures their SQL and EXPLAIN ANALYZEs each statement,
to show which indexes the plans use.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from load import Wire, login
from pg import Pg

HERE = Path(__file__).resolve().parent

# name, user, path ({number} is replaced by a case of the user's office)
QUERIES = [
    ("clerk queue: accepted, own office", "clerk-371522", "/api/v1/cases?status=accepted&office=371522"),
    ("intake queue (city-wide, oldest first)", "clerk-371522", "/api/v1/cases?intake=true"),
    ("reviewer queue: accepted", "reviewer-371522", "/api/v1/cases?status=accepted"),
    ("overdue, city supervisor", "supervisor-371500", "/api/v1/cases?overdue=true"),
    ("case lookup GET /cases/{number}", "clerk-371522", "/api/v1/cases/{number}"),
    ("applicant's own cases", "applicant-1", "/api/v1/cases"),
    ("search: number prefix (q=)", "clerk-371522", "/api/v1/cases?q={prefix}"),
    ("search: identity number (q=)", "clerk-371522", "/api/v1/cases?q={identity}"),
    ("city supervisor: all cases, newest", "supervisor-371500", "/api/v1/cases"),
    ("city supervisor: one item", "supervisor-371500", "/api/v1/cases?item=YB07019"),
    ("county supervisor: all own cases", "supervisor-371522", "/api/v1/cases"),
    ("dashboard: city figures, this year", "supervisor-371500", "/api/v1/stats/summary"),
]  # fmt: skip
# Each query's time at a larger scale, divided by its time at the smallest, stays under this.
SCALE_LIMIT = 2.0


def demo_identity() -> str:
    """applicant-1's resident ID (tongban.people.demo): the identity search finds their cases."""
    from datetime import date

    sys.path.insert(0, str(HERE.parent))
    from tongban.lib.identifiers import synthetic_resident_id

    return synthetic_resident_id(region="371581", birth=date(1968, 5, 12), seq=1)


def sample_numbers(pg: Pg, db: str, office: str = "371522", n: int = 15) -> list[str]:
    """Random cases handled by `office` (lookups hit different rows, as they do in real use)."""
    out = pg.psql(
        db,
        "SELECT number FROM cases_case TABLESAMPLE SYSTEM (5) WHERE handling_office_id = "
        f"(SELECT id FROM offices_office WHERE code = '{office}') LIMIT {n}",
    )
    numbers = out.splitlines()
    if len(numbers) < n:
        more = pg.psql(
            db,
            "SELECT number FROM cases_case WHERE handling_office_id = "
            f"(SELECT id FROM offices_office WHERE code = '{office}') ORDER BY id DESC LIMIT {n}",
        )
        numbers = (numbers + more.splitlines())[:n]
    return numbers


def expand(queries, numbers: list[str]) -> list[dict]:
    number = numbers[0] if numbers else "371522-20260101-000001"
    return [
        {"name": name, "user": user,
         "path": path.replace("{number}", number).replace("{prefix}", number[:15])
                     .replace("{identity}", demo_identity())}
        for name, user, path in queries
    ]  # fmt: skip


def time_http(host: str, port: int, password: str, queries: list[dict], numbers: list[str],
              repeat: int = 15, warm: int = 3) -> dict[str, dict]:  # fmt: skip
    tokens = {u: login(host, port, u, password)[0] for u in sorted({q["user"] for q in queries})}
    conn = Wire(host, port, timeout=60)
    results = {}
    for q in queries:
        headers = {"Authorization": f"Bearer {tokens[q['user']]}", "Accept": "application/json"}
        lookup = "{number}" in next(p for n, _, p in QUERIES if n == q["name"])
        times, count, status = [], None, None
        for i in range(warm + repeat):
            path = q["path"]
            if lookup and numbers:  # a different case each time
                path = path.rsplit("/", 1)[0] + "/" + numbers[i % len(numbers)]
            t0 = time.perf_counter()
            status, body = conn.request("GET", path, headers)
            dt = time.perf_counter() - t0
            if i >= warm:
                times.append(dt * 1000)
            if i == 0 and status == 200:
                data = json.loads(body)
                count = data.get("count") if isinstance(data, dict) else None
        results[q["name"]] = {
            "status": status, "count": count, "median": statistics.median(times),
            "min": min(times), "max": max(times),
        }  # fmt: skip
    conn.close()
    return results


def explain(env: dict, queries: list[dict], plans_path: Path, label: str) -> dict[str, dict]:
    """Run bench/explain.py in a Django process on the same database; returns per query the
    statement count, SQL time and the slowest statement's plan summary."""
    done = subprocess.run([sys.executable, str(HERE / "explain.py"), "--label", label,
                           "--plans", str(plans_path)], input=json.dumps(queries), env=env,
                          capture_output=True, text=True, cwd=HERE.parent)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"explain.py failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)

"""Capture and EXPLAIN ANALYZE the SQL of API requests (run by bench/queries.py).

Reads [{"name", "user", "path"}, ...] as JSON on stdin; the database is TONGBAN_DATABASE_URL.
Runs each request through Django's test client (in process: no HTTP), times it (median of 7
after 2 warm-ups), captures its statements and EXPLAIN (ANALYZE, BUFFERS)es each SELECT.
Writes the full plans to --plans (appending) and a JSON summary to stdout.
"""

import argparse
import json
import statistics
import sys
import time

import in_django  # noqa: E402, F401 - sets Django up
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tongban.people.models import ApiToken, User  # noqa: E402


def _scans(node: dict, out: list[str]) -> None:
    kind = node.get("Node Type", "")
    if "Scan" in kind or kind in ("Sort", "Aggregate", "Limit", "Incremental Sort"):
        what = kind
        if node.get("Index Name"):
            what += f" {node['Index Name']}"
        elif node.get("Relation Name"):
            what += f" {node['Relation Name']}"
        if "Scan" in kind:
            what += f" rows={node.get('Actual Rows', 0) * node.get('Actual Loops', 1)}"
        out.append(what)
    for child in node.get("Plans", []):
        _scans(child, out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", required=True)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    queries = json.load(sys.stdin)
    tokens = {}
    for user in {q["user"] for q in queries}:
        tokens[user] = ApiToken.issue(User.objects.get(username=user))
    summary = {}
    with open(args.plans, "a", encoding="utf-8") as plans:
        for q in queries:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[q['user']]}")
            for _ in range(2):
                client.get(q["path"])
            times = []
            for _ in range(7):
                t0 = time.perf_counter()
                client.get(q["path"])
                times.append((time.perf_counter() - t0) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(q["path"])
            statements = [s["sql"] for s in ctx.captured_queries]
            plans.write(f"\n=== [{args.label}] {q['name']} — {q['user']} GET {q['path']} "
                        f"-> {response.status_code}, {len(statements)} statements\n")  # fmt: skip
            worst = {"ms": -1.0}
            total = 0.0
            for sql in statements:
                if not sql.lstrip().upper().startswith("SELECT"):
                    plans.write(f"\n-- {sql}\n")
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    text = "\n".join(r[0] for r in cursor.fetchall())
                ms = plan["Execution Time"] + plan.get("Planning Time", 0)
                total += ms
                plans.write(f"\n-- {sql}\n{text}\n")
                if ms > worst["ms"]:
                    nodes: list[str] = []
                    _scans(plan["Plan"], nodes)
                    worst = {"ms": ms, "sql": sql[:300], "nodes": nodes}
            summary[q["name"]] = {
                "status": response.status_code,
                "statements": len(statements),
                "in_process_ms": statistics.median(times),
                "sql_ms": total,
                "worst_ms": worst["ms"],
                "worst_nodes": worst.get("nodes", []),
                "worst_sql": worst.get("sql", ""),
            }
    ApiToken.objects.filter(digest__in=[ApiToken.hash(t) for t in tokens.values()]).delete()
    json.dump(summary, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

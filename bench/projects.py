"""Key projects at a city's scale: 1,000 projects with 25,000 approvals, and how long the board
and the project lists take at that size (#13: "well under 300 ms").

    .venv/bin/python bench/projects.py                     # generate if needed, then measure
    .venv/bin/python bench/projects.py --db-name tongban_projbench --projects 1000 --approvals 25

The database (default tongban_projbench on --pg) is created with the demo city when missing
(generate.ensure_database). Generation is INSERT ... SELECT in PostgreSQL, a few seconds:

  * --projects employers (压测投资方 n, a valid USCC each, sealed as the product seals them);
  * one project each: a county among the city's eight, its agent the county's agent (one in
    five its clerk), signed over the past 400 days, planned start 60-200 days after signing;
    a third started (on, before or after the planned day), stage following from the dates;
  * a task force of three (the county's reviewer, second reviewer and supervisor) and six
    tasks spread from signing to the planned start, done when their day is a week past (one in
    six left open: late);
  * --approvals approvals per project, each a distinct item of the other departments' catalog
    (data/department_items.json) drawn at random, tied to one of the tasks; 88% linked to a
    real case of that item applied for by the investor at the county's window (completed and
    approved 60%, accepted 25% with one in four of those past its deadline, waiting for a
    supplement 5%, submitted 5%, rejected 5%), each with its submit and accept events, numbered
    on the CaseCounter like live cases; 7% handled outside (issuing body, dates); 5% not yet
    applied for.

Then, in process through Django's test client (the whole middleware and view stack, no HTTP),
the median and 90th percentile of --repeat warm requests, with the SQL statements each ran:
the board (API detail and desk page) of a project with the most approvals; the project lists
of a county supervisor and the city supervisor, filtered (county, stage and industry, blocked,
late) and paged (page 10); the agent's own list; the figures. Figures, not pass/fail.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate import BENCH_DATA_KEY, BENCH_PASSWORD, FUNCTIONS, applicants_seal, ensure_database  # noqa: E402
from pg import Pg  # noqa: E402

MARKER = "压测投资方"

INVESTORS = """
INSERT INTO people_applicant (kind, id_number, name, phone, created_at, insured_region_id, self_registered)
SELECT 'employer', pg_temp.uscc(o.code, 500000 + n), %(marker)s || n, '', now() - interval '500 days',
       o.id, false
FROM generate_series(1, %(count)s) n
JOIN LATERAL (SELECT id, code FROM offices_office WHERE level = 'county' AND NOT external
              ORDER BY code OFFSET (n %% 8) LIMIT 1) o ON true
"""

REFERENCE = """
DROP TABLE IF EXISTS p_county, p_item, p_investor;
CREATE TEMP TABLE p_county AS
SELECT row_number() OVER (ORDER BY o.code) - 1 AS k, o.id AS office_id, o.code,
       (SELECT id FROM people_user WHERE username = 'clerk-' || o.code) AS clerk_id,
       (SELECT id FROM people_user WHERE username = 'agent-' || o.code) AS agent_id,
       (SELECT id FROM people_user WHERE username = 'reviewer-' || o.code) AS reviewer_id,
       (SELECT id FROM people_user WHERE username = 'second-reviewer-' || o.code) AS second_id,
       (SELECT id FROM people_user WHERE username = 'supervisor-' || o.code) AS supervisor_id,
       (SELECT min(w.id) FROM offices_window w JOIN offices_hall h ON h.id = w.hall_id
         WHERE h.office_id = o.id) AS window_id
FROM offices_office o WHERE o.level = 'county' AND NOT o.external;
CREATE TEMP TABLE p_item AS
SELECT row_number() OVER (ORDER BY i.code) - 1 AS k, i.id AS item_id, v.id AS version_id,
       v.handling_type = 'instant' AS instant, v.promised_days,
       jsonb_path_query_array(v.materials, '$[*].code') AS materials
FROM catalog_serviceitem i
JOIN LATERAL (SELECT * FROM catalog_itemversion v WHERE v.item_id = i.id
              ORDER BY v.effective_from DESC, v.number DESC LIMIT 1) v ON true
WHERE i.department <> '医疗保障局' AND i.status = 'active';
CREATE TEMP TABLE p_investor AS
SELECT (row_number() OVER (ORDER BY a.id))::int AS n, a.id AS applicant_id
FROM people_applicant a WHERE a.name_index IS NOT NULL AND a.kind = 'employer'
  AND a.id IN (SELECT id FROM people_applicant WHERE id > %(after)s);
"""

PROJECTS = """
INSERT INTO projects_project (name, amount, industry, stage, signed_on, planned_start_on, started_on,
                              created_at, agent_id, county_id, created_by_id, investor_id)
SELECT '压测项目 ' || i.n, (500 + (i.n * 37) %% 50000)::numeric,
       (ARRAY['manufacturing','agriculture','food','energy','logistics','tourism','health','other'])[1 + i.n %% 8],
       CASE WHEN x.started IS NOT NULL THEN CASE WHEN i.n %% 5 = 0 THEN 'producing' ELSE 'started' END
            WHEN x.signed < current_date - 120 THEN 'approving'
            WHEN x.signed < current_date - 30 THEN 'filed' ELSE 'signed' END,
       x.signed, x.planned, x.started, now(),
       CASE WHEN i.n %% 5 = 0 THEN c.clerk_id ELSE c.agent_id END, c.office_id, c.clerk_id, i.applicant_id
FROM p_investor i
JOIN p_county c ON c.k = i.n %% 8
CROSS JOIN LATERAL (SELECT current_date - (i.n * 7919 %% 400) AS signed) s
CROSS JOIN LATERAL (SELECT s.signed, s.signed + 60 + (i.n * 31 %% 140) AS planned,
                           CASE WHEN i.n %% 3 = 0 AND s.signed + 60 + (i.n * 31 %% 140) - 20 + i.n %% 41 < current_date
                                THEN s.signed + 60 + (i.n * 31 %% 140) - 20 + i.n %% 41 END AS started) x
ORDER BY i.n
"""

MEMBERS = """
INSERT INTO projects_member (duty, added_at, project_id, user_id)
SELECT m.duty, now(), p.id, m.user_id
FROM projects_project p JOIN p_county c ON c.office_id = p.county_id
CROSS JOIN LATERAL (VALUES ('审查专员', c.reviewer_id), ('审批专员', c.second_id),
                           ('专班组长', c.supervisor_id)) m(duty, user_id)
WHERE p.name LIKE '压测项目 %%'
"""

TASKS = """
INSERT INTO projects_task (title, planned_on, done_on, created_at, project_id, responsible_id, done_by_id)
SELECT '任务 ' || t, d.planned,
       CASE WHEN d.planned < current_date - 7 AND (p.id + t) %% 6 <> 0 THEN d.planned END,
       now(), p.id, CASE WHEN t %% 2 = 0 THEN p.agent_id ELSE c.reviewer_id END,
       CASE WHEN d.planned < current_date - 7 AND (p.id + t) %% 6 <> 0 THEN p.agent_id END
FROM projects_project p JOIN p_county c ON c.office_id = p.county_id
CROSS JOIN generate_series(1, 6) t
CROSS JOIN LATERAL (SELECT p.signed_on + (p.planned_start_on - p.signed_on) * t / 6 AS planned) d
WHERE p.name LIKE '压测项目 %%'
"""

# Each project's approvals: distinct items in a random order, a task each, a kind drawn.
DRAW = """
DROP TABLE IF EXISTS p_draw;
CREATE TEMP TABLE p_draw AS
SELECT p.id AS project_id, p.investor_id, p.county_id, p.agent_id, c.clerk_id, c.reviewer_id,
       c.window_id, c.code AS county_code, it.item_id, it.version_id, it.instant, it.promised_days,
       it.materials,
       (SELECT t.id FROM projects_task t WHERE t.project_id = p.id
        ORDER BY t.planned_on OFFSET (r.ord %% 6) LIMIT 1) AS task_id,
       random() AS r_kind, random() AS r_status, random() AS r_late,
       p.signed_on + ((current_date - p.signed_on) * random())::int AS applied_on,
       nextval(pg_get_serial_sequence('cases_case', 'id')) AS case_id
FROM projects_project p JOIN p_county c ON c.office_id = p.county_id
CROSS JOIN LATERAL (SELECT k, row_number() OVER (ORDER BY random()) AS ord FROM p_item) r
JOIN p_item it ON it.k = r.k
WHERE p.name LIKE '压测项目 %%' AND r.ord <= %(per)s;
ALTER TABLE p_draw ADD COLUMN kind text, ADD COLUMN status text;
UPDATE p_draw SET kind = CASE WHEN r_kind < 0.88 THEN 'case' WHEN r_kind < 0.95 THEN 'outside' ELSE 'none' END,
       status = CASE WHEN instant THEN 'completed' WHEN r_status < 0.60 THEN 'completed'
                     WHEN r_status < 0.85 THEN 'accepted' WHEN r_status < 0.90 THEN 'awaiting_supplement'
                     WHEN r_status < 0.95 THEN 'submitted' ELSE 'rejected' END;
ANALYZE p_draw;
"""

CASES = """
INSERT INTO cases_case (
  id, number, channel, status, result, step, reason, submitted_at, accepted_at, completed_at,
  deadline, deadline_provisional, clock_started_on, workdays_used, prereview_due,
  prereview_started_on, form, supplied_materials, missing_materials, overdue, version,
  idempotency_key, updated_at, accepting_office_id, applicant_id, handling_office_id,
  insured_region_id, item_id, item_version_id, owner_id, submitted_by_id, window_id,
  extension_pending, extended_days, procedures, prereview_due_provisional, supplement_due_provisional)
SELECT d.case_id,
  d.county_code || '-' || to_char(d.applied_on, 'YYYYMMDD') || '-'
    || lpad((coalesce(cc.last, 0) + row_number() OVER (PARTITION BY d.county_code, d.applied_on
                                                       ORDER BY d.case_id))::text, 6, '0'),
  'window', d.status,
  CASE WHEN d.status = 'completed' THEN 'approved' ELSE '' END,
  CASE WHEN d.status = 'accepted' AND d.r_late > 0.5 THEN 1 ELSE 0 END,
  CASE WHEN d.status = 'rejected' THEN '申请材料不齐全' WHEN d.status = 'awaiting_supplement' THEN '请补正材料' ELSE '' END,
  d.applied_on + time '09:30' AT TIME ZONE 'Asia/Shanghai',
  CASE WHEN d.status IN ('accepted', 'completed', 'awaiting_supplement') THEN d.applied_on + time '10:00' AT TIME ZONE 'Asia/Shanghai' END,
  CASE WHEN d.status IN ('completed', 'rejected') THEN d.applied_on + (d.promised_days * 7 / 10) + time '15:00' AT TIME ZONE 'Asia/Shanghai' END,
  CASE WHEN d.status = 'completed' THEN d.applied_on + d.promised_days * 7 / 5
       WHEN d.status = 'accepted' THEN CASE WHEN d.r_late < 0.25 THEN current_date - 1 - (d.r_late * 40)::int
                                            ELSE current_date + 1 + (d.r_late * 20)::int END END,
  false,
  CASE WHEN d.status IN ('accepted', 'completed') THEN d.applied_on + 1 END, 0,
  CASE WHEN d.status = 'submitted' THEN d.applied_on + 7 END,
  CASE WHEN d.status = 'submitted' THEN d.applied_on END,
  '', d.materials, CASE WHEN d.status = 'awaiting_supplement' THEN '["M2"]'::jsonb ELSE '[]'::jsonb END,
  false, 3, '', now(), d.county_id, d.investor_id, d.county_id, d.county_id, d.item_id, d.version_id,
  d.clerk_id, d.clerk_id, d.window_id, false, 0, 0, false, false
FROM p_draw d
LEFT JOIN cases_casecounter cc ON cc.prefix = d.county_code AND cc.day = d.applied_on
WHERE d.kind = 'case'
"""

EVENTS = """
INSERT INTO cases_caseevent (action, from_status, to_status, step, at, reason, data, ip, actor_id, case_id, office_id)
SELECT e.action, e.from_status, e.to_status, 0, e.at, '', '{}'::jsonb, NULL, d.clerk_id, d.case_id, d.county_id
FROM p_draw d
CROSS JOIN LATERAL (VALUES
  ('submit', '', 'submitted', d.applied_on + time '09:30' AT TIME ZONE 'Asia/Shanghai', true),
  ('accept', 'submitted', 'accepted', d.applied_on + time '10:00' AT TIME ZONE 'Asia/Shanghai',
   d.status IN ('accepted', 'completed', 'awaiting_supplement'))
) e(action, from_status, to_status, at, wanted)
WHERE d.kind = 'case' AND e.wanted
"""

COUNTERS = """
INSERT INTO cases_casecounter (prefix, day, last)
SELECT split_part(number, '-', 1), to_date(split_part(number, '-', 2), 'YYYYMMDD'),
       max(split_part(number, '-', 3)::int)
FROM cases_case WHERE id IN (SELECT case_id FROM p_draw WHERE kind = 'case')
GROUP BY 1, 2
ON CONFLICT (prefix, day) DO UPDATE SET last = greatest(cases_casecounter.last, EXCLUDED.last)
"""

APPROVALS = """
INSERT INTO projects_approval (issuing_body, applied_on, approved_on, reference, created_at,
                               case_id, created_by_id, item_id, project_id, task_id)
SELECT CASE WHEN d.kind = 'outside' THEN '压测发证机关' ELSE '' END,
       CASE WHEN d.kind = 'outside' THEN d.applied_on END,
       CASE WHEN d.kind = 'outside' AND d.r_status < 0.7 THEN d.applied_on + 10 END,
       '', now(), CASE WHEN d.kind = 'case' THEN d.case_id END, d.agent_id, d.item_id,
       d.project_id, d.task_id
FROM p_draw d ORDER BY d.project_id, d.case_id
"""


def _run(conn, sql: str, params: dict):
    """Each statement of `sql` in turn (a prepared statement holds one)."""
    for statement in sql.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)


def generate(pg: Pg, db: str, projects: int, per: int, log=print) -> None:
    url = pg.url(db).replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute(
            "SELECT count(*) FROM projects_project WHERE name LIKE '压测项目 %%'", {}
        ).fetchone()[0]
        if have >= projects:
            log(f"{db}: already {have:,} projects")
            return
        if have:
            raise SystemExit(
                f"{db} holds {have} generated projects, fewer than {projects}: drop it first"
            )
        started = time.perf_counter()
        conn.execute("SET synchronous_commit = off")
        conn.execute(FUNCTIONS)
        after = conn.execute("SELECT coalesce(max(id), 0) FROM people_applicant").fetchone()[0]
        with conn.transaction():  # all or nothing: a run that fails leaves no investors behind
            conn.execute(INVESTORS, {"marker": MARKER, "count": projects})
            applicants_seal(conn, lambda text: log(f"{db}: {text}"))
            _run(conn, REFERENCE, {"after": after})
            conn.execute(PROJECTS, {})
            conn.execute(MEMBERS, {})
            conn.execute(TASKS, {})
            _run(conn, DRAW, {"per": per})
            cases = conn.execute(CASES, {}).rowcount
            events = conn.execute(EVENTS, {}).rowcount
            conn.execute(COUNTERS, {})
            approvals = conn.execute(APPROVALS, {}).rowcount
        for table in ("projects_project", "projects_task", "projects_member", "projects_approval",
                      "cases_case", "cases_caseevent", "people_applicant"):  # fmt: skip
            conn.execute(f"VACUUM ANALYZE {table}")
        log(f"{db}: {projects:,} projects, {approvals:,} approvals, {cases:,} cases "
            f"({events:,} events) in {time.perf_counter() - started:.1f} s")  # fmt: skip


def measure(repeat: int) -> list[tuple[str, float, float, int]]:
    """(what, median ms, p90 ms, SQL statements) per request."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongban.people.models import ApiToken, User
    from tongban.projects.models import Project

    biggest = Project.objects.annotate(n=Count("approvals")).order_by("-n", "pk").first()
    county = biggest.county.code
    users = {
        "county": f"supervisor-{county}",
        "city": "supervisor-371500",
        "agent": f"agent-{county}",
    }
    api, desk = {}, {}
    for role, username in users.items():
        user = User.objects.get(username=username)
        api[role] = Client(
            HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)}", HTTP_ACCEPT="application/json"
        )
        desk[role] = Client()
        desk[role].force_login(user)
    n = biggest.n
    requests = [
        (f"board, API detail ({n} approvals)", api["county"], f"/api/v1/projects/{biggest.pk}"),
        (f"board, desk page ({n} approvals)", desk["county"], f"/desk/projects/{biggest.pk}/"),
        ("list API, county supervisor", api["county"], "/api/v1/projects"),
        ("list API, city supervisor", api["city"], "/api/v1/projects"),
        ("list API, city, page 10", api["city"], "/api/v1/projects?page=10"),
        ("list API, city, ?county=", api["city"], f"/api/v1/projects?county={county}"),
        (
            "list API, city, ?stage=&industry=",
            api["city"],
            "/api/v1/projects?stage=approving&industry=manufacturing",
        ),
        ("list API, city, ?blocked=true", api["city"], "/api/v1/projects?blocked=true"),
        ("list API, city, ?blocked=false", api["city"], "/api/v1/projects?blocked=false"),
        ("list API, city, ?late=true", api["city"], "/api/v1/projects?late=true"),
        ("list API, agent's own (?mine=true)", api["agent"], "/api/v1/projects?mine=true"),
        ("list desk, county", desk["county"], "/desk/projects/"),
        ("list desk, city", desk["city"], "/desk/projects/"),
        ("list desk, city, blocked, page 2", desk["city"], "/desk/projects/?blocked=1&page=2"),
        ("list desk, agent's own", desk["agent"], "/desk/projects/mine/"),
        ("figures API, city", api["city"], "/api/v1/projects/figures"),
    ]
    out = []
    for what, client, path in requests:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        connection.queries_log.clear()  # a full log (DEBUG) would count nothing new
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        statements = len(captured)  # now: the log it reads is cleared for the next request
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out.append((what, statistics.median(times), times[int(0.9 * (len(times) - 1))], statements))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-name", default="tongban_projbench")
    parser.add_argument(
        "--pg", default=os.environ.get("TONGBAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument(
        "--approvals", type=int, default=25, help="approvals per project (at most the 28 items)"
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-measure", action="store_true")
    args = parser.parse_args(argv)
    pg = Pg.from_url(args.pg)
    ensure_database(pg, args.db_name, password=BENCH_PASSWORD)
    generate(pg, args.db_name, args.projects, args.approvals)
    if args.no_measure:
        return 0
    os.environ["TONGBAN_DATABASE_URL"] = pg.url(args.db_name)
    os.environ["TONGBAN_DATA_KEY"] = BENCH_DATA_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    os.environ.setdefault(
        "TONGBAN_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "tongban-bench")
    )
    counts = pg.psql(args.db_name, "SELECT (SELECT count(*) FROM projects_project), "
                     "(SELECT count(*) FROM projects_approval), (SELECT count(*) FROM projects_approval "
                     "WHERE case_id IS NOT NULL), (SELECT count(*) FROM cases_case)")  # fmt: skip
    projects, approvals, linked, cases = counts.split("|")
    print(f"{args.db_name}: {int(projects):,} projects, {int(approvals):,} approvals "
          f"({int(linked):,} linked to cases), {int(cases):,} cases in all")  # fmt: skip
    print(f"{'request':<44} {'median ms':>10} {'p90 ms':>8} {'SQL':>4}")
    for what, median, p90, queries in measure(args.repeat):
        print(f"{what:<44} {median:>10.1f} {p90:>8.1f} {queries:>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

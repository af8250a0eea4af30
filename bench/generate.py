"""Fill a tongban database with a year of realistic cases, fast (INSERT ... SELECT in PostgreSQL).

    .venv/bin/python bench/generate.py --cases 1000000 --db-name tongban_bench_1m

--cases is the total the database should hold: only the missing cases are added, so a run can
be repeated or grown (1M, then 2M for the supervisors' dashboard). A database that does not
exist yet is created, migrated and given the demo city first (demo users' password: --password).

What is generated, per case (distributions are plain and documented below, not tuned):
  * submitted over the past --days days (default 365), uniformly; one applicant in ~4 cases
    is new (a generated person or, for employer items, a generated employer, each with a
    valid resident ID / unified social credit code and an applicant account);
    applicant-1 and applicant-2 get a few dozen cases each, as a real applicant would;
  * an active catalog item (its current version), channel web 45% / mobile 25% / window 30%,
    a handling office among the city's nine, uniformly;
  * a status that follows from its age: online applications wait 0-3 days in the city-wide
    intake (so the recent ones are still `submitted`), 4% are refused, 2% withdrawn, 5% wait
    for a supplement (the recent ones still do); instant items finish on acceptance; promised
    items take 30-100% of their promised working days, 3% run late (past the deadline: the
    overdue queue), 5% of decisions are denials;
  * numbers `<office>-<yyyymmdd>-<seq>` (online under the city 371500), unique per office and
    day and continuing the CaseCounter, so live submissions afterwards never collide;
  * one CaseEvent per transition (submit, accept, approve..., reject, withdraw, ...).

Foreign keys are not checked during the load (session_replication_role = replica): the rows are
built from the referenced tables themselves.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from pg import Pg  # noqa: E402

BENCH_PASSWORD = "Bench-pw-2026"
# The data key of benchmark databases (README, "Keys and backups"): fixed, so that a kept
# database opens in every run, in the servers, the generator and bench/hotspots.py alike.
# A benchmark key, public like the password above; never a deployment's.
BENCH_DATA_KEY = "bench:YmVuY2gta2V5LW9mLXRvbmdiYW4tbm90LXNlY3JldCE="
CHUNK = 200_000
# A load that adds at least this many cases (and more than the table holds) drops the plain
# indexes of the cases and their events first and builds them again at the end: one sort per
# index instead of a random insertion per row and index, most of the time of a 10 M load.
REINDEX_FROM = 500_000
BULK_TABLES = ("cases_case", "cases_caseevent")
APPLICANT_NAME = "压测申请人"  # marks generated applicants

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION pg_temp.resident_id(first17 text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT first17 || substr('10X98765432', 1 + (
    SELECT sum(substr(first17, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i])
    FROM generate_series(1, 17) i)::int % 11, 1)
$$;
CREATE OR REPLACE FUNCTION pg_temp.uscc(region text, n bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  WITH org AS (SELECT lpad((n % 100000000)::text, 8, '0') AS o),
  org9 AS (
    SELECT o || CASE c WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE c::text END AS o9
    FROM (SELECT o, 11 - (SELECT sum(substr(o, i, 1)::int * (ARRAY[3,7,9,10,5,8,4,2])[i])
                          FROM generate_series(1, 8) i)::int % 11 AS c FROM org) x),
  body AS (SELECT '91' || region || o9 AS b FROM org9)
  SELECT b || substr('0123456789ABCDEFGHJKLMNPQRTUWXY', 1 + (31 - (
    SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(b, i, 1)) - 1)
               * (ARRAY[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28])[i])
    FROM generate_series(1, 17) i)::int % 31) % 31, 1)
  FROM body
$$;
"""

# The in-city offices with their staff and windows; the active items with their current version.
REFERENCE = """
DROP TABLE IF EXISTS g_office, g_item, g_pool, g_case;
CREATE TEMP TABLE g_office AS
SELECT row_number() OVER (ORDER BY o.id) AS k, o.id AS office_id, o.code,
       (SELECT id FROM people_user WHERE username = 'clerk-' || o.code) AS clerk_id,
       (SELECT id FROM people_user WHERE username = 'reviewer-' || o.code) AS reviewer_id,
       (SELECT id FROM people_user WHERE username = 'second-reviewer-' || o.code) AS second_id,
       (SELECT min(w.id) FROM offices_window w JOIN offices_hall h ON h.id = w.hall_id
         WHERE h.office_id = o.id) AS window_lo,
       (SELECT count(*) FROM offices_window w JOIN offices_hall h ON h.id = w.hall_id
         WHERE h.office_id = o.id) AS windows
FROM offices_office o WHERE NOT o.external AND o.level IN ('city', 'county');
CREATE TEMP TABLE g_item AS
SELECT row_number() OVER (ORDER BY i.id) AS k, i.id AS item_id, v.id AS version_id,
       v.handling_type = 'instant' AS instant, v.promised_days,
       CASE WHEN v.applicant_kinds ? 'person' THEN 'person' ELSE 'employer' END AS kind,
       jsonb_path_query_array(v.materials, '$[*].code') AS materials,
       jsonb_array_length(v.steps) AS steps,
       EXISTS (SELECT 1 FROM jsonb_array_elements(v.form) f WHERE f->>'name' = 'amount') AS money
FROM catalog_serviceitem i
JOIN LATERAL (SELECT * FROM catalog_itemversion v WHERE v.item_id = i.id
              AND v.effective_from <= current_date
              ORDER BY v.effective_from DESC, v.number DESC LIMIT 1) v ON true
WHERE i.status = 'active';
CREATE TEMP TABLE g_pool AS
SELECT a.kind, row_number() OVER (PARTITION BY a.kind ORDER BY a.id) AS k, a.id AS applicant_id,
       a.insured_region_id, u.id AS user_id
FROM people_applicant a JOIN people_user u ON u.applicant_id = a.id
WHERE u.username LIKE 'bench-applicant-%';
CREATE INDEX ON g_pool (kind, k);
ANALYZE g_office; ANALYZE g_item; ANALYZE g_pool;
"""

# New applicants n = lo..hi: 92% persons, 8% employers, insured across the city's counties
# (and a few in the partner regions); each gets an applicant account.
APPLICANTS = """
WITH regions AS (
  SELECT array_agg(id ORDER BY external, id) AS ids, array_agg(code ORDER BY external, id) AS codes,
         count(*) FILTER (WHERE NOT external) AS local, count(*) AS c
  FROM offices_office WHERE level = 'county'
), src AS (
  -- One in 20 is insured in a partner region outside the city (跨区通办).
  SELECT n, CASE WHEN n %% 20 = 3 THEN 1 + (n %% r.c)::int ELSE 1 + (n %% r.local)::int END AS k,
         r.ids, r.codes
  FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) n, regions r
)
INSERT INTO people_applicant (kind, id_number, name, phone, created_at, insured_region_id,
                              disability_certificate)
SELECT CASE WHEN n %% 12 = 0 THEN 'employer' ELSE 'person' END,
       CASE WHEN n %% 12 = 0 THEN pg_temp.uscc(codes[k], n)
            ELSE pg_temp.resident_id(codes[k] || to_char(date '1940-01-01' + (n %% 25000)::int,
                 'YYYYMMDD') || lpad((100 + (n / 25000) %% 900)::text, 3, '0')) END,
       '{marker}' || n, '135' || lpad((n %% 100000000)::text, 8, '0'),
       now() - interval '400 days', ids[k], ''
FROM src
"""
APPLICANT_USERS = """
INSERT INTO people_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                         is_active, date_joined, role, applicant_id, department, phone, verified_at)
SELECT '!', false, 'bench-applicant-' || a.id, '', '', '', false, true, a.created_at,
       'applicant', a.id, '', '', a.created_at
FROM people_applicant a
WHERE a.id_number_index IS NULL AND NOT EXISTS (SELECT 1 FROM people_user u WHERE u.applicant_id = a.id);
"""


def _bench_crypto():
    """lib.crypto's blind_index and encrypt_str under BENCH_DATA_KEY (the key the benchmarks'
    servers get), also when run inside tongban."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    os.environ["TONGBAN_DATA_KEY"] = BENCH_DATA_KEY
    import django
    from django.conf import settings

    django.setup()
    from tongban.lib.crypto import KeyRing, blind_index, encrypt_str

    settings.TONGBAN_DATA_KEYS = KeyRing.parse(BENCH_DATA_KEY)
    return blind_index, encrypt_str


def form_seal(form: dict) -> str:
    """An application form as Case.form stores it (lib.sealed.SealedJSONField)."""
    _, encrypt_str = _bench_crypto()
    text = json.dumps(form, ensure_ascii=False, separators=(",", ":"))
    return encrypt_str(text, purpose="cases.case.form") if form else ""


def forms_table(conn, count: int = 256) -> None:
    """g_form: `count` sealed reimbursement forms the generated cases draw from (sealing each
    case's own in Python would cost more than generating it)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS g_form (i int PRIMARY KEY, form text)")
    if conn.execute("SELECT count(*) FROM g_form").fetchone()[0] == count:
        return
    conn.execute("TRUNCATE g_form")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO g_form VALUES (%s, %s)",
            [(i, form_seal({"amount": f"{50 + i * 31 % 8000}.00",
                            "bank_account": f"62220202{i:011d}"})) for i in range(count)],
        )  # fmt: skip


def applicants_seal(conn, log) -> None:
    """Seal what APPLICANTS wrote in the clear (lib.sealed: ID number, name and phone under the
    data key, with their blind indexes), as the product itself would have stored them.

    In chunks along the primary key (each chunk after the last one's id: asking for "the next
    rows still unsealed" walked every sealed row again, quadratic in the applicants), copied
    into a temporary table and written by one UPDATE a chunk (2.25 M UPDATE statements, one a
    row, took 2,383 s of a 10 M run)."""
    blind_index, encrypt_str = _bench_crypto()
    t, sealed, after = time.perf_counter(), 0, 0
    p = "people.applicant."
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS g_sealed (id bigint PRIMARY KEY, id_number text, "
        "id_number_index text, name text, name_index text, phone text)"
    )
    while True:
        rows = conn.execute(
            "SELECT id, id_number, name, phone FROM people_applicant "
            "WHERE id > %s AND id_number_index IS NULL ORDER BY id LIMIT 20000",
            [after],
        ).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        conn.execute("TRUNCATE g_sealed")
        with conn.cursor() as cur, cur.copy("COPY g_sealed FROM STDIN") as copy:
            for pk, n, name, phone in rows:
                copy.write_row((
                    pk, encrypt_str(n, purpose=p + "id_number"),
                    blind_index(n, purpose=p + "id_number"), encrypt_str(name, purpose=p + "name"),
                    blind_index(name, purpose=p + "name"),
                    encrypt_str(phone, purpose=p + "phone") if phone else "",
                ))  # fmt: skip
        conn.execute("ANALYZE g_sealed")  # else the planner expects no rows and scans applicants
        conn.execute(
            "UPDATE people_applicant a SET id_number = s.id_number, "
            "id_number_index = s.id_number_index, name = s.name, name_index = s.name_index, "
            "phone = s.phone FROM g_sealed s WHERE a.id = s.id"
        )
        sealed += len(rows)
    if sealed:
        log(f"{sealed:,} applicants sealed in {time.perf_counter() - t:.1f} s")


# One chunk of cases: draw everything in g_case, then insert cases and events from it.
CASES = """
CREATE TEMP TABLE g_case AS
WITH draw AS (
  SELECT n, random() AS r_item, random() AS r_app, random() AS r_chan, random() AS r_office,
         random() AS r_out, random() AS r_delay, random() AS r_hand, random() AS r_late,
         random() AS r_win,
         now() - random() * make_interval(days => %(days)s) AS submitted_at
  FROM generate_series(1, %(count)s) n
), counts AS (
  SELECT (SELECT count(*) FROM g_item) AS items, (SELECT count(*) FROM g_office) AS offices,
         (SELECT count(*) FROM g_pool WHERE kind = 'person') AS persons,
         (SELECT count(*) FROM g_pool WHERE kind = 'employer') AS employers
), picked AS (
  SELECT d.*, i.item_id, i.version_id, i.instant, i.promised_days, i.kind, i.materials, i.steps,
         i.money, o.office_id, o.code AS office_code, o.clerk_id, o.reviewer_id, o.second_id,
         o.window_lo AS window_id,
         CASE WHEN d.r_chan < 0.45 THEN 'web' WHEN d.r_chan < 0.70 THEN 'mobile' ELSE 'window' END
           AS channel,
         1 + floor(d.r_app * CASE i.kind WHEN 'person' THEN c.persons ELSE c.employers END)::int
           AS pool_k,
         (d.n %% %(demo_every)s = 1 AND i.kind = 'person') AS demo_applicant
  FROM draw d CROSS JOIN counts c
  JOIN g_item i ON i.k = 1 + floor(d.r_item * c.items)::int
  JOIN g_office o ON o.k = 1 + floor(d.r_office * c.offices)::int
), shaped AS (
  SELECT p.*,
         CASE WHEN p.demo_applicant THEN da.id ELSE g.applicant_id END AS applicant_id,
         CASE WHEN p.demo_applicant THEN da.insured_region_id ELSE g.insured_region_id END
           AS insured_region_id,
         CASE WHEN p.demo_applicant THEN du.id ELSE g.user_id END AS applicant_user_id,
         -- Online applications wait 0-3 days in the intake; window ones are taken at once.
         CASE WHEN p.channel = 'window' THEN interval '0'
              ELSE p.r_delay * interval '3 days' END AS intake_wait,
         -- Handling takes 30-100%% of the promised working days (x 7/5 for calendar days);
         -- 3%% run past the deadline by up to 20 days.
         CASE WHEN p.instant THEN interval '0'
              WHEN p.r_late < 0.03 THEN make_interval(days => (p.promised_days * 7 / 5 + 1
                                                               + floor(p.r_hand * 20))::int)
              ELSE (0.3 + 0.7 * p.r_hand) * p.promised_days * interval '1 day' * 1.4 END
           AS handling,
         CASE WHEN p.r_out < 0.04 THEN 'reject' WHEN p.r_out < 0.06 THEN 'withdraw'
              WHEN p.r_out < 0.11 THEN 'supplement' WHEN p.r_out < 0.1625 THEN 'deny'
              ELSE 'approve' END AS outcome
  FROM picked p
  LEFT JOIN g_pool g ON g.kind = p.kind AND g.k = p.pool_k
  LEFT JOIN people_user du ON du.username = CASE WHEN (p.n / %(demo_every)s) %% 2 = 0 THEN 'applicant-1'
                                                 ELSE 'applicant-2' END AND p.demo_applicant
  LEFT JOIN people_applicant da ON da.id = du.applicant_id
), timed AS (
  SELECT s.*, s.submitted_at + s.intake_wait AS decided_at,
         s.submitted_at + s.intake_wait + s.handling AS finished_at
  FROM shaped s
)
SELECT t.*,
  nextval(pg_get_serial_sequence('cases_case', 'id')) AS id,
  CASE WHEN t.channel = 'window' THEN t.office_code ELSE '371500' END AS prefix,
  (t.submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
  CASE
    WHEN t.decided_at > now() THEN 'submitted'
    WHEN t.outcome = 'reject' AND t.channel <> 'window' THEN 'rejected'
    WHEN t.outcome = 'withdraw' AND t.channel <> 'window' THEN 'withdrawn'
    WHEN t.outcome = 'supplement' AND t.channel <> 'window'
         AND t.decided_at > now() - interval '10 days' THEN 'awaiting_supplement'
    WHEN t.finished_at > now() THEN 'accepted'
    ELSE 'completed' END AS status
FROM timed t;
"""

INSERT_CASES = """
INSERT INTO cases_case (
  id, number, channel, status, result, step, reason, submitted_at, accepted_at, completed_at,
  deadline, deadline_provisional, clock_started_on, workdays_used, prereview_due,
  prereview_started_on, form,
  supplied_materials, missing_materials, promised_supplement_by, overdue, version,
  idempotency_key, updated_at, accepting_office_id, agent_id, applicant_id,
  bundle_application_id, handling_office_id, insured_region_id, item_id, item_version_id,
  owner_id, submitted_by_id, window_id)
SELECT c.id,
  c.prefix || '-' || to_char(c.day, 'YYYYMMDD') || '-'
    || lpad((coalesce(cc.last, 0) + row_number() OVER (PARTITION BY c.prefix, c.day
                                                       ORDER BY c.submitted_at, c.id))::text, 6, '0'),
  c.channel, c.status,
  CASE WHEN c.status <> 'completed' THEN '' WHEN c.outcome = 'deny' AND NOT c.instant THEN 'denied'
       ELSE 'approved' END,
  CASE WHEN c.status = 'accepted' AND c.r_hand > 0.5 THEN 1 ELSE 0 END,
  CASE WHEN c.status = 'rejected' THEN '申请材料不符合法定形式，不予受理'
       WHEN c.status = 'awaiting_supplement' THEN '请补正材料'
       WHEN c.status = 'completed' AND c.outcome = 'deny' AND NOT c.instant THEN '不符合待遇享受条件'
       ELSE '' END,
  c.submitted_at,
  CASE WHEN c.status IN ('accepted', 'completed') THEN c.decided_at END,
  CASE WHEN c.status IN ('completed', 'rejected', 'withdrawn')
       THEN CASE WHEN c.status = 'completed' THEN c.finished_at ELSE c.decided_at END END,
  CASE WHEN c.status IN ('accepted', 'completed')
       THEN (c.decided_at AT TIME ZONE 'Asia/Shanghai')::date
            + CASE WHEN c.instant THEN 0 ELSE c.promised_days * 7 / 5 END END,
  false,
  -- clock_started_on: the first day the clock counts, the day after acceptance
  CASE WHEN c.status IN ('accepted', 'completed') THEN (c.decided_at AT TIME ZONE 'Asia/Shanghai')::date + 1 END,
  0,
  CASE WHEN c.status = 'submitted' AND c.channel <> 'window' THEN c.day + 7 END,
  CASE WHEN c.status = 'submitted' AND c.channel <> 'window' THEN c.day END,
  CASE WHEN c.money THEN (SELECT f.form FROM g_form f WHERE f.i = c.id % 256) ELSE '' END,
  CASE WHEN c.status = 'awaiting_supplement' THEN '[]'::jsonb ELSE c.materials END,
  CASE WHEN c.status = 'awaiting_supplement' THEN c.materials ELSE '[]'::jsonb END,
  NULL,
  c.status IN ('accepted', 'completed') AND NOT c.instant
    AND c.submitted_at + c.intake_wait + c.promised_days * interval '1 day' * 1.4 < least(c.finished_at, now()),
  CASE c.status WHEN 'submitted' THEN 1 WHEN 'accepted' THEN 2 + (c.r_hand > 0.5)::int
       WHEN 'completed' THEN CASE WHEN c.instant THEN 3 ELSE 4 END ELSE 2 END,
  '',
  CASE WHEN c.status = 'completed' THEN c.finished_at
       WHEN c.status = 'submitted' THEN c.submitted_at ELSE least(c.decided_at, now()) END,
  CASE WHEN c.status IN ('accepted', 'completed') THEN c.office_id END,
  NULL, c.applicant_id, NULL,
  CASE WHEN c.channel = 'window' OR c.status NOT IN ('submitted') THEN c.office_id END,
  c.insured_region_id, c.item_id, c.version_id,
  CASE WHEN c.channel = 'window' OR c.status <> 'submitted' THEN c.clerk_id END,
  CASE WHEN c.channel = 'window' THEN c.clerk_id ELSE c.applicant_user_id END,
  CASE WHEN c.channel = 'window' THEN c.window_id END
FROM g_case c
LEFT JOIN cases_casecounter cc ON cc.prefix = c.prefix AND cc.day = c.day;
"""

# The transitions each case went through, in order.
INSERT_EVENTS = """
INSERT INTO cases_caseevent (action, from_status, to_status, step, at, reason, data, ip,
                             actor_id, case_id, office_id)
SELECT e.action, e.from_status, e.to_status, e.step, e.at, e.reason, e.data, NULL,
       e.actor_id, c.id, e.office_id
FROM g_case c
CROSS JOIN LATERAL (VALUES
  (1, 'submit', '', 'submitted', 0, c.submitted_at, '', jsonb_build_object('materials', c.materials),
   CASE WHEN c.channel = 'window' THEN c.clerk_id ELSE c.applicant_user_id END,
   CASE WHEN c.channel = 'window' THEN c.office_id END, true),
  (2, 'accept', 'submitted', 'accepted', 0, c.decided_at, '',
   jsonb_build_object('missing_materials', '[]'::jsonb), c.clerk_id, c.office_id,
   c.status IN ('accepted', 'completed')),
  (3, 'approve', 'accepted', 'accepted', 1, c.decided_at + c.handling / 2, '', '{}'::jsonb,
   c.reviewer_id, c.office_id,
   NOT c.instant AND (c.status = 'completed' OR (c.status = 'accepted' AND c.r_hand > 0.5))),
  (4, CASE WHEN c.outcome = 'deny' AND NOT c.instant THEN 'deny' ELSE 'approve' END, 'accepted',
   'completed', CASE WHEN c.instant THEN 0 ELSE 1 END, c.finished_at,
   CASE WHEN c.outcome = 'deny' AND NOT c.instant THEN '不符合待遇享受条件' ELSE '' END, '{}'::jsonb,
   CASE WHEN c.instant THEN c.clerk_id ELSE c.second_id END, c.office_id, c.status = 'completed'),
  (5, 'reject', 'submitted', 'rejected', 0, c.decided_at, '申请材料不符合法定形式，不予受理', '{}'::jsonb,
   c.clerk_id, c.office_id, c.status = 'rejected'),
  (6, 'withdraw', 'submitted', 'withdrawn', 0, c.decided_at, '', '{}'::jsonb, c.applicant_user_id,
   NULL, c.status = 'withdrawn'),
  (7, 'request_supplement', 'submitted', 'awaiting_supplement', 0, c.decided_at, '请补正材料',
   jsonb_build_object('missing_materials', c.materials), c.clerk_id, c.office_id,
   c.status = 'awaiting_supplement')
) AS e(ord, action, from_status, to_status, step, at, reason, data, actor_id, office_id, wanted)
WHERE e.wanted
ORDER BY c.id, e.ord;
"""

# The generated history counts as already notified: the outbox readers (supervision's
# notifications, after a Checkpoint per source) start after it, as they would in a system
# that has run for a year.
CHECKPOINTS = """
INSERT INTO supervision_checkpoint (name, position, updated_at)
SELECT name, position, now() FROM (VALUES
  ('case-events', (SELECT coalesce(max(id), 0) FROM cases_caseevent))
) AS v(name, position)
ON CONFLICT (name) DO UPDATE SET position = greatest(supervision_checkpoint.position, EXCLUDED.position)
"""

COUNTERS = """
INSERT INTO cases_casecounter (prefix, day, last)
SELECT split_part(number, '-', 1), to_date(split_part(number, '-', 2), 'YYYYMMDD'),
       max(split_part(number, '-', 3)::int)
FROM cases_case WHERE id IN (SELECT id FROM g_case)
GROUP BY 1, 2
ON CONFLICT (prefix, day) DO UPDATE SET last = greatest(cases_casecounter.last, EXCLUDED.last);
"""


SUBMITTED = """
WITH who AS (
  SELECT u.id AS user_id, a.id AS applicant_id, a.insured_region_id
  FROM people_user u JOIN people_applicant a ON a.id = u.applicant_id WHERE u.username = %(username)s
), version AS (
  SELECT v.id, v.item_id, jsonb_path_query_array(v.materials, '$[*].code') AS materials
  FROM catalog_itemversion v JOIN catalog_serviceitem i ON i.id = v.item_id
  WHERE i.code = %(item)s AND v.effective_from <= current_date
  ORDER BY v.effective_from DESC, v.number DESC LIMIT 1
), base AS (
  SELECT coalesce((SELECT last FROM cases_casecounter WHERE prefix = %(prefix)s
                   AND day = (now() AT TIME ZONE 'Asia/Shanghai')::date), 0) AS last
), made AS (
  INSERT INTO cases_case (
    number, channel, status, result, step, reason, submitted_at, deadline_provisional,
    workdays_used, prereview_due, prereview_started_on, form, supplied_materials, missing_materials,
    overdue, version, idempotency_key, updated_at, applicant_id, insured_region_id, item_id,
    item_version_id, submitted_by_id)
  SELECT %(prefix)s || '-' || to_char((now() AT TIME ZONE 'Asia/Shanghai')::date, 'YYYYMMDD') || '-'
           || lpad((base.last + g)::text, 6, '0'),
         'web', 'submitted', '', 0, '', now(), false, 0,
         (now() AT TIME ZONE 'Asia/Shanghai')::date + 7, (now() AT TIME ZONE 'Asia/Shanghai')::date,
         %(form)s, version.materials,
         '[]'::jsonb, false, 1, '', now(), who.applicant_id, who.insured_region_id,
         version.item_id, version.id, who.user_id
  FROM generate_series(1, %(count)s) g, who, version, base
  RETURNING id, number, submitted_by_id, submitted_at
), events AS (
  INSERT INTO cases_caseevent (action, from_status, to_status, step, at, reason, data, actor_id, case_id)
  SELECT 'submit', '', 'submitted', 0, made.submitted_at, '', '{}'::jsonb, made.submitted_by_id, made.id
  FROM made
), counter AS (
  INSERT INTO cases_casecounter (prefix, day, last)
  SELECT %(prefix)s, (now() AT TIME ZONE 'Asia/Shanghai')::date, base.last + %(count)s FROM base
  ON CONFLICT (prefix, day) DO UPDATE SET last = EXCLUDED.last
)
SELECT number FROM made ORDER BY number
"""


def submitted_cases(pg: Pg, db: str, count: int, *, item: str = "YB07019",
                    username: str = "applicant-1", form: dict | None = None,
                    prefix: str = "371500") -> list[str]:  # fmt: skip
    """`count` online applications waiting in the intake, as if `username` had applied on the
    web with every material: their numbers. Run it while nothing else applies (the counter)."""

    form = (
        form if form is not None else {"amount": "1280.50", "bank_account": "6222020200112233445"}
    )
    url = pg.url(db).replace("postgres://", "postgresql://")
    with psycopg.connect(url) as conn:
        rows = conn.execute(SUBMITTED, {"username": username, "item": item, "prefix": prefix,
                                        "count": count, "form": form_seal(form)}).fetchall()  # fmt: skip
    # As the ceiling's data set is (sql/case_schema.sql): vacuumed and analyzed before it is
    # measured, so that autovacuum does not start on the new rows during the run.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE cases_case, cases_caseevent")
    return [r[0] for r in rows]


def ensure_database(pg: Pg, db: str, *, password: str = BENCH_PASSWORD, template: str | None = None,
                    log=print) -> None:  # fmt: skip
    """Create `db` with the demo city when it does not exist; migrate it when it does."""
    env = dict(pg.env(), TONGBAN_DATABASE_URL=pg.url(db), TONGBAN_DATA_KEY=BENCH_DATA_KEY)
    env.setdefault(
        "TONGBAN_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "tongban-bench")
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    if not pg.exists(db):
        if template:
            log(f"creating {db} as a copy of {template}")
            pg.create(db, template=template)
        else:
            log(f"creating {db}: migrate and load the demo city")
            pg.create(db)
            subprocess.run([*manage, "demo", "--no-serve", "--password", password], env=env,
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
            return
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)


def plain_indexes(conn, tables=BULK_TABLES) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of `tables` that no constraint owns (not the primary
    keys, not the unique constraints: those stay and keep checking the load)."""
    return conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1",
        [list(tables)],
    ).fetchall()


def generate(pg: Pg, db: str, cases: int, *, days: int = 365, seed: float | None = None,
             log=print) -> dict:  # fmt: skip
    """Add cases until `db` holds `cases` of them. Returns counts and the time it took."""
    started = time.perf_counter()
    with psycopg.connect(
        pg.url(db).replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        have = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        todo = max(cases - have, 0)
        if not todo:
            log(f"{db}: already {have:,} cases")
            return {"cases": have, "added": 0, "seconds": 0.0}
        conn.execute(
            "SET session_replication_role = replica"
        )  # no FK triggers: rows are built from their targets
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET maintenance_work_mem = '512MB'")
        if seed is not None:
            conn.execute("SELECT setseed(%s)", [seed])
        conn.execute(FUNCTIONS)
        # One new applicant per ~4 cases.
        want_applicants = max((have + todo) // 4, 1000)
        made = conn.execute(
            "SELECT count(*) FROM people_user WHERE username LIKE 'bench-applicant-%'"
        ).fetchone()[0]
        if want_applicants > made:
            t = time.perf_counter()
            with conn.transaction():
                conn.execute(
                    APPLICANTS.replace("{marker}", APPLICANT_NAME),
                    {"lo": made + 1, "hi": want_applicants},
                )
                conn.execute(APPLICANT_USERS.replace("{marker}", APPLICANT_NAME))
                applicants_seal(conn, lambda text: log(f"{db}: {text}"))
            log(f"{db}: {want_applicants - made:,} applicants in {time.perf_counter() - t:.1f} s")
        conn.execute(REFERENCE.replace("{marker}", APPLICANT_NAME))
        forms_table(conn)
        dropped = plain_indexes(conn) if todo >= REINDEX_FROM and todo > have else []
        for name, _ in dropped:
            conn.execute(f"DROP INDEX {name}")
        if dropped:
            log(
                f"{db}: {len(dropped)} plain indexes of {', '.join(BULK_TABLES)} dropped for the load"
            )
        try:
            _cases(conn, db, have, todo, cases, days, log)
        finally:
            t = time.perf_counter()
            for _, definition in dropped:
                conn.execute(definition)
            if dropped:
                log(f"{db}: {len(dropped)} indexes built in {time.perf_counter() - t:.1f} s")
        conn.execute("DROP TABLE IF EXISTS g_case")
        if conn.execute("SELECT to_regclass('supervision_checkpoint')").fetchone()[0]:
            conn.execute(CHECKPOINTS)
        t = time.perf_counter()
        for table in ("cases_case", "cases_caseevent", "people_applicant", "people_user",
                      "cases_casecounter"):  # fmt: skip
            conn.execute(f"VACUUM ANALYZE {table}")
        log(f"{db}: vacuum analyze in {time.perf_counter() - t:.1f} s")
    seconds = time.perf_counter() - started
    return {"cases": have + todo, "added": todo, "seconds": seconds}


def _cases(conn, db: str, have: int, todo: int, cases: int, days: int, log) -> None:
    """The cases in chunks of CHUNK, each in its own transaction."""
    done = 0
    while done < todo:
        count = min(CHUNK, todo - done)
        t = time.perf_counter()
        with conn.transaction():
            conn.execute("DROP TABLE IF EXISTS g_case")
            conn.execute(CASES, {"count": count, "days": days, "demo_every": max(count // 20, 2)})
            conn.execute(INSERT_CASES)
            events = conn.execute(INSERT_EVENTS).rowcount
            conn.execute(COUNTERS)
        done += count
        log(f"{db}: +{count:,} cases, {events:,} events in {time.perf_counter() - t:.1f} s "
            f"({have + done:,}/{cases:,})")  # fmt: skip


def summary(pg: Pg, db: str) -> str:
    rows = pg.psql(
        db,
        "SELECT status, count(*) FROM cases_case GROUP BY 1 ORDER BY 2 DESC",
    )
    overdue = pg.scalar(
        db,
        "SELECT count(*) FROM cases_case WHERE status = 'accepted' AND deadline < current_date",
    )
    events = pg.scalar(db, "SELECT count(*) FROM cases_caseevent")
    size = pg.scalar(db, f"SELECT pg_size_pretty(pg_database_size('{db}'))")
    by_status = ", ".join(f"{s} {int(n):,}" for s, n in (r.split("|") for r in rows.splitlines()))
    return f"{by_status}; open past deadline {int(overdue):,}; events {int(events):,}; size {size}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True, help="total cases the database holds")
    parser.add_argument("--db-name", required=True)
    parser.add_argument("--pg", default=os.environ.get("TONGBAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server URL without a database (default: %(default)s)")  # fmt: skip
    parser.add_argument(
        "--password", default=BENCH_PASSWORD, help="demo users' password for a new database"
    )
    parser.add_argument(
        "--days", type=int, default=365, help="cases are spread over this many past days"
    )
    parser.add_argument("--seed", type=float, help="random seed (-1..1) for a repeatable data set")
    args = parser.parse_args(argv)
    pg = Pg.from_url(args.pg)
    ensure_database(pg, args.db_name, password=args.password)
    result = generate(pg, args.db_name, args.cases, days=args.days, seed=args.seed)
    print(f"{args.db_name}: {result['cases']:,} cases ({result['added']:,} added in "
          f"{result['seconds']:.0f} s): {summary(pg, args.db_name)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

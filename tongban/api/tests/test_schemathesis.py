"""schemathesis holds the API to its OpenAPI schema, against the live test server: every phase
the tool has (examples, coverage, fuzzing, stateful), a bounded number of examples and a fixed
seed, as a clerk and as an applicant, with every check it runs by default.

What must hold: no 5xx, no status, header or body outside the schema, no schema-invalid
request accepted, and no schema-valid request refused, except by a rule that needs data the
schema cannot hold (schemathesis_run.DOMAIN_REFUSALS). The number of requests is printed
(`-s`). Each user's run is a process of its own (schemathesis_run.py).
"""

import json
import subprocess
import sys
import tempfile

import pytest
from django.db import connection

from conftest import INSTANT_ITEM, PROMISED_ITEM
from tongban.catalog.models import Bundle, ServiceItem
from tongban.people.models import ApiToken

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    # About 6 minutes of HTTP against the schema, which no database changes: PostgreSQL only.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="schemathesis runs on PostgreSQL"),
]

SEED = 20261203
MAX_EXAMPLES = 8  # per operation in the fuzzing phase; the coverage phase is the schema's own
TOKENS = 200  # each sign-out the fuzzing sends revokes one
OK = ("200", "201", "204")


@pytest.fixture
def bundle(city):
    bundle = Bundle.objects.create(code="B-CLINIC", name="参保并报销", description="两件事一次办")
    bundle.items.set(ServiceItem.objects.filter(code__in=[INSTANT_ITEM, PROMISED_ITEM]))
    return bundle


def _start(url: str, user) -> tuple[subprocess.Popen, object]:
    tokens = [ApiToken.issue(user) for _ in range(TOKENS)]
    out = tempfile.TemporaryFile("w+")
    process = subprocess.Popen([sys.executable, "-m", "tongban.api.tests.schemathesis_run"],
                               stdin=subprocess.PIPE, stdout=out, text=True)  # fmt: skip
    process.stdin.write(json.dumps(
        {"url": url, "tokens": tokens, "seed": SEED, "max_examples": MAX_EXAMPLES}
    ))  # fmt: skip
    process.stdin.close()
    return process, out


def _result(username: str, process, out) -> dict:
    assert process.wait(timeout=600) == 0, f"schemathesis as {username} did not finish"
    out.seek(0)
    return json.load(out)


def test_the_api_keeps_to_its_schema(live_server, alice, carol, online_case, bundle):
    # A clerk and an applicant at once: schemathesis' generation is what takes the time.
    runs = {u.username: _start(live_server.url, u) for u in (alice, carol)}
    results = {name: _result(name, *run) for name, run in runs.items()}
    failures, total = [], 0
    for username, result in results.items():
        succeeded = sum(n for key, n in result["statuses"].items() if key[-3:] in OK)
        print(f"schemathesis as {username}: {result['sent']} requests {result['phases']}, "
              f"{succeeded} answered 2xx; refused by domain rules: {result['domain']}")  # fmt: skip
        assert result["sent"] > 1000, "schemathesis sent too few requests to mean anything"
        # The schema's examples (the examples phase) reach a successful application.
        assert result["statuses"].get("POST /api/v1/cases 201"), result["statuses"]
        total += result["sent"]
        failures += [f"{username}: {f}" for f in result["failures"]]
    print(f"schemathesis: {total} requests in all")
    assert not failures, "\n".join(failures[:30])

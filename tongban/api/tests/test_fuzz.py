"""Whatever a client sends, the answer is never a 500 and an error always has the agreed body
(near misses drawn by hand, beside test_schemathesis.py, which draws from the schema)."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import submit

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

NEAR_MISSES = st.sampled_from(
    ["web", "window", "mobile", "YB07019", "YB01003", "YB11031", "M1", "371522", "999999",
     "2025-03-07", "2025-02-30", "", "person", "employer", "accepted", "true", "-1", "0"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    NEAR_MISSES,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
SUBMISSIONS = st.fixed_dictionaries(
    {},
    optional={
        "item": st.sampled_from(["YB07019", "YB01003", "YB01001"]) | VALUES,
        "channel": st.sampled_from(["web", "window"]) | VALUES,
        "materials": st.lists(st.sampled_from(["M1", "M2", "M3", "M4"])) | VALUES,
        "form": st.fixed_dictionaries(
            {}, optional={"amount": VALUES, "bank_account": VALUES, "note": VALUES}
        )
        | VALUES,
        "applicant": st.fixed_dictionaries(
            {},
            optional={k: VALUES for k in ("id_number", "name", "phone", "insured_region", "kind")},
        )
        | VALUES,
        "office": VALUES,
        "colour": VALUES,
    },
)
ACTION_BODIES = st.fixed_dictionaries(
    {},
    optional={
        k: VALUES
        for k in (
            "reason",
            "missing_materials",
            "materials",
            "office",
            "promised_supplement_by",
            "version",
        )  # fmt: skip
    },
)
ACTIONS = st.sampled_from(
    ["accept", "reject", "request_supplement", "supplement", "approve", "deny", "withdraw",
     "transfer", "claim"]
)  # fmt: skip
QUERY_KEYS = st.sampled_from(
    ["status", "office", "item", "channel", "insured_region", "overdue", "intake", "q", "page",
     "start", "days"]
)  # fmt: skip


@pytest.fixture
def clients(api, carol, dave, alice, rita, olga, vera):
    users = {"carol": carol, "dave": dave, "alice": alice, "rita": rita, "olga": olga,
             "vera": vera}  # fmt: skip
    return {name: api(user) for name, user in users.items()}


def _check(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}


@FUZZ
@given(body=SUBMISSIONS, who=st.sampled_from(["carol", "dave", "alice"]))
def test_any_submission(clients, body, who):
    _check(clients[who].post("/api/v1/cases", body))


@FUZZ
@given(body=ACTION_BODIES, action=ACTIONS, who=st.sampled_from(["carol", "alice", "rita", "olga"]))
def test_any_action(clients, carol, body, action, who):
    case = submit(carol, materials=["M1", "M2"])
    _check(clients[who].post(f"/api/v1/cases/{case.number}/actions/{action}", body))


@FUZZ
@given(
    params=st.dictionaries(QUERY_KEYS, st.text(max_size=12) | NEAR_MISSES, max_size=5),
    key=st.text(min_size=1, max_size=20),
)
def test_any_query_or_path(clients, params, key):
    client = clients["vera"]
    for url in ("/api/v1/cases", "/api/v1/calendar/add-workdays", "/api/v1/items"):
        _check(client.get(url, params))
    key = quote(key, safe="")
    for url in (f"/api/v1/cases/{key}", f"/api/v1/items/{key}", f"/api/v1/cases/{key}/notices"):
        _check(client.get(url))

"""/api/v1/stats/summary, /breakdown and /compression: shapes, errors, scope."""

import pytest
import time_machine

from tongban.stats.tests.conftest import TODAY
from tongban.stats.tests.test_figures import MARCH_FIGURES

pytestmark = pytest.mark.django_db

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def get(client, user, path, **params):
    if user is not None:
        client.force_login(user)
    with time_machine.travel(TODAY):
        return client.get(f"/api/v1/stats/{path}", params)


def test_the_summary_gives_every_figure(client, vera, history):
    r = get(client, vera, "summary", **MARCH)
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in MARCH_FIGURES} == MARCH_FIGURES
    assert (body["from"], body["to"], body["filters"]) == ("2025-03-01", "2025-03-31", {})
    assert "as_of" in body


def test_the_summary_filters_by_codes(client, vera, history):
    r = get(client, vera, "summary", office="371522", channel="web", **MARCH)
    assert (r.json()["received"], r.json()["completed"]) == (3, 1)  # c2 c5 c7
    assert r.json()["filters"] == {"office": "371522", "channel": "web"}
    r = get(client, vera, "summary", insured_region="371581", applicant_kind="person", **MARCH)
    assert r.json()["received"] == 7
    r = get(client, vera, "summary", item="YB02007", **MARCH)
    assert (r.json()["received"], r.json()["withdrawn"]) == (1, 1)  # c10


def test_the_breakdown_rows_add_up_to_the_total(client, vera, history):
    r = get(client, vera, "breakdown", by="office", **MARCH)
    body = r.json()
    assert r.status_code == 200 and body["by"] == "office"
    assert {row["key"]: row["received"] for row in body["rows"]} == {
        "371522": 5, "371581": 2, "371500": 1, "intake": 3,
    }  # fmt: skip
    assert sum(row["received"] for row in body["rows"]) == body["total"]["received"] == 11
    months = get(
        client, vera, "breakdown", by="month", **{"from": "2025-02-01", "to": "2025-04-30"}
    )
    assert [(m["key"], m["received"]) for m in months.json()["rows"]] == [
        ("2025-02", 1), ("2025-03", 11), ("2025-04", 2),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "params, field, code",
    [
        ({"from": "2025-02-30"}, "from", "invalid_date"),
        ({"to": "yesterday"}, "to", "invalid_date"),
        ({"from": "2025-04-01", "to": "2025-03-01"}, "to", "invalid_period"),
        ({"office": "999999"}, "office", "unknown_office"),
        ({"item": "NOPE"}, "item", "unknown_item"),
        ({"channel": "fax"}, "channel", "invalid_channel"),
        ({"insured_region": "12"}, "insured_region", "unknown_office"),
        ({"applicant_kind": "robot"}, "applicant_kind", "invalid_applicant_kind"),
        ({"preset": "forever"}, "preset", "invalid_choice"),
        ({"colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_bad_parameters_are_named(client, vera, city, params, field, code):
    r = get(client, vera, "summary", **params)
    assert r.status_code == 400
    assert r.json()["error"]["field"] == field
    assert r.json()["error"]["code"] == code


def test_the_breakdown_needs_a_known_by(client, vera, city):
    for by in ("", "colour"):
        r = get(client, vera, "breakdown", by=by)
        assert r.status_code == 400 and r.json()["error"]["field"] == "by"


def test_a_county_supervisor_sees_their_own_office_only(client, olga, history):
    body = get(client, olga, "summary", **MARCH).json()
    assert (body["received"], body["filters"]) == (5, {"office": "371522"})
    rows = get(client, olga, "breakdown", by="office", **MARCH).json()["rows"]
    assert [r["key"] for r in rows] == ["371522"]
    r = get(client, olga, "summary", office="371581", **MARCH)
    assert r.status_code == 403
    assert r.json()["error"] == {
        "code": "office_out_of_scope",
        "message": r.json()["error"]["message"],
        "field": "office",
    }


def test_the_compression_shape(client, vera, city):
    body = get(client, vera, "compression", baseline="2025-01-01").json()
    assert body["baseline"] == "2025-01-01"
    item = next(i for i in body["items"] if i["code"] == "YB07019")
    assert item["materials"] == {"then": 4, "now": 4, "cut": 0.0}
    assert item["promised_vs_legal"] == 0.5  # 10 of 20 working days
    assert set(body["total"]) == {"items", "materials", "steps", "legal_days", "promised_days",
                                  "promised_vs_legal"}  # fmt: skip
    r = get(client, vera, "compression", baseline_version="x")
    assert r.status_code == 400 and r.json()["error"]["field"] == "baseline_version"


def test_the_schema_declares_the_stats_endpoints(client):
    r = client.get("/api/schema/", {"format": "json"})
    paths = r.json()["paths"]
    for name in ("summary", "breakdown", "compression"):
        responses = paths[f"/api/v1/stats/{name}"]["get"]["responses"]
        assert {"200", "400", "401", "403"} <= set(responses)

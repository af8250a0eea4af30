"""GET /api/v1/stats/amounts: money claimed and approved, by office, item and month."""

import pytest

from conftest import act, decision_for, submit

pytestmark = pytest.mark.django_db


def test_a_supervisor_reads_the_amounts_of_their_office(api, carol, alice, rita, sam, olga, bob):
    case = act(alice, submit(carol), "accept")
    act(rita, case, "approve")
    act(sam, case, "approve", decision=decision_for(case, amount_approved="1000.00"))
    response = api(olga).get("/api/v1/stats/amounts", {"preset": "this_year"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["office"], body["cases"], body["claimed"], body["paid"]) == (
        "371522", 1, "1280.50", "1000.00",
    )  # fmt: skip
    (row,) = body["rows"]
    assert (row["item"], row["office"], row["paid_cases"]) == ("YB07019", "371522", 1)
    assert api(bob).get("/api/v1/stats/amounts").status_code == 403  # a clerk reads no figures

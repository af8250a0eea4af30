"""The contract's new case actions over HTTP: request_extension, decide_extension,
start_procedure, end_procedure; and every working-day date of a case's body with its flag."""

import pytest
import time_machine

from conftest import act, submit

from .conftest import error

pytestmark = pytest.mark.django_db


def _act(client, number, action, body=None):
    return client.post(f"/api/v1/cases/{number}/actions/{action}", body or {})


def on(day: str):
    return time_machine.travel(f"{day} 10:00+08:00", tick=False)


@pytest.fixture
def accepted(carol, alice):
    with on("2025-03-03"):  # due 03-17
        return act(alice, submit(carol), "accept")


def test_an_extension_asked_and_approved(api, accepted, rita, olga):
    with on("2025-03-12"):
        asked = _act(api(rita), accepted.number, "request_extension",
                     {"days": 3, "reason": "需核实外地票据"})  # fmt: skip
        assert asked.status_code == 200, asked.content
        body = asked.json()
        assert body["extension_pending"] is True and "decide_extension" not in body["actions"]
        decided = _act(api(olga), accepted.number, "decide_extension", {"approve": True})
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["deadline"], body["extended_days"], body["extension_pending"]) == (
        "2025-03-20",
        3,
        False,
    )
    assert {k: body["extensions"][0][k] for k in ("days", "status", "deadline_before", "deadline_after",
                                                  "requested_by", "decided_by")} == {
        "days": 3, "status": "approved", "deadline_before": "2025-03-17",
        "deadline_after": "2025-03-20", "requested_by": "rita", "decided_by": "olga",
    }  # fmt: skip
    kinds = [
        n["kind"]
        for n in api(olga).get(f"/api/v1/cases/{accepted.number}/notices").json()["results"]
    ]
    assert "extension" in kinds


def test_an_extension_too_late_and_bad_arguments(api, accepted, rita):
    with on("2025-03-10"):
        response = _act(api(rita), accepted.number, "request_extension", {"days": 0, "reason": "x"})
        assert (response.status_code, error(response)["field"]) == (400, "days")
        response = _act(api(rita), accepted.number, "request_extension", {"kind": "hearing"})
        assert (response.status_code, error(response)["code"]) == (400, "unknown_field")
    with on("2025-03-18"):
        response = _act(api(rita), accepted.number, "request_extension", {"days": 2, "reason": "x"})
    assert (response.status_code, error(response)["code"]) == (409, "extension_too_late")


def test_a_special_procedure_stops_and_restarts_the_clock(api, accepted, rita):
    with on("2025-03-05"):
        started = _act(api(rita), accepted.number, "start_procedure",
                       {"kind": "expert_review", "reason": "需专家评审"})  # fmt: skip
    assert started.status_code == 200, started.content
    body = started.json()
    assert (body["in_procedure"], body["deadline"]) == (True, None)
    assert "approve" not in body["actions"] and "end_procedure" in body["actions"]
    with on("2025-03-12"):
        ended = _act(api(rita), accepted.number, "end_procedure", {"outcome": "评审通过"})
    body = ended.json()
    assert (body["in_procedure"], body["deadline"]) == (False, "2025-03-24")
    assert body["procedures"] == [{
        "kind": "expert_review", "reason": "需专家评审", "started_on": "2025-03-05",
        "ended_on": "2025-03-12", "outcome": "评审通过",
    }]  # fmt: skip


def test_every_working_day_date_has_its_flag(api, carol, alice):
    with on("2026-12-28"):
        waiting = submit(carol)
        asked = act(alice, submit(carol), "request_supplement",
                    missing_materials=["M1", "M2", "M3", "M4"])  # fmt: skip
        body = api(carol).get(f"/api/v1/cases/{waiting.number}").json()
        assert (body["prereview_due"], body["prereview_due_provisional"]) == ("2027-01-04", True)
        body = api(carol).get(f"/api/v1/cases/{asked.number}").json()
        assert body["supplement_due_provisional"] is True
        assert body["deadline"] is None and body["deadline_provisional"] is False

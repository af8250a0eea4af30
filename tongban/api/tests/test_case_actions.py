"""POST /api/v1/cases/{number}/actions/{action} and GET /api/v1/cases/{number}."""

import pytest
import time_machine
from django.utils import timezone

from conftest import INSTANT_ITEM, PROMISED_FORM, PROMISED_ITEM, act, submit
from tongban.cases.models import Case, CaseEvent

from .conftest import error

pytestmark = pytest.mark.django_db

ONLINE = {"item": PROMISED_ITEM, "channel": "web", "materials": ["M1", "M2", "M3", "M4"],
          "form": PROMISED_FORM}  # fmt: skip


def _act(client, number, action, body=None):
    return client.post(f"/api/v1/cases/{number}/actions/{action}", body or {})


def test_the_whole_lifecycle_over_http(api, carol, alice, rita, sam):
    with time_machine.travel("2025-03-07 09:00+08:00"):  # a Friday
        number = api(carol).post("/api/v1/cases", ONLINE).json()["number"]
        accepted = _act(api(alice), number, "accept")
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert (body["status"], body["handling_office"], body["accepting_office"]) == (
        "accepted", "371522", "371522",
    )  # fmt: skip
    assert body["deadline"] == "2025-03-21" and body["deadline_provisional"] is False
    assert body["accepted_at"].startswith("2025-03-07T09:00")
    assert body["accepted_at"].endswith("+08:00")
    assert body["step"] == "审核"
    assert body["actions"] == ["withdraw", "transfer"]  # alice's; the reviewers act next
    reviewer = api(rita)
    first = _act(reviewer, number, "approve", {"reason": "票据齐全", "version": body["version"]})
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["step"]) == ("accepted", "复审")
    decision = {"amount_approved": "1200.00", "amount_not_covered": "80.50",
                "not_covered_reason": "自费药品", "paid_to_account": "6222020200112233445",
                "payment_date": timezone.localdate().isoformat()}  # fmt: skip
    done = _act(api(sam), number, "approve", {"decision": decision})
    assert done.status_code == 200, done.content
    case = done.json()
    assert (case["status"], case["result"]) == ("completed", "approved")
    assert case["decision"] == {**decision, "paid_to_account": "6222 **** 3445"}  # staff: masked
    assert (case["amount_claimed"], case["amount_paid"]) == ("1280.50", "1200.00")
    assert case["completed_at"].endswith("+08:00")
    assert case["actions"] == []
    history = case["history"]
    assert len(history) == 4
    assert [(h["action"], h["from"], h["to"], h["actor"], h["office"]) for h in history] == [
        ("submit", None, "submitted", "carol", None),
        ("accept", "submitted", "accepted", "alice", "371522"),
        ("approve", "accepted", "accepted", "rita", "371522"),
        ("approve", "accepted", "completed", "sam", "371522"),
    ]
    assert history[2]["reason"] == "票据齐全"
    assert all(h["at"].endswith("+08:00") for h in history)
    # carol follows her case
    mine = api(carol).get(f"/api/v1/cases/{number}").json()
    assert mine == {
        **case,
        "actions": [],
        "form": PROMISED_FORM,
        "decision": decision,
    }  # her own account in full


def test_an_action_not_open_from_the_status_is_409(api, accepted_case, alice):
    response = _act(api(alice), accepted_case.number, "accept")
    assert response.status_code == 409
    assert error(response)["code"] == "transition_not_allowed"


def test_a_stale_version_is_409_and_changes_nothing(api, accepted_case, rita):
    response = _act(api(rita), accepted_case.number, "approve", {"version": 1})
    assert response.status_code == 409
    assert error(response)["code"] == "stale_version"
    assert Case.objects.get(pk=accepted_case.pk).step == 0


def test_a_role_that_may_not_act_is_403(api, accepted_case, carol):
    response = _act(api(carol), accepted_case.number, "approve")
    assert response.status_code == 403
    assert error(response)["code"] == "action_forbidden"


def test_an_unknown_action_is_404(api, online_case, alice):
    response = _act(api(alice), online_case.number, "approve_everything")
    assert response.status_code == 404
    assert error(response)["code"] == "unknown_action"


def test_someone_elses_case_is_404_not_403(api, accepted_case, bob):
    response = _act(api(bob), accepted_case.number, "transfer", {"office": "371581", "reason": "x"})
    assert response.status_code == 404
    assert error(response)["code"] == "case_not_found"


@pytest.mark.parametrize(
    "action, body, code, field",
    [
        ("accept", {"colour": "red"}, "unknown_field", "colour"),
        ("accept", {"office": "371522"}, "unknown_field", "office"),  # not accept's argument
        ("accept", {"materials": "M1"}, "invalid", "materials"),
        ("accept", {"materials": ["M9"]}, "unknown_material", "materials"),
        ("accept", {"version": "new"}, "invalid", "version"),
        ("accept", {"promised_supplement_by": "tomorrow"}, "invalid", "promised_supplement_by"),
        ("reject", {}, "required", "reason"),
        ("reject", {"reason": "   "}, "required", "reason"),
        ("request_supplement", {"missing_materials": []}, "required", "missing_materials"),
        ("request_supplement", {"missing_materials": ["M2"]}, "incomplete_notice",
         "missing_materials"),
    ],
)  # fmt: skip
def test_bad_action_input_is_400_and_changes_nothing(api, carol, alice, action, body, code, field):
    case = submit(carol, materials=["M1"])
    response = _act(api(alice), case.number, action, body)
    assert response.status_code == 400, response.content
    assert (error(response)["code"], error(response).get("field")) == (code, field)
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == ("submitted", 1, 1)


def test_rongque_acceptance_with_a_promise(api, carol, alice):
    case = submit(carol, materials=["M1", "M2"])
    with time_machine.travel("2025-03-03 10:00+08:00"):
        response = _act(api(alice), case.number, "accept", {"promised_supplement_by": "2025-03-10"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["missing_materials"] == ["M3", "M4"]
    assert body["promised_supplement_by"] == "2025-03-10"
    assert "supplement" in api(carol).get(f"/api/v1/cases/{case.number}").json()["actions"]


def test_a_supplement_round_trip(api, carol, alice):
    case = submit(carol, materials=["M1"])
    asked = _act(api(alice), case.number, "request_supplement",
                 {"missing_materials": ["M2", "M3", "M4"], "reason": "请补齐"})  # fmt: skip
    assert asked.status_code == 200, asked.content
    assert asked.json()["status"] == "awaiting_supplement"
    assert asked.json()["supplement_due"] is not None
    client = api(carol)
    assert client.get(f"/api/v1/cases/{case.number}").json()["actions"] == [
        "supplement", "withdraw",
    ]  # fmt: skip
    supplied = _act(client, case.number, "supplement", {"materials": ["M2", "M3", "M4"]})
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["status"] == "submitted"
    assert supplied.json()["supplied_materials"] == ["M1", "M2", "M3", "M4"]


def test_each_answer_shows_the_history_a_fresh_read_shows(api, carol, alice):
    """An action answers with the history read under its lock plus the events it wrote: the
    same as reading the case afresh, events of one action (即办: accept and complete) too."""
    client, clerk = api(carol), api(alice)
    created = client.post("/api/v1/cases", {**ONLINE, "materials": ["M1"]})
    number = created.json()["number"]
    answers = [created]
    answers.append(_act(clerk, number, "request_supplement",
                        {"missing_materials": ["M2", "M3", "M4"], "reason": "请补齐"}))  # fmt: skip
    answers.append(_act(client, number, "supplement", {"materials": ["M2", "M3", "M4"]}))
    answers.append(_act(clerk, number, "accept"))
    for answer in answers:
        assert answer.status_code in (200, 201), answer.content
    fresh = client.get(f"/api/v1/cases/{number}").json()["history"]
    assert [h["action"] for h in fresh] == ["submit", "request_supplement", "supplement", "accept"]
    assert [a.json()["history"] for a in answers] == [fresh[:1], fresh[:2], fresh[:3], fresh]
    instant = submit(alice, INSTANT_ITEM, channel="window", applicant=carol.applicant,
                     materials=["M1"])  # fmt: skip
    done = _act(clerk, instant.number, "accept")
    assert done.status_code == 200, done.content
    assert [h["action"] for h in done.json()["history"]] == ["submit", "accept", "approve"]
    assert done.json()["history"] == clerk.get(f"/api/v1/cases/{instant.number}").json()["history"]


def test_a_transfer_answers_with_the_case_though_it_has_left_the_office(api, accepted_case, olga):
    response = _act(api(olga), accepted_case.number, "transfer",
                    {"office": "371503", "reason": "申请人要求在茌平办理"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["handling_office"] == "371503"
    assert response.json()["actions"] == []
    assert api(olga).get(f"/api/v1/cases/{accepted_case.number}").status_code == 404


def test_a_transfer_to_an_unknown_office(api, accepted_case, olga):
    response = _act(
        api(olga), accepted_case.number, "transfer", {"office": "999999", "reason": "x"}
    )
    assert response.status_code == 400
    assert (error(response)["code"], error(response)["field"]) == ("unknown_office", "office")


def test_the_applicant_withdraws(api, online_case, carol):
    response = _act(api(carol), online_case.number, "withdraw", {"reason": "不办了"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_null_arguments_are_left_out(api, online_case, alice):
    response = _act(api(alice), online_case.number, "claim", {"reason": None, "version": None})
    assert response.status_code == 200, response.content
    assert response.json()["history"][-1]["action"] == "claim"


def test_the_actors_ip_is_recorded(api, online_case, alice):
    client = api(alice)
    client.post(f"/api/v1/cases/{online_case.number}/actions/claim", REMOTE_ADDR="10.1.2.3")
    assert CaseEvent.objects.get(action="claim").ip == "10.1.2.3"


# --- What a request costs --------------------------------------------------------------------


def test_query_counts(api, carol, alice, rita, django_assert_max_num_queries, settings):
    """The budget of the hot paths (the test transaction adds a SAVEPOINT and RELEASE to each
    atomic block; production has them only for nested blocks)."""
    clerk, reviewer, applicant = api(alice), api(rita), api(carol)
    # Each client's first call reads its token and stamps it used; later calls in the same
    # process find it kept (people.selectors.token_user).
    # token and stamp, key, item, pre-review limit, number, case, event, office codes (the
    # history is the event just written)
    with django_assert_max_num_queries(9 + 2):
        number = applicant.post("/api/v1/cases", ONLINE, headers={"Idempotency-Key": "q"}).json()[
            "number"
        ]
    act(alice, Case.objects.get(number=number), "accept")
    with django_assert_max_num_queries(4):  # token and stamp, case with its history, codes
        assert clerk.get(f"/api/v1/cases/{number}").status_code == 200
    # token, stamp, the case locked with its history, update, event, office codes
    with django_assert_max_num_queries(6 + 2):
        assert _act(reviewer, number, "approve").status_code == 200
    with django_assert_max_num_queries(2):  # page (count from its length), office codes
        assert clerk.get("/api/v1/cases").status_code == 200

"""/api/v1/consultations: the enquiries a user sees or owns, hand-on (首问负责) and closing."""

import pytest

from conftest import INSTANT_ITEM
from tongban.consultations.models import Consultation, ConsultationHandOff
from tongban.consultations.services import consultation_hand_on, consultation_log

from .conftest import error


def _open(clerk, question="医保关系转移要多久？", **kw) -> Consultation:
    return consultation_log(clerk=clerk, question=question, answer="核实后回电", close=False, **kw)


def test_the_owner_hands_on_and_gets_the_enquiry_back(api, alice, bob):
    c = _open(alice, item=INSTANT_ITEM)
    response = api(alice).post(f"/api/v1/consultations/{c.pk}/hand-on",
                               {"to": "bob", "note": "参保地在临清，请跟进"})  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("id", "state", "owner", "first_responder", "office", "item",
                                 "question", "answer", "reply", "closed_at")} == {
        "id": c.pk, "state": "open", "owner": "bob", "first_responder": "alice", "office": "371522",
        "item": INSTANT_ITEM, "question": "医保关系转移要多久？", "answer": "核实后回电", "reply": "",
        "closed_at": None,
    }  # fmt: skip
    assert body["asked_at"].endswith("+08:00")
    (h,) = body["hand_offs"]
    assert (h["from"], h["to"], h["by"], h["note"]) == (
        "alice",
        "bob",
        "alice",
        "参保地在临清，请跟进",
    )
    assert Consultation.objects.get().owner == bob


def test_a_supervisor_hands_on_for_the_owner(api, alice, olga, rita):
    c = _open(alice)
    response = api(olga).post(f"/api/v1/consultations/{c.pk}/hand-on",
                              {"to": "rita", "note": "alice 休假"})  # fmt: skip
    assert response.status_code == 200
    (h,) = response.json()["hand_offs"]
    assert (h["from"], h["to"], h["by"]) == ("alice", "rita", "olga")


def test_someone_elses_enquiry_is_404(api, alice, bob, carol):
    c = _open(alice)
    for user in (bob, carol):
        response = api(user).post(
            f"/api/v1/consultations/{c.pk}/hand-on", {"to": "bob", "note": "n"}
        )
        assert response.status_code == 404
        assert error(response)["code"] == "consultation_not_found"
        response = api(user).post(f"/api/v1/consultations/{c.pk}/close", {"reply": "r"})
        assert response.status_code == 404
    for path in ("999999/close", "99999999999999999999999/close", "x/close"):
        response = api(alice).post(f"/api/v1/consultations/{path}", {"reply": "r"})
        assert response.status_code == 404 and error(response)
    assert Consultation.objects.get().owner == alice


def test_a_colleague_who_is_not_the_owner_is_403(api, alice, rita):
    c = _open(alice)
    response = api(rita).post(f"/api/v1/consultations/{c.pk}/hand-on", {"to": "rita", "note": "n"})
    assert response.status_code == 403 and error(response)["code"] == "not_the_owner"


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"to": "nobody", "note": "n"}, "unknown_colleague", "to"),
    ({"to": "carol", "note": "n"}, "unknown_colleague", "to"),
    ({"to": "a\x00b", "note": "n"}, "invalid", "to"),  # DRF refuses NUL itself
    ({"to": "alice", "note": "n"}, "already_the_owner", "to"),
    ({"to": "rita", "note": ""}, "required", "note"),
    ({"to": "rita", "note": "x" * 501}, "too_long", "note"),
    ({"to": "rita"}, "invalid", "note"),
    ({"to": "rita", "note": "n", "colour": "red"}, "unknown_field", "colour"),
])  # fmt: skip
def test_bad_hand_ons_say_why(api, alice, rita, carol, body, code, field):
    c = _open(alice)
    response = api(alice).post(f"/api/v1/consultations/{c.pk}/hand-on", body)
    assert response.status_code == 400
    assert (error(response)["code"], error(response).get("field")) == (code, field)


def test_a_closed_enquiry_is_409(api, alice, rita):
    c = consultation_log(clerk=alice, question="q", answer="a")
    response = api(alice).post(f"/api/v1/consultations/{c.pk}/hand-on", {"to": "rita", "note": "n"})
    assert response.status_code == 409 and error(response)["code"] == "consultation_closed"
    response = api(alice).post(f"/api/v1/consultations/{c.pk}/close", {"reply": "r"})
    assert response.status_code == 409 and error(response)["code"] == "consultation_closed"
    assert not ConsultationHandOff.objects.exists()


def test_the_owner_closes_with_a_reply(api, alice, bob):
    c = _open(alice)
    consultation_hand_on(consultation=c, by=alice, to="bob", note="n")
    client = api(bob)
    response = client.post(f"/api/v1/consultations/{c.pk}/close", {"reply": ""})
    assert response.status_code == 400 and error(response)["field"] == "reply"
    response = client.post(
        f"/api/v1/consultations/{c.pk}/close", {"reply": "已办理，15 个工作日到账"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "closed" and body["reply"] == "已办理，15 个工作日到账"
    assert body["closed_by"] == "bob" and body["answer"] == "核实后回电"


def test_the_first_responder_still_sees_it_but_may_not_close_it(api, alice, bob):
    c = _open(alice)
    consultation_hand_on(consultation=c, by=alice, to="bob", note="n")
    response = api(alice).post(f"/api/v1/consultations/{c.pk}/close", {"reply": "r"})
    assert response.status_code == 403 and error(response)["code"] == "not_the_owner"


def test_my_open_enquiries_paginated(api, alice, bob, rita):
    first = _open(alice, "一")
    second = _open(alice, "二")
    consultation_log(clerk=alice, question="当场答复", answer="a")
    handed = _open(alice, "转出去的")
    consultation_hand_on(consultation=handed, by=alice, to="bob", note="n")
    _open(rita, "rita 的")
    client = api(alice)
    body = client.get("/api/v1/consultations", {"mine": "true", "open": "true"}).json()
    assert body["count"] == 2 and body["next"] is None
    assert [r["id"] for r in body["results"]] == [first.pk, second.pk]  # oldest first
    body = client.get("/api/v1/consultations", {"mine": "true"}).json()
    assert [r["question"] for r in body["results"]] == ["一", "二", "当场答复"]
    body = client.get("/api/v1/consultations").json()  # the office's, newest first
    assert [r["question"] for r in body["results"]] == [
        "rita 的",
        "转出去的",
        "当场答复",
        "二",
        "一",
    ]
    body = client.get("/api/v1/consultations", {"open": "false"}).json()
    assert [r["question"] for r in body["results"]] == ["当场答复"]
    body = api(bob).get("/api/v1/consultations", {"mine": "true"}).json()
    assert [r["question"] for r in body["results"]] == ["转出去的"]


def test_the_list_pages(api, alice, settings, monkeypatch):
    monkeypatch.setattr("tongban.api.shapes.PAGE_SIZE", 2)
    for i in range(5):
        _open(alice, f"q{i}")
    client = api(alice)
    body = client.get("/api/v1/consultations", {"mine": "true", "open": "true"}).json()
    assert body["count"] == 5 and [r["question"] for r in body["results"]] == ["q0", "q1"]
    assert "page=2" in body["next"]
    body = client.get(body["next"]).json()
    assert [r["question"] for r in body["results"]] == ["q2", "q3"] and body["count"] == 5
    last = client.get("/api/v1/consultations", {"mine": "true", "open": "true", "page": 3}).json()
    assert last["next"] is None and last["count"] == 5


@pytest.mark.parametrize("query", [{"page": "0"}, {"mine": "maybe"}, {"colour": "red"}])
def test_bad_list_queries_are_400(api, alice, query):
    response = api(alice).get("/api/v1/consultations", query)
    assert response.status_code == 400 and error(response)


def test_applicants_and_agents_are_403_and_strangers_401(api, carol, dave):
    for user in (carol, dave):
        response = api(user).get("/api/v1/consultations")
        assert response.status_code == 403 and error(response)["code"] == "staff_only"
    assert api().get("/api/v1/consultations").status_code == 401
    assert api().post("/api/v1/consultations/1/close", {"reply": "r"}).status_code == 401


def test_english_messages_with_the_same_codes(api, alice):
    c = consultation_log(clerk=alice, question="q", answer="a")
    response = api(alice).post(f"/api/v1/consultations/{c.pk}/close", {"reply": "r"},
                               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert error(response) == {"code": "consultation_closed",
                               "message": "This enquiry is already closed"}  # fmt: skip

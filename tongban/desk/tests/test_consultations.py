"""The desk's enquiry pages: 咨询登记 (log, the office's list with each enquiry's state and
owner, the supervisors' figures), 我的咨询 (hand on, close) and the policy library."""

import pytest

from conftest import INSTANT_ITEM
from tongban.consultations.models import Consultation, ConsultationHandOff
from tongban.consultations.seed import policies_seed
from tongban.consultations.services import consultation_hand_on, consultation_log

MINE = "/desk/consultations/mine/"


def _open(clerk, question="医保关系转移要多久？") -> Consultation:
    return consultation_log(clerk=clerk, question=question, answer="核实后回电", close=False)


def _body(response) -> str:
    return response.content.decode()


# --- 咨询登记 ---------------------------------------------------------------------------------


def test_logging_from_the_desk_closes_the_enquiry_at_once(client, alice):
    client.force_login(alice)
    response = client.post("/desk/consultations/", {
        "item": f"{INSTANT_ITEM} 城乡居民参保登记", "question": "孩子怎么参保？", "answer": "带户口簿来",
        "channel": "window",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/desk/consultations/"
    c = Consultation.objects.get()
    assert c.clerk == alice and c.owner == alice and c.item.code == INSTANT_ITEM
    assert c.state == "closed" and c.reply == "带户口簿来"
    page = _body(client.get("/desk/consultations/"))
    assert "孩子怎么参保？" in page and "首问" in page and "已办结" in page


def test_an_enquiry_kept_open_goes_to_my_enquiries(client, alice):
    client.force_login(alice)
    response = client.post("/desk/consultations/", {
        "question": "异地备案后能回来报销吗？", "answer": "核实后回电", "channel": "phone", "keep_open": "on",
    })  # fmt: skip
    assert response["Location"] == MINE
    c = Consultation.objects.get()
    assert c.state == "open" and c.owner == alice
    page = _body(client.get(MINE))
    assert "异地备案后能回来报销吗？" in page and "待答复" in page
    assert f'action="/desk/consultations/{c.pk}/hand-on/"' in page
    assert f'action="/desk/consultations/{c.pk}/close/"' in page


def test_a_bad_entry_rerenders_with_the_error(client, alice):
    client.force_login(alice)
    response = client.post("/desk/consultations/", {"item": "NOPE", "question": "q", "answer": "a",
                                                    "channel": "window"})  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["item"]
    assert "NOPE" in _body(response)
    assert not Consultation.objects.exists()


def test_bob_does_not_see_alices_consultations(client, alice, bob):
    consultation_log(clerk=alice, question="alice 的咨询", answer="a")
    client.force_login(bob)
    assert "alice 的咨询" not in _body(client.get("/desk/consultations/"))


def test_the_office_list_shows_state_owner_and_chain(client, alice, bob, rita):
    c = _open(alice, "转给临清的咨询")
    consultation_hand_on(consultation=c, by=alice, to="bob", note="参保地在临清")
    client.force_login(rita)
    response = client.get("/desk/consultations/")
    row = next(r for r in response.context["rows"] if r.pk == c.pk)
    assert row.owner == bob and row.closed_at is None
    page = _body(response)
    assert "当前责任人" in page and "临清市" in page and "参保地在临清" in page
    assert "/hand-on/" not in page  # a reviewer hands on nothing of someone else's


def test_the_office_list_offers_a_supervisor_the_hand_on(client, alice, olga, rita):
    c = _open(alice)
    client.force_login(olga)
    page = _body(client.get("/desk/consultations/"))
    assert f'action="/desk/consultations/{c.pk}/hand-on/"' in page
    assert f'action="/desk/consultations/{c.pk}/close/"' not in page  # the owner closes
    response = client.post(f"/desk/consultations/{c.pk}/hand-on/",
                           {"to": "rita", "note": "alice 休假", "next": "office", "owner": alice.pk})  # fmt: skip
    assert response["Location"] == "/desk/consultations/"
    h = ConsultationHandOff.objects.get()
    assert (h.from_user, h.to_user, h.by) == (alice, rita, olga)


# --- 我的咨询 ---------------------------------------------------------------------------------


def test_my_list_is_open_first_and_mine_only(client, alice, rita):
    mine = _open(alice, "我的待答复")
    consultation_log(clerk=alice, question="当场答复的", answer="a")
    _open(rita, "rita 的")
    client.force_login(alice)
    response = client.get(MINE)
    assert [c.pk for c in response.context["rows"]] == [mine.pk]
    assert response.context["open_count"] == 1
    closed = client.get(MINE, {"state": "closed"})
    assert [c.question for c in closed.context["rows"]] == ["当场答复的"]
    assert "/hand-on/" not in _body(closed)


def test_the_colleagues_are_grouped_by_office(client, alice, bob, rita, vera):
    _open(alice)
    client.force_login(alice)
    page = _body(client.get(MINE))
    for office in ("聊城市", "莘县", "临清市"):
        assert f'<optgroup label="{office}医疗保障局">' in page
    assert 'value="bob"' in page and 'value="rita"' in page and 'value="alice"' not in page


def test_hand_on_from_my_list(client, alice, bob):
    c = _open(alice)
    client.force_login(alice)
    response = client.post(f"/desk/consultations/{c.pk}/hand-on/",
                           {"to": "bob", "note": "参保地在临清，请跟进", "owner": alice.pk, "next": "mine"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == MINE
    c.refresh_from_db()
    assert c.owner == bob
    assert not client.get(MINE).context["rows"]
    client.force_login(bob)
    page = _body(client.get(MINE))
    assert "医保关系转移要多久？" in page and "参保地在临清，请跟进" in page


def test_a_bad_hand_on_rerenders_with_the_error_on_its_field(client, alice):
    c = _open(alice)
    client.force_login(alice)
    response = client.post(f"/desk/consultations/{c.pk}/hand-on/",
                           {"to": "nobody", "note": "我写的说明", "owner": alice.pk})  # fmt: skip
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r.pk == c.pk)
    assert row.hand_on_form.errors["to"]
    assert "我写的说明" in _body(response)  # what was typed is kept
    assert Consultation.objects.get().owner == alice


def test_close_from_my_list(client, alice):
    c = _open(alice)
    client.force_login(alice)
    response = client.post(f"/desk/consultations/{c.pk}/close/", {"reply": "", "owner": alice.pk})
    assert response.status_code == 400
    assert next(r for r in response.context["rows"] if r.pk == c.pk).close_form.errors["reply"]
    response = client.post(f"/desk/consultations/{c.pk}/close/",
                           {"reply": "已电话告知：15 个工作日", "owner": alice.pk})  # fmt: skip
    assert response["Location"] == MINE
    c.refresh_from_db()
    assert c.state == "closed" and c.reply == "已电话告知：15 个工作日" and c.closed_by == alice


def test_a_page_out_of_date_gets_a_message_not_a_second_hand_on(client, alice, bob, rita):
    c = _open(alice)
    consultation_hand_on(consultation=c, by=alice, to="bob", note="n")  # meanwhile, elsewhere
    client.force_login(alice)
    response = client.post(f"/desk/consultations/{c.pk}/hand-on/",
                           {"to": "rita", "note": "n", "owner": alice.pk}, follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == MINE
    assert "刚已转交他人" in _body(response)
    assert Consultation.objects.get().owner == bob


def test_a_closed_enquiry_cannot_be_closed_again(client, alice):
    c = consultation_log(clerk=alice, question="q", answer="a")
    client.force_login(alice)
    response = client.post(f"/desk/consultations/{c.pk}/close/", {"reply": "r"}, follow=True)
    assert "该咨询已办结" in _body(response)


# --- Who may ---------------------------------------------------------------------------------


def test_another_offices_clerk_gets_404_for_an_enquiry_they_do_not_own(client, alice, bob):
    c = _open(alice)
    client.force_login(bob)
    for action, data in (("hand-on", {"to": "bob", "note": "n"}), ("close", {"reply": "r"})):
        assert client.post(f"/desk/consultations/{c.pk}/{action}/", data).status_code == 404
    assert client.post("/desk/consultations/999999/close/", {"reply": "r"}).status_code == 404
    c.refresh_from_db()
    assert c.owner == alice and c.state == "open"


def test_a_colleague_of_the_office_who_is_not_the_owner_gets_403(client, alice, rita):
    c = _open(alice)
    client.force_login(rita)
    assert client.post(f"/desk/consultations/{c.pk}/close/", {"reply": "r"}).status_code == 403
    response = client.post(f"/desk/consultations/{c.pk}/hand-on/", {"to": "rita", "note": "n"})
    assert response.status_code == 403


def test_the_new_owner_of_another_office_may_act(client, alice, bob):
    c = _open(alice)
    consultation_hand_on(consultation=c, by=alice, to="bob", note="n")
    client.force_login(bob)
    response = client.post(f"/desk/consultations/{c.pk}/close/", {"reply": "办好了"})
    assert response.status_code == 302
    assert Consultation.objects.get().closed_by == bob


@pytest.mark.parametrize(("who", "status"), [("dave", 404), ("carol", 302)])
def test_agents_and_applicants_have_no_enquiries(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(MINE).status_code == status


def test_actions_are_posts(client, alice):
    c = _open(alice)
    client.force_login(alice)
    assert client.get(f"/desk/consultations/{c.pk}/close/").status_code == 405


# --- The supervisors' figures ------------------------------------------------------------------


def test_a_clerk_sees_no_figures(client, alice):
    client.force_login(alice)
    response = client.get("/desk/consultations/")
    assert response.context["figures"] is None and "咨询统计" not in _body(response)


def test_a_county_supervisor_sees_their_office(client, alice, bob, olga):
    _open(alice)
    consultation_log(clerk=alice, question="q", answer="a")
    consultation_log(clerk=bob, question="q", answer="a")
    client.force_login(olga)
    figures = client.get("/desk/consultations/", {"office": "371581"}).context["figures"]
    assert figures["office"].code == "371522" and not figures["offices"]  # ?office= ignored
    assert (figures["values"]["asked"], figures["values"]["open"]) == (2, 1)


def test_the_city_supervisor_sees_the_city_and_picks_an_office(client, alice, bob, vera):
    consultation_log(clerk=alice, question="q", answer="a")
    consultation_log(clerk=bob, question="q", answer="a")
    client.force_login(vera)
    figures = client.get("/desk/consultations/").context["figures"]
    assert figures["office"] is None and figures["values"]["asked"] == 2
    assert ("371581", "临清市医疗保障局") in figures["offices"]
    figures = client.get("/desk/consultations/", {"office": "371581"}).context["figures"]
    assert figures["office"].code == "371581" and figures["values"]["asked"] == 1


def test_a_bad_period_is_told_and_the_default_shown(client, olga):
    client.force_login(olga)
    response = client.get("/desk/consultations/", {"from": "2025-02-30"})
    assert response.status_code == 200 and response.context["figures"]["values"]["asked"] == 0
    assert "from" in _body(response)


# --- The item guide and the policy library ----------------------------------------------------


def test_the_item_guide_shows_its_policies(client, alice):
    policies_seed()
    client.force_login(alice)
    body = _body(client.get(f"/desk/items/{INSTANT_ITEM}/"))
    assert "新生儿什么时候参加城乡居民医保" in body
    assert "门诊费用报销需要在多长时间内申请" not in body


def test_the_policy_library_searches(client, rita):
    policies_seed()
    client.force_login(rita)
    response = client.get("/desk/policies/", {"q": "异地"})
    assert response.status_code == 200
    assert all("异地" in p.question + p.answer + p.source for p in response.context["policies"])
    assert response.context["policies"]

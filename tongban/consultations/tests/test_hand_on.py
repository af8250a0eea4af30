"""首问负责: an enquiry is owned by its first responder until it is closed or handed on to a
named colleague; every hand-on is on record."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.consultations.access import consultation_for, consultations_visible
from tongban.consultations.models import Consultation, ConsultationHandOff
from tongban.consultations.selectors import colleagues, consultations_owned
from tongban.consultations.services import (
    consultation_close,
    consultation_hand_on,
    consultation_log,
)
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.offices.models import Office
from tongban.people.models import Role, User


def _open(clerk, question="医保转移要多久？") -> Consultation:
    return consultation_log(clerk=clerk, question=question, answer="核实后回电", close=False)


def _staff(username, role, office_code, **kw) -> User:
    return User.objects.create_user(username=username, password="Pw-test-12345", role=role,
                                    office=Office.objects.get(code=office_code), **kw)  # fmt: skip


# --- Logging: closed at once unless kept open -----------------------------------------------


def test_an_enquiry_answered_on_the_spot_is_closed_when_logged(alice):
    c = consultation_log(clerk=alice, question="q", answer="带身份证")
    assert c.owner == alice and c.clerk == alice
    assert c.state == "closed" and c.closed_at == c.asked_at and c.closed_by == alice
    assert c.reply == "带身份证"


def test_an_enquiry_kept_open_is_owned_by_its_first_responder(alice):
    c = _open(alice)
    assert c.state == "open" and c.owner == alice and c.reply == "" and c.closed_by is None


# --- Hand-on --------------------------------------------------------------------------------


def test_the_owner_hands_on_to_a_named_colleague_of_another_office(alice, bob):
    c = _open(alice)
    c = consultation_hand_on(consultation=c, by=alice, to="bob", note="参保地在临清，请跟进")
    c.refresh_from_db()
    assert c.owner == bob and c.clerk == alice and c.state == "open"
    (h,) = ConsultationHandOff.objects.filter(consultation=c)
    assert (h.from_user, h.to_user, h.by, h.note) == (alice, bob, alice, "参保地在临清，请跟进")
    entry = AuditEntry.objects.get(event="consultation.handed_on")
    assert entry.user == alice and entry.target == f"consultation:{c.pk}"
    assert entry.data == {"from_user": alice.pk, "to_user": bob.pk}


def test_the_chain_is_kept_hand_on_after_hand_on(alice, bob, rita):
    c = _open(alice)
    c = consultation_hand_on(consultation=c, by=alice, to=bob, note="一")
    c = consultation_hand_on(consultation=c, by=bob, to="rita", note="二")
    chain = [(h.from_user.username, h.to_user.username) for h in c.hand_offs.all()]
    assert chain == [("alice", "bob"), ("bob", "rita")]
    assert Consultation.objects.get().owner == rita


def test_the_new_owner_sees_it_wherever_it_was_asked_and_the_old_one_keeps_their_office(alice, bob):
    c = _open(alice)
    with pytest.raises(NotFound):
        consultation_for(bob, c.pk)
    consultation_hand_on(consultation=c, by=alice, to=bob, note="请跟进")
    assert consultation_for(bob, c.pk).pk == c.pk
    assert consultation_for(alice, c.pk).pk == c.pk  # staff of the office where it was asked
    assert list(consultations_owned(bob)) == [c]
    assert not consultations_owned(alice).exists()


@pytest.mark.parametrize("supervisor", ["olga", "vera"])
def test_a_supervisor_of_the_office_or_of_the_city_hands_on_for_the_owner(request, alice, rita,
                                                                          supervisor):  # fmt: skip
    by = request.getfixturevalue(supervisor)
    c = consultation_hand_on(consultation=_open(alice), by=by, to="rita", note="alice 休假")
    h = c.hand_offs.get()
    assert (h.from_user, h.to_user, h.by) == (alice, rita, by)  # the chain stays whole


def test_a_supervisor_of_another_office_may_not(alice, rita):
    linqing = _staff("lena", Role.SUPERVISOR, "371581")
    with pytest.raises(Forbidden) as e:
        consultation_hand_on(consultation=_open(alice), by=linqing, to="rita", note="n")
    assert e.value.code == "not_the_owner"


@pytest.mark.parametrize("who", ["rita", "bob", "dave", "carol"])
def test_nobody_else_hands_on(request, alice, who):
    c = _open(alice)
    with pytest.raises(Forbidden) as e:
        consultation_hand_on(consultation=c, by=request.getfixturevalue(who), to="olga", note="n")
    assert e.value.code == "not_the_owner"
    assert not ConsultationHandOff.objects.exists()


def test_a_previous_owner_may_not_hand_on_again(alice, bob, rita):
    c = consultation_hand_on(consultation=_open(alice), by=alice, to="bob", note="n")
    with pytest.raises(Forbidden):
        consultation_hand_on(consultation=c, by=alice, to="rita", note="n")


@pytest.mark.parametrize("to", ["nobody", "", None, "carol", "dave", "inactive", "henan", "admin"])
def test_only_active_staff_of_the_city_receive_an_enquiry(alice, carol, dave, to):
    _staff("inactive", Role.CLERK, "371522", is_active=False)
    _staff("henan", Role.CLERK, Office.objects.filter(external=True).first().code)
    User.objects.create_user(username="admin", password="x", role=Role.SYSADMIN)
    with pytest.raises(InvalidInput) as e:
        consultation_hand_on(consultation=_open(alice), by=alice, to=to, note="n")
    assert (e.value.code, e.value.field) == ("unknown_colleague", "to")
    assert Consultation.objects.get().owner == alice


def test_colleagues_are_the_citys_active_staff_by_office(alice, bob, rita, sam, olga, vera, dave):
    _staff("henan", Role.CLERK, Office.objects.filter(external=True).first().code)
    _staff("inactive", Role.CLERK, "371522", is_active=False)
    assert [(u.office.code, u.username) for u in colleagues()] == [
        ("371500", "vera"), ("371522", "alice"), ("371522", "olga"), ("371522", "rita"),
        ("371522", "sam"), ("371581", "bob"),
    ]  # fmt: skip


def test_not_to_the_owner_and_with_a_note(alice, rita):
    c = _open(alice)
    with pytest.raises(InvalidInput) as e:
        consultation_hand_on(consultation=c, by=alice, to="alice", note="n")
    assert e.value.code == "already_the_owner"
    with pytest.raises(InvalidInput) as e:
        consultation_hand_on(consultation=c, by=alice, to="rita", note="  ")
    assert (e.value.code, e.value.field) == ("required", "note")


def test_a_closed_enquiry_is_not_handed_on(alice, rita):
    c = consultation_log(clerk=alice, question="q", answer="a")
    with pytest.raises(Conflict) as e:
        consultation_hand_on(consultation=c, by=alice, to="rita", note="n")
    assert e.value.code == "consultation_closed"


def test_a_stale_owner_gets_a_conflict_not_a_second_hand_on(alice, bob, rita):
    seen_by_alice_twice = _open(alice)
    stale = Consultation.objects.get(pk=seen_by_alice_twice.pk)
    consultation_hand_on(consultation=seen_by_alice_twice, by=alice, to="bob", note="n")
    with pytest.raises(Conflict) as e:
        consultation_hand_on(consultation=stale, by=alice, to="rita", note="n")
    assert e.value.code == "owner_changed"
    assert Consultation.objects.get().owner == bob
    assert ConsultationHandOff.objects.count() == 1


# --- Close ----------------------------------------------------------------------------------


def test_the_owner_closes_with_a_reply(alice, bob):
    c = consultation_hand_on(consultation=_open(alice), by=alice, to="bob", note="n")
    with pytest.raises(Forbidden):
        consultation_close(consultation=c, by=alice, reply="r")  # no longer the owner
    with pytest.raises(InvalidInput) as e:
        consultation_close(consultation=c, by=bob, reply=" ")
    assert (e.value.code, e.value.field) == ("required", "reply")
    c = consultation_close(consultation=c, by=bob, reply="已办理转移，15 个工作日内到账")
    c.refresh_from_db()
    assert c.state == "closed" and c.closed_by == bob and c.reply.startswith("已办理转移")
    assert c.answer == "核实后回电"  # what was said on the spot is kept
    assert AuditEntry.objects.filter(event="consultation.closed", user=bob).exists()
    with pytest.raises(Conflict) as e:
        consultation_close(consultation=c, by=bob, reply="again")
    assert e.value.code == "consultation_closed"


def test_a_supervisor_does_not_close_for_the_owner(alice, olga):
    with pytest.raises(Forbidden) as e:
        consultation_close(consultation=_open(alice), by=olga, reply="r")
    assert e.value.code == "not_the_owner"


# --- Visibility and the owner's list ---------------------------------------------------------


def test_who_sees_an_enquiry(alice, bob, rita, olga, vera, dave, carol):
    c = _open(alice)
    for user in (alice, rita, olga, vera):
        assert consultations_visible(user).filter(pk=c.pk).exists(), user
    for user in (bob, dave, carol):
        assert not consultations_visible(user).filter(pk=c.pk).exists(), user
        with pytest.raises(NotFound) as e:
            consultation_for(user, c.pk)
        assert e.value.code == "consultation_not_found"


@pytest.mark.parametrize("pk", [0, -1, "x", "²", 2**63, "99999999999999999999999"])
def test_an_impossible_id_is_not_found(alice, pk):
    with pytest.raises(NotFound):
        consultation_for(alice, pk)


def test_my_enquiries_open_first_oldest_first_then_the_latest_closed(alice):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    t = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    old_open = consultation_log(clerk=alice, question="1", answer="a", close=False, asked_at=t)
    new_open = consultation_log(clerk=alice, question="2", answer="a", close=False,
                                asked_at=t + timedelta(hours=1))  # fmt: skip
    closed_first = consultation_log(clerk=alice, question="3", answer="a", asked_at=t)
    closed_later = consultation_log(clerk=alice, question="4", answer="a",
                                    asked_at=t + timedelta(days=1))  # fmt: skip
    assert list(consultations_owned(alice)) == [old_open, new_open, closed_later, closed_first]
    assert list(consultations_owned(alice, "open")) == [old_open, new_open]
    assert list(consultations_owned(alice, "closed")) == [closed_later, closed_first]


def test_the_admin_shows_the_owner_and_the_chain_read_only(client, alice, bob):
    c = consultation_hand_on(consultation=_open(alice), by=alice, to="bob", note="请临清跟进")
    root = User.objects.create_superuser(username="root", password="Pw-test-12345",
                                         role=Role.SYSADMIN)  # fmt: skip
    client.force_login(root)
    listing = client.get("/admin/consultations/consultation/")
    assert listing.status_code == 200 and "bob" in listing.content.decode()
    page = client.get(f"/admin/consultations/consultation/{c.pk}/change/")
    assert page.status_code == 200 and "请临清跟进" in page.content.decode()

from datetime import date

import pytest
import time_machine

from conftest import INSTANT_ITEM, PROMISED_ITEM, _user, act, submit
from tongban.cases.models import Case, CaseEvent, Notice
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.people.models import Role

pytestmark = pytest.mark.django_db


def test_online_application_is_numbered_under_the_city_and_waits_in_intake(online_case):
    assert online_case.number.startswith("371500-")
    assert online_case.status == Case.Status.SUBMITTED
    assert online_case.handling_office is None
    assert online_case.insured_region.code == "371581"
    assert online_case.events.get().action == "submit"


def test_a_clerk_in_another_county_accepts_and_reviewers_there_finish_it(
    online_case, alice, rita, sam
):
    # 通办: carol is insured in 临清; 莘县 accepts and handles her case.
    with time_machine.travel("2025-03-07 09:00+08:00"):  # a Friday
        act(alice, online_case, "accept")
    online_case.refresh_from_db()
    assert online_case.status == Case.Status.ACCEPTED
    assert online_case.handling_office.code == "371522"
    assert online_case.deadline == date(2025, 3, 21)  # 10 working days after the Friday
    act(rita, online_case, "approve")
    online_case.refresh_from_db()
    assert (online_case.status, online_case.step) == (Case.Status.ACCEPTED, 1)
    act(sam, online_case, "approve")
    online_case.refresh_from_db()
    assert (online_case.status, online_case.result) == (Case.Status.COMPLETED, Case.Result.APPROVED)
    assert list(online_case.notices.values_list("kind", flat=True)) == ["acceptance", "completion"]
    assert online_case.events.count() == 4


def test_an_instant_item_is_finished_at_the_window_on_the_spot(alice, carol_applicant):
    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol_applicant, materials=["M1"]
    )
    assert case.number.startswith("371522-")
    act(alice, case, "accept")
    case.refresh_from_db()
    assert (case.status, case.result) == (Case.Status.COMPLETED, Case.Result.APPROVED)
    assert [e.action for e in case.events.all()] == ["submit", "accept", "approve"]


def test_a_supplement_request_must_name_every_missing_material(carol, alice):
    case = submit(carol, materials=["M1"])
    with pytest.raises(InvalidInput) as e:
        act(alice, case, "request_supplement", missing_materials=["M2"])
    assert e.value.field == "missing_materials"
    act(alice, case, "request_supplement", missing_materials=["M2", "M3", "M4"])
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_SUPPLEMENT
    notice = case.notices.get(kind=Notice.Kind.SUPPLEMENT)
    assert [m["code"] for m in notice.data["missing_materials"]] == ["M2", "M3", "M4"]
    with pytest.raises(InvalidInput, match="仍缺少"):
        act(carol, case, "supplement", materials=["M2"])
    act(carol, case, "supplement", materials=["M2", "M3", "M4"])
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.supplied_materials == ["M1", "M2", "M3", "M4"]


def test_the_clock_stops_while_a_reviewer_waits_for_a_supplement(online_case, alice, rita, carol):
    with time_machine.travel("2025-03-03 10:00+08:00"):  # Monday
        act(alice, online_case, "accept")  # due 2025-03-17
    with time_machine.travel("2025-03-05 10:00+08:00"):  # Wednesday: 2 days used
        act(rita, online_case, "request_supplement", missing_materials=["M3"], reason="票据不清")
    online_case.refresh_from_db()
    assert online_case.deadline is None and online_case.workdays_used == 2
    with time_machine.travel("2025-03-12 10:00+08:00"):  # next Wednesday: 8 days left from here
        act(carol, online_case, "supplement", materials=["M3"])
    online_case.refresh_from_db()
    assert online_case.status == Case.Status.ACCEPTED
    assert online_case.deadline == date(2025, 3, 24)
    stop = online_case.clock_stops.get()
    assert (stop.started_on, stop.ended_on) == (date(2025, 3, 5), date(2025, 3, 12))


def test_rongque_acceptance_needs_a_promise_and_holds_the_result(carol, alice, rita, sam):
    case = submit(carol, materials=["M1", "M2"])  # M3, M4 are secondary
    with pytest.raises(InvalidInput) as e:
        act(alice, case, "accept")
    assert e.value.field == "promised_supplement_by"
    with time_machine.travel("2025-03-03 10:00+08:00"):
        act(alice, case, "accept", promised_supplement_by="2025-03-10")
    case.refresh_from_db()
    assert case.missing_materials == ["M3", "M4"]
    act(rita, case, "approve")
    with pytest.raises(Conflict):
        act(sam, case, "approve")
    act(carol, case, "supplement", materials=["M3", "M4"])
    act(sam, case, "approve")
    case.refresh_from_db()
    assert case.result == Case.Result.APPROVED


def test_main_materials_missing_cannot_be_accepted(carol, alice):
    case = submit(carol, materials=["M3", "M4"])
    with pytest.raises(InvalidInput) as e:
        act(alice, case, "accept", promised_supplement_by="2099-01-01")
    assert e.value.code == "main_materials_missing"
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_refusal_needs_a_reason_and_issues_a_notice_with_appeal(online_case, alice):
    with pytest.raises(InvalidInput):
        act(alice, online_case, "reject", reason=" ")
    act(alice, online_case, "reject", reason="不属于本事项受理范围")
    notice = online_case.notices.get()
    assert notice.kind == "refusal" and "行政复议" in notice.data["appeal"]


def test_the_first_clerk_owns_an_online_application(online_case, alice, bob):
    act(bob, online_case, "claim")
    online_case.refresh_from_db()
    assert online_case.handling_office.code == "371581"  # out of the intake, into 临清's queue
    with pytest.raises(Conflict) as e:  # alice saw it in the intake a moment ago
        act(alice, online_case, "accept")
    assert e.value.code == "taken_by_other"
    bob2 = _user("bob2", Role.CLERK, "371581")
    with pytest.raises(Conflict) as e:  # bob's colleague sees it, but bob owns it
        act(bob2, online_case, "accept")
    assert e.value.code == "owned_by_other"
    act(bob, online_case, "accept")


def test_a_case_taken_long_ago_is_simply_not_found_elsewhere(online_case, alice, bob):
    with time_machine.travel("2025-03-03 09:00+08:00"):
        act(bob, online_case, "claim")
    with pytest.raises(NotFound):
        act(alice, online_case, "accept")


def test_a_withdrawn_application_leaves_the_intake(online_case, carol, alice, vera):
    from tongban.cases.access import cases_visible

    assert online_case in cases_visible(alice)
    act(carol, online_case, "withdraw")
    assert online_case not in cases_visible(alice)
    assert online_case in cases_visible(vera)


def test_after_acceptance_other_offices_no_longer_see_the_case(accepted_case, bob, vera, olga):
    with pytest.raises(NotFound):
        act(bob, accepted_case, "transfer", office="371581", reason="x")
    # olga supervises 莘县, the handling office; vera the whole city.
    act(olga, accepted_case, "transfer", office="371503", reason="申请人要求在茌平办理")
    accepted_case.refresh_from_db()
    assert accepted_case.handling_office.code == "371503"
    act(vera, accepted_case, "transfer", office="371522", reason="退回")


def test_a_transfer_keeps_the_deadline(accepted_case, olga):
    before = accepted_case.deadline
    act(olga, accepted_case, "transfer", office="371503", reason="就近办理")
    accepted_case.refresh_from_db()
    assert accepted_case.deadline == before


def test_actions_from_the_wrong_status_conflict(accepted_case, alice, carol, rita):
    with pytest.raises(Conflict) as e:
        act(alice, accepted_case, "accept")
    assert e.value.code == "transition_not_allowed"
    with pytest.raises(Forbidden):
        act(carol, accepted_case, "approve")
    act(carol, accepted_case, "withdraw")
    with pytest.raises(Conflict):
        act(rita, accepted_case, "approve")


def test_a_stale_version_conflicts(accepted_case, rita):
    with pytest.raises(Conflict) as e:
        act(rita, accepted_case, "approve", expected_version=accepted_case.version - 1)
    assert e.value.code == "stale_version"
    act(rita, accepted_case, "approve", expected_version=accepted_case.version)


def test_the_same_idempotency_key_returns_the_first_case(carol):
    first = submit(carol, idempotency_key="k-1")
    again = submit(carol, idempotency_key="k-1")
    assert first.pk == again.pk
    assert Case.objects.count() == 1


def test_an_item_closed_to_tongban_is_accepted_only_at_home(carol, alice):
    from tongban.catalog.models import ItemVersion

    ItemVersion.objects.filter(item__code=PROMISED_ITEM).update(citywide=False)
    case = submit(carol)
    with pytest.raises(Forbidden) as e:
        act(alice, case, "accept")
    assert e.value.code == "item_not_citywide"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_the_counting_parts_split_what_each_role_sees_exactly(
    online_case, accepted_case, carol, alice, bob, rita, olga, vera, dave
):
    from tongban.cases.access import cases_visible, cases_visible_parts

    submit(carol)  # another application in the city-wide intake
    window = submit(
        bob, INSTANT_ITEM, channel="window", applicant=carol.applicant, materials=["M1"]
    )
    act(bob, window, "accept")
    for user in (alice, bob, rita, olga, vera, dave, carol):
        seen = sorted(cases_visible(user).values_list("pk", flat=True))
        parts = [sorted(p.values_list("pk", flat=True)) for p in cases_visible_parts(user)]
        assert sorted(pk for part in parts for pk in part) == seen, user.username  # disjoint, whole

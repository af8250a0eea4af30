"""Random sequences of actions by random people never take a case where the workflow does
not go, leave exactly one event per change (and none for a refused action), and never leave a
case stuck: from every open state the handling office (or the applicant, for a supplement) can
still move it towards an end, and an accepted case can still be approved."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import INSTANT_ITEM, PROMISED_ITEM, _user, act, submit
from tongban.cases.access import actions_available
from tongban.cases.models import Case, Status
from tongban.cases.services import case_deem_accepted
from tongban.lib.errors import DomainError
from tongban.people.models import Role

pytestmark = pytest.mark.django_db

PARAMS = {
    "accept": [{}, {"promised_supplement_by": "2099-12-31"}],
    "reject": [{"reason": "不符合条件"}, {}],
    "request_supplement": [
        {"missing_materials": ["M1", "M2", "M3", "M4"], "reason": "请补正"},
        {"missing_materials": ["M3"]},
    ],
    "supplement": [{"materials": ["M1", "M2", "M3", "M4"]}, {"materials": ["M3"]}],
    "approve": [{}],
    "deny": [{"reason": "材料不实"}, {}],
    "withdraw": [{}],
    "transfer": [{"office": "371503", "reason": "就近"}, {"office": "371522", "reason": "退回"}],
    "claim": [{}],
    "request_extension": [{"days": 3, "reason": "需核实"}, {"days": 30, "reason": "过长"}],
    "decide_extension": [{"approve": True}, {"approve": False, "reason": "不必要"}],
    "start_procedure": [{"kind": "site_check", "reason": "现场核查"}, {"kind": "hearing"}],
    "end_procedure": [{"outcome": "核查属实"}, {}],
    "deem": [{}],  # the §32 job, as if the pre-review limit had passed
}
# Actions that move a case towards an end (not a transfer, an extension asked for or a
# withdrawal, which the applicant may always do).
FORWARD = {"claim", "accept", "reject", "request_supplement", "supplement", "approve", "deny",
           "start_procedure", "end_procedure", "decide_extension"}  # fmt: skip
steps = st.lists(
    st.tuples(
        st.sampled_from(["alice", "bob", "rita", "sam", "olga", "vera", "carol"]),
        st.sampled_from(sorted(PARAMS)),
        st.integers(0, 1),
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Deemed accepted with secondary materials not handed in; an instant item deemed accepted.
@example(item=PROMISED_ITEM, materials=["M1", "M2"], script=[("alice", "deem", 0)])
@example(item=INSTANT_ITEM, materials=["M1"], script=[("alice", "deem", 0)])
@given(
    item=st.sampled_from([PROMISED_ITEM, INSTANT_ITEM]),
    materials=st.sampled_from([["M1", "M2", "M3", "M4"], ["M1", "M2"], ["M3"], ["M1"]]),
    script=steps,
)
def test_random_actions_keep_the_workflow(
    alice, bob, rita, sam, olga, vera, carol, item, materials, script
):
    people = {
        "alice": alice,
        "bob": bob,
        "rita": rita,
        "sam": sam,
        "olga": olga,
        "vera": vera,
        "carol": carol,
    }
    if item == INSTANT_ITEM:
        materials = [m for m in materials if m == "M1"]
    case = submit(carol, item, materials=materials)
    for who, action, variant in script:
        before = Case.objects.get(pk=case.pk)
        events_before = before.events.count()
        params = PARAMS[action][min(variant, len(PARAMS[action]) - 1)]
        try:
            if action == "deem":
                later = timezone.now() + timedelta(days=30)
                if not case_deem_accepted(case=case, now=later):
                    raise DomainError("nothing to deem")
            else:
                act(people[who], case, action, **params)
        except DomainError:
            after = Case.objects.get(pk=case.pk)
            assert (after.status, after.version, after.events.count()) == (
                before.status, before.version, events_before,
            ), f"refused {action} by {who} changed the case"  # fmt: skip
            continue
        after = Case.objects.get(pk=case.pk)
        new_events = list(after.events.order_by("id"))[events_before:]
        assert len(new_events) == after.version - before.version >= 1
        status = before.status
        for event in new_events:
            assert event.from_status == status
            assert event.to_status in Case.TRANSITIONS[status], f"{status} -> {event.to_status}"
            status = event.to_status
        assert status == after.status
        if after.status == Status.COMPLETED:
            assert after.result in (Case.Result.APPROVED, Case.Result.DENIED)
        if after.status != Status.SUBMITTED and after.accepted_at is not None:
            assert after.handling_office is not None
    assert_not_stuck(Case.objects.get(pk=case.pk), carol, alice)


class _Undo(Exception):
    pass


def assert_not_stuck(case: Case, applicant, intake_clerk) -> None:
    """Someone can still move an open case forward; an accepted one can still be approved
    (once any 容缺 material is in and any special procedure has ended)."""
    if case.status not in (Status.SUBMITTED, Status.AWAITING_SUPPLEMENT, Status.ACCEPTED):
        return
    from tongban.people.models import User

    if case.handling_office_id is None:
        office_staff = [intake_clerk]
    else:  # every office has each role; the cast has only some, so the rest are made here
        code = case.handling_office.code
        office_staff = [
            User.objects.filter(username=f"{role}-{code}").first() or _user(f"{role}-{code}", role, code)
            for role in (Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR)
        ]  # fmt: skip
    if case.owner_id:  # 首问负责: the clerk who took it is the one to decide it
        office_staff.append(case.owner)
    moves = set()
    for user in [*office_staff, applicant]:
        for action in actions_available(user, case):
            if action not in FORWARD:
                continue
            for params in PARAMS[action]:
                try:
                    with transaction.atomic():  # tried, then undone
                        act(user, case, action, **params)
                        moves.add(action)
                        raise _Undo
                except (_Undo, DomainError):
                    pass
    assert moves, f"{case.status} case with no way forward"
    if case.status == Status.ACCEPTED and not case.missing_materials:
        assert moves & {"approve", "end_procedure", "start_procedure"}, f"cannot approve: {moves}"
    if case.status == Status.ACCEPTED and case.missing_materials:
        # waiting for 容缺 materials: the promise has a date, so the wait ends either way
        assert case.promised_supplement_by is not None, "missing materials without a promise"

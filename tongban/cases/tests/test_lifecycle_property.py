"""Random sequences of actions by random people never take a case where the workflow does
not go, and leave exactly one event per status change (and none for a refused action)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import INSTANT_ITEM, PROMISED_ITEM, act, submit
from tongban.cases.models import Case, Status
from tongban.lib.errors import DomainError

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
}
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

"""Case transitions enter the proof a day at a time: a finished day's CaseEvents are digested
into one audit entry, and a later change, removal or addition among them is named by day and
block."""

from datetime import timedelta

from django.utils import timezone

from conftest import act, submit
from tongban.audit.anchors import BLOCK, EVENT, anchors_make, anchors_verify
from tongban.audit.models import AuditEntry
from tongban.audit.selectors import chain_verify
from tongban.cases.models import CaseEvent


def _later(days=1):
    return timezone.now() + timedelta(days=days, minutes=11)


def test_a_finished_day_is_anchored_once(accepted_case):
    assert anchors_make() == []  # today is not over
    made = anchors_make(now=_later())
    today = timezone.localdate().isoformat()
    anchor = next(e for e in made if e.data["day"] == today)
    assert anchor.event == EVENT and anchor.target == f"cases.CaseEvent {today}"
    assert anchor.data["count"] == CaseEvent.objects.count() == 2  # submitted, accepted
    assert anchors_make(now=_later()) == []
    assert chain_verify().ok
    assert anchors_verify() == (len(made), None)


def test_a_changed_transition_is_named_by_its_day_and_block(accepted_case):
    anchors_make(now=_later())
    event = CaseEvent.objects.get(case=accepted_case, action="accept")
    CaseEvent.objects.filter(pk=event.pk).update(reason="backdated")
    checked, problem = anchors_verify()
    assert problem is not None
    assert problem.day == timezone.localdate().isoformat()
    assert problem.table == "cases.CaseEvent"
    assert f"id {event.case.events.order_by('pk').first().pk}–" in problem.problem


def test_a_removed_or_added_transition_is_found(accepted_case, alice, carol):
    anchors_make(now=_later())
    CaseEvent.objects.filter(case=accepted_case, action="accept").update(
        at=timezone.now() - timedelta(days=30)
    )  # moved out of its day: gone from it
    assert anchors_verify()[1] is not None


def test_a_transition_written_into_an_anchored_day_is_found(accepted_case, alice, carol):
    anchors_make(now=_later())
    assert anchors_verify()[1] is None
    act(alice, submit(carol), "accept")  # two more events today, after the anchor
    checked, problem = anchors_verify()
    assert problem is not None and "当时 2 条，现在 4 条" in problem.problem


def test_blocks_point_into_a_long_day(alice, carol):
    cases = [submit(carol) for _ in range(BLOCK // 2 + 5)]  # more than one block of events
    for case in cases:
        act(alice, case, "accept")
    anchors_make(now=_later())
    last = CaseEvent.objects.order_by("-pk").first()
    CaseEvent.objects.filter(pk=last.pk).update(reason="changed")
    problem = anchors_verify()[1]
    first_of_block = CaseEvent.objects.order_by("pk").values_list("pk", flat=True)[BLOCK]
    assert f"id {first_of_block}–{last.pk}" in problem.problem


def test_an_anchor_is_itself_in_the_chain(accepted_case):
    anchors_make(now=_later())
    anchor = AuditEntry.objects.filter(event=EVENT).first()
    assert chain_verify().ok
    from .conftest import tampering

    with tampering():
        data = dict(anchor.data, count=0)
        AuditEntry.objects.filter(pk=anchor.pk).update(data=data)
    assert chain_verify().entry_id == anchor.pk

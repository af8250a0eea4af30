"""cases.selectors: a case read with its history."""

import pytest
import time_machine

from conftest import act, submit
from tongban.cases.models import Case
from tongban.cases.selectors import case_by_number, cases_search, histories, search_order

pytestmark = pytest.mark.django_db


def test_the_history_read_with_the_case_is_the_history_read_alone(carol, alice):
    """The aggregate on the case's row and the plain query agree to the microsecond, in order,
    events that share a moment (即办's accept and approve) ordered by id."""
    with time_machine.travel("2025-03-03 09:00:00.123456+08:00", tick=False):
        case = submit(carol, materials=["M1"])
        act(alice, case, "request_supplement", missing_materials=["M2", "M3", "M4"], reason="补")
    with time_machine.travel("2025-03-04 10:30:00+08:00", tick=False):
        act(carol, case, "supplement", materials=["M2", "M3", "M4"])
        act(alice, case, "accept")
    read = case_by_number(case.number, history=True).history_rows
    assert read == histories([Case.objects.get(pk=case.pk)])[case.pk]
    assert [(e[1], e[5], e[6]) for e in read] == [
        ("submit", "carol", None),
        ("request_supplement", "alice", "371522"),
        ("supplement", "carol", None),
        ("accept", "alice", "371522"),
    ]
    assert read[0][4].microsecond == 123456 and read[0][4].utcoffset() is not None
    instant = submit(alice, "YB01003", channel="window", applicant=carol.applicant,
                     materials=["M1"])  # fmt: skip
    act(alice, instant, "accept")
    both = case_by_number(instant.number, history=True).history_rows
    assert [e[1] for e in both] == ["submit", "accept", "approve"]
    assert both == histories([Case.objects.get(pk=instant.pk)])[instant.pk]


def test_histories_keep_what_was_read_with_the_case(carol, django_assert_num_queries):
    read = case_by_number(submit(carol).number, history=True)
    other = Case.objects.get(pk=submit(carol).pk)
    with django_assert_num_queries(1):  # the other case's only
        found = histories([read, other])
    assert found[read.pk] is read.history_rows
    assert [e[1] for e in found[other.pk]] == ["submit"]
    with django_assert_num_queries(0):
        assert histories([read]) == {read.pk: read.history_rows}


def test_a_case_not_found_is_none():
    assert case_by_number("371500-20250101-999999", history=True) is None


NUMBERS = [
    "371522-20261203-000001", "371522-20261203-000002", "371522-20261203-000010",
    "371522-20261209-000001", "371522-20261210-000001", "371522-20261231-000001",
    "371523-20261203-000001", "371521-20261203-000001", "371529-20261203-000001",
    "371530-20261203-000001", "371599-20261203-000001",
]  # fmt: skip


@pytest.mark.parametrize(
    "q",
    ["371522", "371522-", "371522-2026", "371522-202612", "371522-2026120", "371522-20261209",
     "371522-20261203-", "371522-20261203-00000", "371522-20261203-000001", "371529", "371599",
     "371599-2026", "371522-2026-", "999999"],
)  # fmt: skip
def test_a_number_search_finds_exactly_the_numbers_that_begin_so(carol, q):
    """The beginning of a number is asked as a range of the number's index (the next beginning
    of the same length as its end: 371529 → 371530, 371522-20261209 → …10), last first."""
    cases = [submit(carol) for _ in NUMBERS]
    for case, number in zip(cases, NUMBERS, strict=True):
        Case.objects.filter(pk=case.pk).update(number=number)
    found = list(
        Case.objects.filter(cases_search(q))
        .order_by(*search_order(q))
        .values_list("number", flat=True)
    )
    # A beginning the numbers' shape cannot have ("371522-2026-") is nobody's number.
    expected = [n for n in NUMBERS if n.startswith(q)] if q != "371522-2026-" else []
    assert found == sorted(expected, reverse=True)

"""A bad rating's rectification: verified by the office, a call-back to the applicant, then
closed by a supervisor; closing needs the call-back (回访率 100%)."""

import pytest

from tongban.evaluations.services import (
    evaluation_submit,
    rectification_close,
    rectification_record_callback,
    rectification_verify,
    rectifications_visible,
)
from tongban.lib.errors import Conflict, Forbidden, InvalidInput

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def rect(finished, carol):
    e = evaluation_submit(case=finished, score=1, comment="态度差", channel="portal", by=carol,
                          now=at("2025-03-04 09:00"))  # fmt: skip
    return e.rectification


def test_it_follows_verify_callback_close(rect, olga, vera):
    assert str(rect.due) == "2025-03-11"
    rectification_verify(rectification=rect, by=olga, verification="已约谈窗口人员并培训",
                         now=at("2025-03-05 10:00"))  # fmt: skip
    rectification_record_callback(rectification=rect, by=olga, outcome="电话回访，申请人表示满意",
                                  satisfied=True, now=at("2025-03-06 10:00"))  # fmt: skip
    r = rectification_close(
        rectification=rect, by=vera, note="整改到位", now=at("2025-03-07 10:00")
    )
    assert r.stage == "closed" and r.closed_by == vera and r.closed_in_time is True
    assert r.callback_satisfied is True and r.verified_by == olga


def test_closing_needs_the_call_back_first(rect, olga):
    with pytest.raises(Conflict) as e:
        rectification_close(rectification=rect, by=olga)
    assert e.value.code == "callback_required"


def test_the_call_back_comes_after_the_verification(rect, olga):
    with pytest.raises(Conflict) as e:
        rectification_record_callback(rectification=rect, by=olga, outcome="已回访")
    assert e.value.code == "not_verified"


def test_a_late_close_is_not_in_time(rect, olga):
    rectification_verify(rectification=rect, by=olga, verification="已整改")
    rectification_record_callback(rectification=rect, by=olga, outcome="已回访")
    r = rectification_close(rectification=rect, by=olga, now=at("2025-03-12 09:00"))
    assert r.closed_in_time is False


def test_texts_are_required(rect, olga):
    with pytest.raises(InvalidInput) as e:
        rectification_verify(rectification=rect, by=olga, verification="  ")
    assert (e.value.code, e.value.field) == ("required", "verification")


@pytest.mark.parametrize("who", ["alice", "rita", "oscar", "carol"])
def test_only_supervisors_of_the_office_or_the_city_act(rect, who, request):
    with pytest.raises(Forbidden) as e:
        rectification_verify(rectification=rect, by=request.getfixturevalue(who), verification="x")
    assert e.value.code == "not_supervisor"


def test_a_closed_rectification_stays_closed(rect, olga):
    rectification_verify(rectification=rect, by=olga, verification="已整改")
    rectification_record_callback(rectification=rect, by=olga, outcome="已回访")
    rectification_close(rectification=rect, by=olga)
    with pytest.raises(Conflict) as e:
        rectification_verify(rectification=rect, by=olga, verification="again")
    assert e.value.code == "rectification_closed"


def test_supervisors_see_their_offices_and_the_city_sees_all(rect, olga, vera, oscar, alice):
    assert list(rectifications_visible(olga)) == [rect]
    assert list(rectifications_visible(vera)) == [rect]
    assert list(rectifications_visible(oscar)) == []
    assert list(rectifications_visible(alice)) == []

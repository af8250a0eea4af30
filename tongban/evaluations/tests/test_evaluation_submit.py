"""Rating a case: five levels, once, by its applicant, within 5 working days of its end; a bad
rating opens a rectification for the office that handled it."""

from datetime import date

import pytest

from conftest import act, submit
from tongban.evaluations.models import Evaluation, Rectification
from tongban.evaluations.services import evaluation_submit
from tongban.lib.errors import Conflict, Forbidden, InvalidInput

from .conftest import at, finished_on

pytestmark = pytest.mark.django_db


def rate(case, score=5, *, by, channel="portal", when="2025-03-04 09:00", **kw):
    return evaluation_submit(case=case, score=score, channel=channel, by=by, now=at(when), **kw)


def test_the_applicant_rates_a_finished_case(finished, carol):
    e = rate(finished, 5, by=carol, comment="很快")
    assert (e.case, e.score, e.comment, e.channel, e.rated_by, e.excluded) == (
        finished, 5, "很快", "portal", carol, False)  # fmt: skip
    assert e.is_good and not Rectification.objects.exists()


def test_a_case_is_rated_once(finished, carol):
    rate(finished, 4, by=carol)
    with pytest.raises(Conflict) as e:
        rate(finished, 1, by=carol)
    assert e.value.code == "already_rated"
    assert Evaluation.objects.get().score == 4


@pytest.mark.parametrize("score", [0, 6, -1, "x", None, True, 4.5, "10"])
def test_it_refuses_a_score_outside_the_five_levels(finished, carol, score):
    with pytest.raises(InvalidInput) as e:
        rate(finished, score, by=carol)
    assert (e.value.code, e.value.field) == ("invalid_score", "score")


def test_it_refuses_an_unknown_channel(finished, carol):
    with pytest.raises(InvalidInput) as e:
        rate(finished, by=carol, channel="fax")
    assert e.value.code == "invalid_channel"


def test_only_the_applicant_rates_on_the_portal(finished, bob, olga):
    for someone in (bob, olga):
        with pytest.raises(Forbidden) as e:
            rate(finished, 1, by=someone)
        assert e.value.code == "not_the_applicant"


def test_the_window_tablet_belongs_to_the_office_that_handled_the_case(finished, alice, bob):
    with pytest.raises(Forbidden) as e:
        rate(finished, 5, by=bob, channel="window")
    assert e.value.code == "not_this_office"
    assert rate(finished, 5, by=alice, channel="window").rated_by == alice


def test_the_qr_code_of_a_notice_rates_without_signing_in(finished):
    assert rate(finished, 3, by=None, channel="qr").rated_by is None


def test_a_running_case_cannot_be_rated(alice, carol):
    case = act(alice, submit(carol), "accept")
    with pytest.raises(Conflict) as e:
        evaluation_submit(case=case, score=5, channel="portal", by=carol)
    assert e.value.code == "case_not_ended"


def test_a_refused_case_can_be_rated(alice, carol):
    case = act(alice, submit(carol), "reject", reason="不属于受理范围")
    assert evaluation_submit(case=case, score=2, channel="portal", by=carol).is_bad


def test_the_window_closes_five_working_days_after_the_case_ended(finished, carol):
    # Finished Monday 2025-03-03: the fifth working day after is Monday 2025-03-10.
    with pytest.raises(Conflict) as e:
        rate(finished, 5, by=carol, when="2025-03-11 08:00")
    assert e.value.code == "rating_window_closed" and "2025-03-10" in e.value.message
    assert rate(finished, 5, by=carol, when="2025-03-10 17:59").score == 5


@pytest.mark.parametrize(("good_min", "score", "bad"), [(3, 3, False), (3, 2, True), (4, 3, True),
                                                        (4, 4, False)])  # fmt: skip
def test_good_and_bad_follow_the_setting(finished, carol, settings, good_min, score, bad):
    settings.TONGBAN_GOOD_RATING_MIN = good_min
    e = rate(finished, score, by=carol)
    assert e.is_bad == bad
    assert Rectification.objects.filter(evaluation=e).exists() == bad


def test_a_bad_rating_opens_a_rectification_due_in_working_days(alice, rita, sam, carol):
    # Rated on Monday 2025-09-29; 1–8 October 2025 is the National Day rest and Saturday
    # 11 October a make-up working day: 30 Sep, 9, 10, 11, 13 Oct.
    case = finished_on("2025-09-29", alice=alice, rita=rita, sam=sam, carol=carol,
                       accepted="2025-09-22")  # fmt: skip
    e = rate(case, 1, by=carol, when="2025-09-29 16:00", comment="等了很久")
    r = e.rectification
    assert (r.office, r.due) == (case.handling_office, date(2025, 10, 13))
    assert r.is_open and r.stage == "open"


def test_the_rectification_limit_is_a_setting(finished, carol, settings):
    settings.TONGBAN_RECTIFY_DAYS = 15
    r = rate(finished, 1, by=carol, when="2025-03-04 09:00").rectification
    assert r.due == date(2025, 3, 25)

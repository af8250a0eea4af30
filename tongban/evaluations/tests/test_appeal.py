"""An office appeals a rating; a supervisor of the city decides; upheld takes it out."""

import pytest

from tongban.evaluations.models import Evaluation
from tongban.evaluations.services import appeal_decide, appeal_file, evaluation_submit
from tongban.lib.errors import Conflict, Forbidden

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad(finished, carol):
    return evaluation_submit(case=finished, score=1, comment="乱打分", channel="portal", by=carol,
                             now=at("2025-03-04 09:00"))  # fmt: skip


def test_an_upheld_appeal_takes_the_rating_out_and_voids_the_rectification(bad, olga, vera):
    appeal = appeal_file(evaluation=bad, by=olga, reason="申请人误操作，已电话核实")
    appeal = appeal_decide(appeal=appeal, by=vera, upheld=True, note="核实属实")
    bad.refresh_from_db()
    r = bad.rectification
    assert bad.excluded and appeal.status == "upheld" and appeal.decided_by == vera
    assert r.void and r.closed_at and r.stage == "void"
    assert not Evaluation.objects.filter(excluded=False).exists()  # out of the figures


def test_a_rejected_appeal_changes_nothing(bad, olga, vera):
    appeal = appeal_file(evaluation=bad, by=olga, reason="不认可")
    appeal_decide(appeal=appeal, by=vera, upheld=False, note="评价属实")
    bad.refresh_from_db()
    assert not bad.excluded and bad.rectification.is_open


def test_only_the_city_decides(bad, olga, oscar):
    appeal = appeal_file(evaluation=bad, by=olga, reason="不认可")
    for who in (olga, oscar):
        with pytest.raises(Forbidden) as e:
            appeal_decide(appeal=appeal, by=who, upheld=True, note="x")
        assert e.value.code == "city_supervisors_only"


def test_the_office_that_handled_the_case_files(bad, oscar, alice):
    for who in (oscar, alice):
        with pytest.raises(Forbidden) as e:
            appeal_file(evaluation=bad, by=who, reason="x")
        assert e.value.code == "not_office_supervisor"


def test_one_appeal_per_rating_and_one_decision(bad, olga, vera):
    appeal = appeal_file(evaluation=bad, by=olga, reason="不认可")
    with pytest.raises(Conflict) as e:
        appeal_file(evaluation=bad, by=olga, reason="再次")
    assert e.value.code == "already_appealed"
    appeal_decide(appeal=appeal, by=vera, upheld=False, note="属实")
    with pytest.raises(Conflict) as e:
        appeal_decide(appeal=appeal, by=vera, upheld=True, note="改判")
    assert e.value.code == "already_decided"


def test_a_good_rating_cannot_be_appealed(finished, carol, olga):
    good = evaluation_submit(case=finished, score=5, channel="portal", by=carol,
                             now=at("2025-03-04 09:00"))  # fmt: skip
    with pytest.raises(Conflict) as e:
        appeal_file(evaluation=good, by=olga, reason="x")
    assert e.value.code == "not_bad"

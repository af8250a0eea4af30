"""Two hand-ons of one enquiry at once: one wins, the other gets a Conflict. Needs real
concurrency, so it runs on PostgreSQL (as tongban/supervision/tests/test_concurrency.py)."""

import pytest
from django.db import connection

from conftest import race
from tongban.consultations.models import Consultation, ConsultationHandOff
from tongban.consultations.services import (
    consultation_close,
    consultation_hand_on,
    consultation_log,
)
from tongban.lib.errors import Conflict

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL"),
]


def test_two_hand_ons_at_once_one_wins(alice, bob, rita):
    for _ in range(5):  # a few rounds: the race goes either way
        c = consultation_log(clerk=alice, question="q", answer="a", close=False)
        results = race(
            [
                lambda c=c: consultation_hand_on(consultation=c, by=alice, to="bob", note="n"),
                lambda c=c: consultation_hand_on(consultation=c, by=alice, to="rita", note="n"),
            ]
        )
        won = [r for r in results if isinstance(r, Consultation)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].code == "owner_changed"
        assert ConsultationHandOff.objects.filter(consultation=c).count() == 1
        assert Consultation.objects.get(pk=c.pk).owner_id == won[0].owner_id


def test_a_hand_on_and_a_close_at_once_one_wins(alice, rita):
    for _ in range(5):
        c = consultation_log(clerk=alice, question="q", answer="a", close=False)
        results = race(
            [
                lambda c=c: consultation_hand_on(consultation=c, by=alice, to="rita", note="n"),
                lambda c=c: consultation_close(consultation=c, by=alice, reply="r"),
            ]
        )
        assert sum(isinstance(r, Consultation) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        c.refresh_from_db()
        assert (c.owner_id == rita.pk) != (c.closed_at is not None)

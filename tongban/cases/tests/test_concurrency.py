"""Two people act on one case at the same moment: one wins, the other gets a Conflict, and
nothing is half done. Needs real row locks, so it runs on PostgreSQL."""

import threading

import pytest
from django.db import connection

from conftest import _user, act, race, submit
from tongban.cases.models import Case, CaseEvent
from tongban.lib.errors import Conflict
from tongban.lib.sealed import blind_q
from tongban.people.models import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_clerks_accepting_the_same_window_case_one_wins(alice, carol_applicant):
    alice2 = _user("alice2", Role.CLERK, "371522")
    case = submit(alice, channel="window", applicant=carol_applicant)
    for _ in range(5):
        results = race(
            [lambda c=case: act(alice, c, "accept"), lambda c=case: act(alice2, c, "accept")]
        )
        wins = [r for r in results if isinstance(r, Case)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert losses[0].code == "transition_not_allowed"
        assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
        assert case.notices.count() == 1
        # put it back for the next round, through a fresh case
        case = submit(alice, channel="window", applicant=carol_applicant)


def test_two_clerks_taking_one_online_application_first_one_owns_it(alice, bob, carol):
    case = submit(carol)
    results = race([lambda: act(alice, case, "claim"), lambda: act(bob, case, "claim")])
    assert sorted(type(r).__name__ for r in results) == ["Case", "Conflict"]
    case.refresh_from_db()
    winner = next(r for r in results if isinstance(r, Case))
    assert case.owner_id == winner.owner_id
    assert case.events.filter(action="claim").count() == 1


def test_two_windows_naming_one_new_applicant_make_one_record(city):
    """The second insert waits for the first's transaction and then writes nothing: both
    windows get the one record, and neither transaction is broken by the conflict."""
    from datetime import date

    from django.db import transaction

    from tongban.lib.identifiers import synthetic_resident_id
    from tongban.people.models import Applicant
    from tongban.people.services import applicant_upsert

    number = synthetic_resident_id(region="371521", birth=date(1990, 3, 7))
    person = {"id_number": number, "name": "同时来", "phone": "13800000000",
              "insured_region": "371521"}  # fmt: skip
    first_written = threading.Event()

    def first():
        with transaction.atomic():
            applicant = applicant_upsert(**person)
            first_written.set()
            threading.Event().wait(0.3)  # still uncommitted while the second one inserts
            return applicant

    def second():
        first_written.wait(10)
        with transaction.atomic():
            applicant = applicant_upsert(**person)
            assert (
                Applicant.objects.filter(
                    blind_q(Applicant, "id_number", person["id_number"])
                ).count()
                == 1
            )
            return applicant

    a, b = race([first, second])
    assert isinstance(a, Applicant) and isinstance(b, Applicant), (a, b)
    assert a.pk == b.pk
    assert (
        Applicant.objects.filter(blind_q(Applicant, "id_number", person["id_number"])).count() == 1
    )

"""Two people act on one case at the same moment: one wins, the other gets a Conflict, and
nothing is half done. Needs real row locks, so it runs on PostgreSQL."""

import threading

import pytest
from django.db import connection

from conftest import _user, act, submit
from tongban.cases.models import Case, CaseEvent
from tongban.lib.errors import Conflict
from tongban.people.models import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(calls):
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        from django.db import connection as conn

        try:
            barrier.wait()
            results[i] = fn()
        except Exception as e:  # noqa: BLE001 - the outcome is what we test
            results[i] = e
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


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

"""Two clerks take two cases of one online bundle at the same moment: one takes the bundle, the
other gets a Conflict, nobody deadlocks, and no case of it ends with another clerk. Needs real
row locks, so it runs on PostgreSQL."""

import pytest
from django.db import connection

from conftest import PROMISED_FORM, act, race
from tongban.cases.models import BundleApplication, Case
from tongban.cases.services import bundle_apply
from tongban.catalog.models import Bundle
from tongban.lib.errors import Conflict

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_clerks_taking_two_cases_of_one_bundle_one_takes_it(alice, bob, carol):
    for round_ in range(5):
        application, _ = bundle_apply(bundle=Bundle.objects.get(code="YBS002"), channel="web", submitted_by=carol,
                                      materials=["B01", "B02", "B03", "B04", "B05"],
                                      form={"note": "x", **PROMISED_FORM}, idempotency_key=f"r{round_}")  # fmt: skip
        first, second = application.cases.order_by("pk")
        results = race([lambda a=first: act(alice, a, "claim"), lambda b=second: act(bob, b, "claim")])
        wins = [r for r in results if isinstance(r, Case)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        owner = BundleApplication.objects.get(pk=application.pk).owner
        assert owner in (alice, bob)
        assert set(Case.objects.filter(bundle_application=application).exclude(owner=None)
                   .values_list("owner", flat=True)) == {owner.pk}  # fmt: skip

"""一件事's figures: bundled cases counted once in COUNTERS (live and from the rollup), and the
bundle applications themselves (received, finished, in progress) by bundle_figures()."""

import pytest
from django.utils import timezone

from conftest import PROMISED_FORM
from tongban.cases.services import bundle_accept, bundle_apply, bundle_withdraw
from tongban.catalog.models import Bundle
from tongban.stats.selectors import Figures, Period, bundle_figures
from tongban.stats.services import stats_rollup_refresh

pytestmark = pytest.mark.django_db
ALL = ["B01", "B02", "B03", "B04", "B05"]


def _apply(user, **kw):
    application, _ = bundle_apply(bundle=Bundle.objects.get(code="YBS002"), materials=ALL,
                                  form={"note": "x", **PROMISED_FORM}, **kw)  # fmt: skip
    return application


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_bundled_cases_and_bundles_received_and_finished(alice, carol, carol_applicant, source):
    at_window = _apply(alice, channel="window", submitted_by=alice, applicant=carol_applicant)
    bundle_accept(number=at_window.number, actor=alice)  # instant done, promised in review
    withdrawn = _apply(carol, channel="web", submitted_by=carol)
    bundle_withdraw(number=withdrawn.number, actor=carol)
    _apply(carol, channel="web", submitted_by=carol, idempotency_key="third")
    today = timezone.localdate()
    if source == "rollup":
        stats_rollup_refresh()
    assert Figures(Period(today, today), source=source).summary()["bundled"] == 6
    figures = bundle_figures(Period(today, today))
    assert (figures["received"], figures["finished"], figures["in_progress"], figures["cases"]) == (3, 1, 2, 6)
    assert figures["bundles"] == [{"code": "YBS002", "name": "新生儿出生医保一件事", "received": 3,
                                   "finished": 1, "cases": 6, "in_progress": 2}]  # fmt: skip
    held = bundle_figures(office=alice.office)
    assert (held["received"], held["finished"]) == (1, 0)


"""The catalog's compression against a baseline, checked against the reference catalog."""

from datetime import date

import pytest

from conftest import PROMISED_ITEM
from tongban.catalog.models import ServiceItem
from tongban.catalog.seed import department_item_versions, item_versions_from_reference
from tongban.catalog.services import catalog_item_save, catalog_item_set_status
from tongban.offices.models import Office
from tongban.stats.selectors import catalog_compression

pytestmark = pytest.mark.django_db


def revise(code, effective_from, **changes):
    item = ServiceItem.objects.get(code=code)
    v = item.versions.order_by("-number").first()
    data = {f: getattr(v, f) for f in ("handling_type", "legal_days", "promised_days", "channels",
                                       "citywide", "applicant_kinds", "materials", "steps", "form",
                                       "conditions", "legal_basis", "fees", "notes")}  # fmt: skip
    data.update(changes)
    return catalog_item_save(code=code, name=item.name, category=item.category,
                             home_office=item.home_office, version=data, effective_from=effective_from)  # fmt: skip


@pytest.fixture
def revised(city):
    """门诊费用报销 from 2025-06-01: 2 materials instead of 4, one review step, 15/5 days."""
    v1 = ServiceItem.objects.get(code=PROMISED_ITEM).versions.get(number=1)
    return revise(PROMISED_ITEM, date(2025, 6, 1), materials=v1.materials[:2], steps=v1.steps[:1],
                  legal_days=15, promised_days=5)  # fmt: skip


def reference_totals():
    """Totals of the seeded catalog, from the reference files themselves."""
    totals = {"materials": 0, "steps": 0, "legal_days": 0, "promised_days": 0}
    for entry in item_versions_from_reference() + department_item_versions():
        v = entry["version"]
        totals["materials"] += len(v["materials"])
        totals["steps"] += len(v["steps"])
        totals["legal_days"] += v["legal_days"]
        totals["promised_days"] += v["promised_days"]
    return totals


def test_an_item_revised_with_fewer_materials(revised):
    data = catalog_compression(baseline=date(2025, 1, 1), on=date(2025, 7, 1))
    row = next(r for r in data["items"] if r["code"] == PROMISED_ITEM)
    assert (row["baseline_version"], row["current_version"]) == (1, 2)
    assert row["materials"] == {"then": 4, "now": 2, "cut": 0.5}
    assert row["steps"] == {"then": 2, "now": 1, "cut": 0.5}
    assert row["legal_days"] == {"then": 20, "now": 15, "cut": 0.25}
    assert row["promised_days"] == {"then": 10, "now": 5, "cut": 0.5}
    assert row["promised_vs_legal"] == round(10 / 15, 4)

    ref = reference_totals()
    total = data["total"]
    assert total["items"] == 60  # 32 medical-insurance items, 28 of other departments
    assert total["materials"] == {
        "then": ref["materials"],
        "now": ref["materials"] - 2,
        "cut": round(2 / ref["materials"], 4),
    }
    assert total["steps"]["now"] == ref["steps"] - 1
    assert total["legal_days"]["now"] == ref["legal_days"] - 5
    assert total["promised_days"]["now"] == ref["promised_days"] - 5
    now_promised, now_legal = ref["promised_days"] - 5, ref["legal_days"] - 5
    assert total["promised_vs_legal"] == round((now_legal - now_promised) / now_legal, 4)


def test_before_the_new_version_takes_effect_nothing_is_cut(revised):
    data = catalog_compression(baseline=date(2025, 1, 1), on=date(2025, 5, 31))
    row = next(r for r in data["items"] if r["code"] == PROMISED_ITEM)
    assert row["current_version"] == 1 and row["materials"]["cut"] == 0


def test_the_baseline_by_version_number_and_by_default(revised):
    by_number = catalog_compression(baseline_version=1, on=date(2025, 7, 1))
    by_default = catalog_compression(on=date(2025, 7, 1))
    assert by_number["total"] == by_default["total"]
    later = catalog_compression(baseline=date(2025, 6, 1), on=date(2025, 7, 1))
    row = next(r for r in later["items"] if r["code"] == PROMISED_ITEM)
    assert row["materials"]["cut"] == 0  # the baseline is already the new version


def test_new_and_retired_items_are_left_out_of_the_totals(revised):
    city = Office.objects.get(code="371500")
    v = ServiceItem.objects.get(code=PROMISED_ITEM).versions.get(number=1)
    catalog_item_save(code="YB99999", name="新事项", category="测试", home_office=city,
                      effective_from=date(2025, 6, 1),
                      version={"handling_type": "promised", "legal_days": 10, "promised_days": 3,
                               "channels": ["web"], "citywide": True, "applicant_kinds": ["person"],
                               "materials": v.materials[:1], "steps": v.steps[:1]})  # fmt: skip
    catalog_item_set_status(item=ServiceItem.objects.get(code="YB01001"), status="retired")
    data = catalog_compression(baseline=date(2025, 1, 1), on=date(2025, 7, 1))
    new = next(r for r in data["items"] if r["code"] == "YB99999")
    assert (new["counted"], new["baseline_version"], new["materials"]["cut"]) == (False, None, None)
    assert data["total"]["items"] == 59  # 60 seeded, one retired, the new one not compared

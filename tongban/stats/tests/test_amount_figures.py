"""The money of the items that pay out: claimed on the form, approved in the decision (办结结果),
summed by handling office, item and month (stats.selectors.amount_figures), on the figures page."""

import pytest
from django.utils import timezone

from conftest import act, decision_for, submit
from tongban.stats.selectors import Period, amount_figures

pytestmark = pytest.mark.django_db


def _finished(carol, alice, rita, sam, **decision):
    case = act(
        alice,
        submit(carol, form={"amount": "1000.00", "bank_account": "6222020200112233445"}),
        "accept",
    )
    act(rita, case, "approve")
    return act(sam, case, "approve", decision=decision_for(case, **decision))


def test_amounts_claimed_and_paid_by_office_item_and_month(carol, alice, rita, sam):
    _finished(carol, alice, rita, sam, amount_approved="900.00", amount_not_covered="100.00",
              not_covered_reason="自费药品")  # fmt: skip
    submit(carol, form={"amount": "250.50", "bank_account": "6222020200112233445"},
           idempotency_key="second")  # in the intake, nothing paid yet  # fmt: skip
    submit(carol, "YB01003", materials=["M1"])  # no money: not counted
    today = timezone.localdate()
    figures = amount_figures(Period(today, today))
    assert (figures["cases"], figures["claimed"], figures["paid_cases"], figures["paid"]) == (
        2, "1250.50", 1, "900.00",
    )  # fmt: skip
    month = f"{today:%Y-%m}"
    assert figures["rows"] == [
        {"month": month, "office": "371522", "office_name": "莘县医疗保障局", "item": "YB07019",
         "item_name": "门诊费用报销", "cases": 1, "claimed": "1000.00", "paid_cases": 1, "paid": "900.00"},
        {"month": month, "office": None, "office_name": "全市待认领", "item": "YB07019",
         "item_name": "门诊费用报销", "cases": 1, "claimed": "250.50", "paid_cases": 0, "paid": "0.00"},
    ]  # fmt: skip
    assert amount_figures(Period(today, today), office=alice.office)["claimed"] == "1000.00"


def test_the_figures_page_shows_the_amounts(client, carol, alice, rita, sam, olga):
    _finished(carol, alice, rita, sam)
    client.force_login(olga)
    page = client.get("/desk/stats/?preset=this_year").content.decode()
    assert "报销与待遇支付金额（按经办机构、事项、月份）" in page
    assert "门诊费用报销" in page and "1000.00" in page

"""#15: an amount of -5 and a bank account "abc" are refused by the API naming the field, and
nothing is issued; the decision a reviewer fills in is checked the same way; an instant case
says it was finished on the spot."""

import pytest
from django.utils.timezone import localdate

from conftest import INSTANT_ITEM, PROMISED_FORM, PROMISED_ITEM, act, submit
from tongban.cases.models import Case, Notice

pytestmark = pytest.mark.django_db
ONLINE = {"item": PROMISED_ITEM, "channel": "web", "materials": ["M1", "M2", "M3", "M4"]}


@pytest.mark.parametrize(("form", "field", "says"), [
    ({**PROMISED_FORM, "amount": "-5"}, "form.amount", "申请表字段“申请金额（元）”不能为负数"),
    ({**PROMISED_FORM, "amount": "abc"}, "form.amount", "申请表字段“申请金额（元）”应为金额（元）"),
    ({**PROMISED_FORM, "bank_account": "abc"}, "form.bank_account", "申请表字段“收款银行账号”应为"),
])  # fmt: skip
def test_a_bad_amount_or_account_is_refused_and_nothing_issued(api, carol, form, field, says):
    response = api(carol).post("/api/v1/cases", {**ONLINE, "form": form})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_form", field)
    assert says in error["message"]
    assert not Case.objects.exists() and not Notice.objects.exists()


def test_the_decision_is_checked_and_shown(api, carol, alice, rita, sam):
    case = act(alice, submit(carol), "accept")
    act(rita, case, "approve")
    url = f"/api/v1/cases/{case.number}/actions/approve"
    bad = api(sam).post(url, {"decision": {"amount_approved": "-5", "paid_to_account": "6222020200112233445",
                                           "payment_date": "2099-01-01"}})  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "decision.amount_approved"
    too_much = api(sam).post(url, {"decision": {"amount_approved": "2000.00", "paid_to_account": "6222020200112233445",
                                                "payment_date": str(localdate(case.submitted_at))}})  # fmt: skip
    assert too_much.json()["error"]["message"] == "核准支付金额 2000.00 元超过申请金额 1280.50 元"
    missing = api(sam).post(url, {})
    assert missing.json()["error"]["field"] == "decision.amount_approved"
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_an_instant_case_says_it_was_finished_on_the_spot(api, alice, carol_applicant):
    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol_applicant, materials=["M1"]
    )
    body = api(alice).post(f"/api/v1/cases/{case.number}/actions/accept").json()
    assert (body["status"], body["handling_type"], body["finished_on_the_spot"]) == (
        "completed",
        "instant",
        True,
    )
    notices = api(alice).get(f"/api/v1/cases/{case.number}/notices").json()
    assert [n["kind"] for n in notices["results"]] == ["completion"]

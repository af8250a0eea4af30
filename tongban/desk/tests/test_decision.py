"""#15 at the desk: the window refuses -5 and "abc" naming the field; the reviewer finishing a
reimbursement fills in its decision (办结结果), checked, then shown on the case page."""

import pytest
from django.utils import timezone

from conftest import act, submit
from tongban.cases.models import Case, Notice

from .test_apply import PROMISED_URL, promised_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "value", "says"), [
    ("form_amount", "-5", "申请表字段“申请金额（元）”不能为负数"),
    ("form_amount", "abc", "申请表字段“申请金额（元）”应为金额（元），如 1234.50"),
    ("form_bank_account", "abc", "申请表字段“收款银行账号”应为8–32 位数字的银行账号"),
])  # fmt: skip
def test_the_window_refuses_a_bad_amount_or_account(
    client, alice, new_person_id, field, value, says
):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(new_person_id, **{field: value}))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Case.objects.exists() and not Notice.objects.exists()


def test_the_last_reviewer_fills_in_the_decision(client, carol, alice, rita, sam):
    case = act(alice, submit(carol), "accept")
    client.force_login(rita)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert 'name="decision_amount_approved"' not in page  # 审核: not the last step
    act(rita, case, "approve")
    client.force_login(sam)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert 'name="decision_amount_approved"' in page and 'name="decision_present"' in page
    url = f"/desk/cases/{case.number}/approve/"
    today = timezone.localdate().isoformat()
    data = {"expected_version": Case.objects.get(pk=case.pk).version, "decision_present": "1",
            "decision_amount_approved": "-5", "decision_paid_to_account": "6222020200112233445",
            "decision_payment_date": today}  # fmt: skip
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert "办结结果字段“核准支付金额（元）”不能为负数" in bad.content.decode()
    assert Case.objects.get(pk=case.pk).status == "accepted"
    done = client.post(url, {**data, "decision_amount_approved": " 1200 ", "decision_amount_not_covered": "80.50",
                             "decision_not_covered_reason": "自费药品"})  # fmt: skip
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.amount_paid, case.decision["amount_approved"]) == (
        "completed",
        1200,
        "1200.00",
    )
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "办结结果" in page and "1200.00 元" in page and "自费药品" in page
    assert "6222 **** 3445" in page and "6222020200112233445" not in page  # masked to staff

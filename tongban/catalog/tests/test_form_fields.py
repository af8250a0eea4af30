"""Typed form fields with rules, checked in one place (catalog.services: form_clean for an
application's form, decision_clean for the decision a reviewer fills in) for the desk, the
portal and the API alike; what a person types is normalised once, there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PROMISED_ITEM
from tongban.catalog.selectors import item_version_current
from tongban.catalog.services import decision_clean, form_clean, luhn_valid, version_data_clean
from tongban.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db
ACCOUNT = "6222020200112233445"


@pytest.fixture
def version(city):
    return item_version_current(code=PROMISED_ITEM)  # 门诊费用报销: at most 50000.00 yuan


def refused(version, field, **form) -> str:
    with pytest.raises(InvalidInput) as e:
        form_clean(version=version, form={"amount": "100", "bank_account": ACCOUNT, **form})
    assert (e.value.code, e.value.field) == ("invalid_form", f"form.{field}")
    return e.value.message


@pytest.mark.parametrize(("typed", "kept"), [
    ("1280.5", "1280.50"), (" 1 280.50 ", "1280.50"), ("１２８０．５０", "1280.50"),
    ("1,280.50", "1280.50"), (1280, "1280.00"), ("\u30001280.50\u3000", "1280.50"),
])  # fmt: skip
def test_an_amount_is_normalised_once(version, typed, kept):
    assert (
        form_clean(version=version, form={"amount": typed, "bank_account": ACCOUNT})["amount"]
        == kept
    )


@pytest.mark.parametrize(("typed", "says"), [
    ("-5", "申请表字段“申请金额（元）”不能为负数"),
    ("abc", "申请表字段“申请金额（元）”应为金额（元），如 1234.50，而不是 'abc'"),
    ("0", "申请表字段“申请金额（元）”应大于 0 元"),
    ("12.345", "申请表字段“申请金额（元）”最多两位小数"),
    ("50000.01", "申请表字段“申请金额（元）”不得超过 50000.00 元"),
    ("1e3", "应为金额（元）"),
    (True, "应为金额（元）"),
])  # fmt: skip
def test_a_bad_amount_is_refused_naming_the_field(version, typed, says):
    assert says in refused(version, "amount", amount=typed)


@pytest.mark.parametrize("typed", ["abc", "6222-abc", "1234567", "1" * 33, "６２２２"])
def test_a_bad_account_is_refused_naming_the_field(version, typed):
    assert "申请表字段“收款银行账号”应为8–32 位数字的银行账号" in refused(
        version, "bank_account", bank_account=typed
    )


def test_an_account_keeps_its_digits_only(version):
    form = form_clean(
        version=version, form={"amount": "1", "bank_account": " 6222 0202-0011 2233 445 "}
    )
    assert form["bank_account"] == ACCOUNT


def test_luhn_is_a_field_option_for_card_numbers(version):
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    data = {"handling_type": "promised", "legal_days": 10, "promised_days": 5, "channels": ["web"],
            "steps": ["审核"], "form": [{"name": "card", "label": "银行卡号", "type": "account", "luhn": True}]}  # fmt: skip
    version.form = version_data_clean(data)["form"]
    assert form_clean(version=version, form={"card": "4111 1111 1111 1111"}) == {
        "card": "4111111111111111"
    }
    with pytest.raises(InvalidInput, match="不是有效的银行卡号") as e:
        form_clean(version=version, form={"card": "4111111111111112"})
    assert e.value.field == "form.card"
    with pytest.raises(InvalidInput, match="16–19 位数字"):
        form_clean(version=version, form={"card": "12345678"})  # a passbook number: not a card


def test_dates_phones_and_choices_have_their_rules(version):
    today = timezone.localdate()
    fields = [
        {"name": "when", "label": "就医日期", "type": "date", "required": True, "min_days": -365, "max_days": 0},
        {"name": "phone", "label": "联系电话", "type": "phone"},
        {"name": "kind", "label": "类别", "type": "choice", "choices": ["门诊", "住院"]},
        {"name": "born", "label": "出生日期", "type": "date"},
    ]  # fmt: skip
    version.form = version_data_clean({"handling_type": "instant", "legal_days": 0, "promised_days": 0,
                                       "channels": ["web"], "form": fields})["form"]  # fmt: skip
    ok = form_clean(
        version=version, form={"when": f" {today} ", "phone": "１３５ 0000 0001", "kind": " 住院 "}
    )
    assert ok == {"when": today.isoformat(), "phone": "13500000001", "kind": "住院"}
    for form, field, says in [
        ({"when": (today + timedelta(days=1)).isoformat()}, "when", "应在"),
        ({"when": "2025-02-30"}, "when", "日期 YYYY-MM-DD"),
        ({"when": today.isoformat(), "born": "1899-12-31"}, "born", "应在 1900-01-01"),
        ({"when": today.isoformat(), "phone": "abc"}, "phone", "联系电话"),
        ({"when": today.isoformat(), "kind": "急诊"}, "kind", "门诊、住院 之一"),
    ]:
        with pytest.raises(InvalidInput, match=says) as e:
            form_clean(version=version, form=form)
        assert e.value.field == f"form.{field}"


def test_a_version_with_bad_field_rules_is_refused(city):
    base = {"handling_type": "promised", "legal_days": 10, "promised_days": 5, "channels": ["web"],
            "steps": ["审核"]}  # fmt: skip
    for fields, where in [
        ([{"name": "a", "type": "money", "max": "lots"}], "form[0].max"),
        ([{"name": "a", "type": "text", "max": "5"}], "form[0].max"),
        ([{"name": "a", "type": "date", "min_days": 5, "max_days": 1}], "form[0].min_days"),
        ([{"name": "a", "type": "money", "total": "paid"}], "form[0].total"),
    ]:
        with pytest.raises(InvalidInput) as e:
            version_data_clean({**base, "form": fields})
        assert e.value.field == where
    with pytest.raises(InvalidInput) as e:  # an instant case is finished with nobody to fill one in
        version_data_clean({**base, "handling_type": "instant", "promised_days": 0, "steps": [],
                            "decision": [{"name": "a", "type": "money", "required": True}]})  # fmt: skip
    assert e.value.field == "decision"


def test_a_decision_is_checked_by_the_same_rules(version):
    today = timezone.localdate()
    good = {
        "amount_approved": "1200",
        "paid_to_account": ACCOUNT,
        "payment_date": today.isoformat(),
    }
    assert decision_clean(version=version, decision=good)["amount_approved"] == "1200.00"
    for decision, field, says in [
        (
            {**good, "amount_approved": "-5"},
            "amount_approved",
            "办结结果字段“核准支付金额（元）”不能为负数",
        ),
        ({**good, "paid_to_account": "abc"}, "paid_to_account", "办结结果字段“支付至银行账号”应为"),
        ({**good, "payment_date": (today - timedelta(days=1)).isoformat()}, "payment_date", "应在"),
        ({k: v for k, v in good.items() if k != "amount_approved"}, "amount_approved", "必填"),
        ({**good, "bonus": "1"}, "bonus", "没有字段"),
    ]:
        with pytest.raises(InvalidInput, match=says) as e:
            decision_clean(version=version, decision=decision)
        assert (e.value.code, e.value.field) == ("invalid_decision", f"decision.{field}")
    # what is not covered may be nothing at all
    assert (
        decision_clean(version=version, decision={**good, "amount_not_covered": "0"})[
            "amount_not_covered"
        ]
        == "0.00"
    )

"""一件事: the merged form, one office and one clerk, one-step acceptance, one supplement notice
for every item, supplementing once, withdrawing the bundle (cases.services bundle_*)."""

from types import SimpleNamespace

import pytest

from conftest import PROMISED_FORM
from tongban.cases.models import BundleNotice, Case, Notice, Status
from tongban.cases.notices import bundle_notice_html
from tongban.cases.selectors import bundle_status
from tongban.cases.services import (
    bundle_accept,
    bundle_apply,
    bundle_request_supplement,
    bundle_supplement,
    bundle_withdraw,
    case_act,
)
from tongban.catalog.models import Bundle, ServiceItem
from tongban.catalog.services import bundle_form, bundle_materials, bundle_spec
from tongban.lib.errors import Conflict, InvalidInput, NotFound

pytestmark = pytest.mark.django_db

BIRTH = "YBS002"  # 城乡居民参保登记 (instant, B01) + 生育医疗费支付 (promised, B02–B05)
FORM = {"note": "新生儿 王小宝，2026-11-20 出生", **PROMISED_FORM}
ALL = ["B01", "B02", "B03", "B04", "B05"]


@pytest.fixture
def claims(city):
    """门诊 + 住院费用报销: two items that ask the same identity document, invoice and form."""
    bundle = Bundle.objects.create(code="T-CLAIMS", name="门诊住院一起报")
    bundle.items.set(ServiceItem.objects.filter(code__in=["YB07019", "YB07020"]))
    return bundle


def apply(user, *, materials=ALL, channel="web", **kw):
    application, _created = bundle_apply(bundle=Bundle.objects.get(code=BIRTH), channel=channel,
                                         submitted_by=user, materials=list(materials), form=FORM, **kw)  # fmt: skip
    return application, list(application.cases.order_by("item__code"))


def _version(code, form=(), materials=()):
    return SimpleNamespace(item=SimpleNamespace(code=code), form=list(form), materials=list(materials),
                           applicant_kinds=["person"], channels=["web", "window"])  # fmt: skip


def test_a_field_and_a_material_several_items_need_are_asked_once(claims):
    spec = bundle_spec(claims)
    assert [f["name"] for f in spec.form] == ["amount", "bank_account"]
    assert spec.form[0]["items"] == ["YB07019", "YB07020"]
    shared = [m for m in spec.materials if len(m["items"]) == 2]
    assert [m["name"] for m in shared] == ["医保电子凭证或有效身份证件或社保卡", "医院收费票据"]
    assert shared[0]["items"] == {"YB07019": "M1", "YB07020": "M1"}
    assert len(spec.materials) == 6  # 4 + 4 − 2 shared


def test_a_field_typed_differently_by_two_items_is_refused():
    a = _version("A", form=[{"name": "amount", "label": "金额", "type": "number", "required": True}])
    b = _version("B", form=[{"name": "amount", "label": "金额", "type": "text", "required": False}])
    with pytest.raises(InvalidInput) as e:
        bundle_form([a, b])
    assert (e.value.code, e.value.field) == ("bundle_form_conflict", "items")


def test_a_field_is_required_if_any_item_requires_it_and_a_material_secondary_only_if_all_say_so():
    f = {"name": "note", "label": "说明", "type": "text"}
    m = {"code": "M1", "name": "清单", "form": "copy"}
    a = _version("A", form=[{**f, "required": False}], materials=[{**m, "secondary": True}])
    b = _version("B", form=[{**f, "required": True}], materials=[{**m, "code": "M9", "secondary": False}])
    assert bundle_form([a, b])[0]["required"] is True
    assert bundle_materials([a, b]) == [{"code": "B01", "name": "清单", "form": "copy", "secondary": False,
                                         "items": {"A": "M1", "B": "M9"}}]  # fmt: skip


def test_items_with_no_common_applicant_are_refused(city):
    bundle = Bundle.objects.create(code="T-MIX", name="单位和个人")
    bundle.items.set(ServiceItem.objects.filter(code__in=["YB01001", "YB01003"]))
    with pytest.raises(InvalidInput) as e:
        bundle_spec(bundle)
    assert e.value.code == "bundle_applicant_kinds"


def test_one_form_makes_one_case_per_item_each_with_its_part_and_a_receipt(carol):
    application, cases = apply(carol)
    assert [c.item.code for c in cases] == ["YB01003", "YB08022"]
    assert cases[0].form == {"note": FORM["note"]} and cases[0].supplied_materials == ["M1"]
    assert cases[1].form == PROMISED_FORM and cases[1].supplied_materials == ["M1", "M2", "M3", "M4"]
    receipt = application.notices.get()
    assert receipt.kind == BundleNotice.Kind.RECEIPT
    html = bundle_notice_html(receipt)
    assert all(c.number in html for c in cases) and application.number in html


def test_a_field_the_bundle_does_not_have_is_refused_and_nothing_is_made(carol):
    with pytest.raises(InvalidInput) as e:
        bundle_apply(bundle=Bundle.objects.get(code=BIRTH), channel="web", submitted_by=carol,
                     form={**FORM, "colour": "red"})  # fmt: skip
    assert e.value.field == "form.colour"
    assert not Case.objects.exists()


def test_the_first_clerk_who_takes_one_case_takes_the_whole_bundle(carol, alice, bob):
    application, cases = apply(carol)
    case_act(number=cases[1].number, action="claim", actor=alice)
    application.refresh_from_db()
    assert (application.owner, application.office) == (alice, alice.office)
    for case in Case.objects.filter(bundle_application=application):
        assert (case.owner, case.handling_office) == (alice, alice.office)
    with pytest.raises(Conflict) as e:  # it left the intake with the first: 首问负责
        case_act(number=cases[0].number, action="claim", actor=bob)
    assert e.value.code == "taken_by_other"


def test_the_window_accepts_the_bundle_in_one_step_each_by_its_own_rules(alice, carol_applicant):
    application, cases = apply(alice, channel="window", applicant=carol_applicant)
    assert application.office == alice.office and application.number.startswith("B371522-")
    bundle_accept(number=application.number, actor=alice)
    instant, promised = Case.objects.filter(bundle_application=application).order_by("item__code")
    assert (instant.status, instant.result) == (Status.COMPLETED, Case.Result.APPROVED)
    assert promised.status == Status.ACCEPTED and promised.deadline is not None
    assert bundle_status([instant, promised])["state"] == "in_progress"


def test_an_acceptance_refused_for_one_item_accepts_none_and_names_it(alice, carol_applicant):
    application, _cases = apply(alice, channel="window", applicant=carol_applicant, materials=["B01", "B03"])
    with pytest.raises(InvalidInput) as e:
        bundle_accept(number=application.number, actor=alice)
    assert "YB08022" in e.value.message
    assert not Case.objects.filter(bundle_application=application, accepted_at__isnull=False).exists()


def test_one_supplement_notice_lists_every_missing_material_of_every_item(carol, alice):
    application, cases = apply(carol, materials=["B03"])
    bundle_request_supplement(number=application.number, actor=alice, reason="请一次补齐")
    assert not Notice.objects.filter(case__bundle_application=application).exists()
    notice = application.notices.get(kind=BundleNotice.Kind.SUPPLEMENT)
    assert [m["code"] for m in notice.data["missing_materials"]] == ["B01", "B02", "B04", "B05"]
    assert {c["number"] for c in notice.data["cases"]} == {c.number for c in cases}
    html = bundle_notice_html(notice)
    assert "有效身份证件" in html and "费用清单" in html and "医院收费票据" not in html
    # medical insurance is a public service, carol a person (#15)
    assert "行政许可法" not in html and "你于" in html and "你（单位）" not in html
    status = bundle_status(Case.objects.filter(bundle_application=application).select_related("item", "item_version"))
    assert status["state"] == "awaiting_supplement" and len(status["waiting"]) == 2


def test_handing_in_the_supplement_once_resumes_every_case(carol, alice):
    application, _cases = apply(carol, materials=["B03"])
    bundle_request_supplement(number=application.number, actor=alice)
    with pytest.raises(InvalidInput) as e:
        bundle_supplement(number=application.number, actor=carol, materials=["B01"])
    assert e.value.code == "materials_still_missing"
    bundle_supplement(number=application.number, actor=carol, materials=["B01", "B02", "B04", "B05"])
    assert set(Case.objects.filter(bundle_application=application).values_list("status", flat=True)) == {
        Status.SUBMITTED}
    bundle_accept(number=application.number, actor=alice)
    assert set(Case.objects.filter(bundle_application=application).values_list("status", flat=True)) == {
        Status.COMPLETED, Status.ACCEPTED}  # fmt: skip


def test_withdrawing_the_bundle_withdraws_every_case_not_yet_finished(alice, carol, carol_applicant):
    application, _cases = apply(alice, channel="window", applicant=carol_applicant)
    bundle_accept(number=application.number, actor=alice)
    bundle_withdraw(number=application.number, actor=carol, reason="不办了")
    instant, promised = Case.objects.filter(bundle_application=application).order_by("item__code")
    assert (instant.status, promised.status) == (Status.COMPLETED, Status.WITHDRAWN)
    with pytest.raises(Conflict):
        bundle_withdraw(number=application.number, actor=carol)


def test_someone_elses_bundle_is_not_found(carol, bob):
    application, _cases = apply(carol)
    case_act(number=application.cases.first().number, action="claim", actor=bob)
    other = SimpleNamespace(is_authenticated=True, role="clerk", pk=-1, office_id=None, applicant_id=None)
    with pytest.raises(NotFound):
        bundle_withdraw(number=application.number, actor=other)


def test_a_case_of_a_bundle_another_clerk_holds_is_refused(carol, alice, bob):
    application, cases = apply(carol)
    # As if bob had held the second case locked while alice took the bundle: it stayed behind.
    case_act(number=cases[0].number, action="claim", actor=alice)
    Case.objects.filter(pk=cases[1].pk).update(owner=None, handling_office=None, taken_at=None)
    with pytest.raises(Conflict) as e:
        case_act(number=cases[1].number, action="claim", actor=bob)
    assert e.value.code == "owned_by_other"
    case_act(number=cases[1].number, action="claim", actor=alice)  # the bundle's clerk takes it
    assert Case.objects.get(pk=cases[1].pk).owner == alice


def test_a_supplement_notice_concerns_cases_waiting_for_acceptance_only(alice, carol_applicant):
    from datetime import timedelta

    from django.utils import timezone

    application, _cases = apply(alice, channel="window", applicant=carol_applicant, materials=["B01", "B02", "B03"])
    promised = (timezone.localdate() + timedelta(days=1)).isoformat()
    bundle_accept(number=application.number, actor=alice, promised_supplement_by=promised)  # 容缺
    assert sorted(application.cases.values_list("status", flat=True)) == [Status.ACCEPTED, Status.COMPLETED]
    with pytest.raises(Conflict) as e:
        bundle_request_supplement(number=application.number, actor=alice)
    assert e.value.code == "nothing_missing"

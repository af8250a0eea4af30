"""A new application at the window: submit and decide in one transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import INSTANT_ITEM, PROMISED_ITEM
from tongban.cases.models import Case, CaseEvent, Notice
from tongban.consultations.models import Consultation
from tongban.people.models import Applicant

from .conftest import window_data

URL = f"/desk/apply/{INSTANT_ITEM}/"
PROMISED_URL = f"/desk/apply/{PROMISED_ITEM}/"


def promised_data(id_number, **overrides):
    data = window_data(id_number, materials=["M1", "M2", "M3", "M4"],
                       form_amount="1280.50", form_bank_account="6222020200112233445")  # fmt: skip
    data.update(overrides)
    return data


def nothing_saved():
    return not Case.objects.exists() and not Applicant.objects.exists()


def test_the_item_picker_finds_by_name_keyword_and_code(client, alice):
    client.force_login(alice)
    by_name = client.get("/desk/apply/", {"q": "参保登记"}).context["items"]
    assert INSTANT_ITEM in {i.code for i in by_name} and len(by_name) > 1
    by_category = client.get("/desk/apply/", {"q": "报销"}).context["items"]
    assert PROMISED_ITEM in {i.code for i in by_category}
    # One exact hit goes straight to the form.
    assert client.get("/desk/apply/", {"q": INSTANT_ITEM})["Location"] == URL


def test_suspended_items_are_not_offered(client, alice):
    from tongban.catalog.models import ServiceItem

    suspended = ServiceItem.objects.filter(status="suspended").first()
    client.force_login(alice)
    codes = {i.code for i in client.get("/desk/apply/").context["items"]}
    assert INSTANT_ITEM in codes
    if suspended:
        assert suspended.code not in codes
        assert client.get(f"/desk/apply/{suspended.code}/").status_code == 404


def test_the_form_shows_materials_marked_main_and_secondary(client, alice):
    client.force_login(alice)
    body = client.get(PROMISED_URL).content.decode()
    assert body.count('data-secondary="1"') == 2 and body.count('data-secondary="0"') == 2
    assert 'name="form_amount"' in body and 'name="form_bank_account"' in body


def test_an_instant_item_is_finished_on_the_spot(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id))
    case = Case.objects.get()
    assert response["Location"] == f"/desk/cases/{case.number}/"
    assert case.status == "completed" and case.result == "approved"
    assert case.channel == "window" and case.handling_office == alice.office
    assert case.number.startswith("371522-")
    assert case.window is not None
    assert case.applicant.id_number == new_person_id
    # 即办件: one notice, the 办结通知书 saying it was accepted and finished on the spot
    assert list(Notice.objects.values_list("kind", flat=True)) == ["completion"]
    page = client.get(response["Location"]).content.decode()
    assert "已办结" in page
    assert "即办件 · 受理即办结" in page and "当场办结（" in page
    assert "承诺 0 / 法定 0 个工作日" not in page


def test_a_promised_item_is_accepted_into_review(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(new_person_id))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == "accepted" and case.current_step["role"] == "reviewer"
    assert case.form == {"amount": "1280.50", "bank_account": "6222020200112233445"}


def test_rongque_acceptance_with_a_promised_date(client, alice, new_person_id):
    client.force_login(alice)
    promised = timezone.localdate() + timedelta(days=3)
    response = client.post(PROMISED_URL, promised_data(new_person_id, materials=["M1", "M2"],
                                                       promised_supplement_by=promised.isoformat()))  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == "accepted" and case.missing_materials == ["M3", "M4"]
    assert case.promised_supplement_by == promised


def test_rongque_without_a_date_saves_nothing(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(new_person_id, materials=["M1", "M2"]))
    assert response.status_code == 400
    assert response.context["form"].errors["promised_supplement_by"]
    assert nothing_saved()


def test_supplement_notice_lists_every_missing_material(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(
        new_person_id, materials=["M1"], decision="request_supplement",
        missing_materials=["M2", "M3", "M4"],
    ))  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == "awaiting_supplement" and case.missing_materials == ["M2", "M3", "M4"]
    assert Notice.objects.get().kind == "supplement"


def test_an_incomplete_supplement_list_saves_nothing(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(
        new_person_id, materials=["M1"], decision="request_supplement", missing_materials=["M2"],
    ))  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors["missing_materials"]
    assert "漏列" in errors[0]
    assert nothing_saved() and not CaseEvent.objects.exists()


def test_refusal_with_a_reason(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(
        URL, window_data(new_person_id, decision="reject", reason="已在外地参保")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == "rejected" and case.reason == "已在外地参保"
    assert Notice.objects.get().kind == "refusal"


def test_refusal_without_a_reason_saves_nothing(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id, decision="reject"))
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert nothing_saved()


def test_missing_main_material_for_accept_saves_nothing(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id, materials=[]))
    assert response.status_code == 400
    assert "主要材料不齐" in response.context["form"].errors["materials"][0]
    assert nothing_saved()


def test_a_bad_check_digit_is_shown_next_to_the_field(client, alice, new_person_id):
    bad = new_person_id[:17] + ("0" if new_person_id[17] != "0" else "1")
    client.force_login(alice)
    response = client.post(URL, window_data(bad))
    assert response.status_code == 400
    assert "校验位" in response.context["form"].errors["id_number"][0]
    assert nothing_saved()


def test_bad_input_keeps_everything_typed(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(new_person_id, decision="reject",
                                                       phone="13912345678", form_amount="99.5"))  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400
    for typed in (new_person_id, "测试申请人", "13912345678", "99.5", "6222020200112233445"):
        assert typed in body
    assert body.count("checked") >= 4  # the four materials stay ticked


def test_a_required_item_form_field_is_checked(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(PROMISED_URL, promised_data(new_person_id, form_amount=""))
    assert response.status_code == 400
    assert response.context["form"].errors["form_amount"]
    assert nothing_saved()


def test_an_unknown_region_is_refused(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id, insured_region="999999"))
    assert response.status_code == 400
    assert response.context["form"].errors["insured_region"]


def test_an_existing_applicant_is_reused(client, alice, carol):
    client.force_login(alice)
    data = window_data(carol.applicant.id_number, name="Carol 王", insured_region="371581")
    # Another phone than the record's: not without the person's identity document shown.
    response = client.post(URL, data)
    assert response.status_code == 400 and "出示身份证件" in response.content.decode()
    assert not Case.objects.exists()
    carol.applicant.refresh_from_db()
    assert carol.applicant.phone != data["phone"]  # the record as it was
    response = client.post(URL, {**data, "identity_shown": "on"})
    assert response.status_code == 302
    carol.applicant.refresh_from_db()
    assert carol.applicant.phone == data["phone"]
    assert Applicant.objects.count() == 1
    assert Case.objects.get().applicant == carol.applicant


def test_only_clerks_apply_at_the_window(client, rita, new_person_id):
    client.force_login(rita)
    assert client.post(URL, window_data(new_person_id)).status_code == 403
    assert nothing_saved()


def test_a_consultation_that_turns_into_a_case_is_linked(client, alice, new_person_id):
    from tongban.consultations.services import consultation_log

    c = consultation_log(
        clerk=alice, question="怎么参保？", answer="带身份证来窗口", item=INSTANT_ITEM
    )
    client.force_login(alice)
    assert f'value="{c.pk}"' in client.get(f"{URL}?consultation={c.pk}").content.decode()
    client.post(URL, window_data(new_person_id, consultation=c.pk))
    assert Consultation.objects.get().turned_into_case == Case.objects.get()


@pytest.mark.parametrize("decision", ["approve", "transfer", ""])
def test_only_the_three_decisions_are_taken(client, alice, new_person_id, decision):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id, decision=decision))
    assert response.status_code == 400
    assert nothing_saved()

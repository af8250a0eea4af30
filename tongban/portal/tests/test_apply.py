from datetime import date

import pytest
from django.urls import reverse

from conftest import PROMISED_FORM, PROMISED_ITEM, authorise
from tongban.cases.models import Attachment, Case
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Applicant
from tongban.people.services import applicant_by_number

from .samples import pdf_bytes, png_bytes, stored_files, upload

pytestmark = pytest.mark.django_db

APPLY = reverse("portal:apply", args=[PROMISED_ITEM])
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def _post(client, files=None, **extra):
    data = {"idempotency_key": extra.pop("key", "k-1"), "form_amount": PROMISED_FORM["amount"],
            "form_bank_account": PROMISED_FORM["bank_account"], **extra}  # fmt: skip
    if files is None:
        files = {
            "M1": upload("身份证.pdf", pdf_bytes()),
            "M2": upload("票据.png", png_bytes(), "image/png"),
        }
    for code, f in files.items():
        data[f"material_{code}"] = f
    return client.post(
        APPLY, data, **({"headers": {"User-Agent": extra.pop("ua")}} if "ua" in extra else {})
    )


def test_the_apply_page_asks_for_the_form_and_every_material(carol_client):
    html = carol_client.get(APPLY).content.decode()
    for text in ("申请金额（元）", "收款银行账号", "医院收费票据", "门急诊费用清单", "可容缺", 'type="file"',
                 'accept=".pdf,.jpg,.jpeg,.png'):  # fmt: skip
        assert text in html, text


def test_applying_needs_a_portal_account(client, alice):
    assert client.get(APPLY).status_code == 302
    assert client.get(APPLY)["Location"].startswith(reverse("portal:login"))
    client.force_login(alice)
    assert client.get(APPLY).status_code == 403  # staff are pointed to the desk


def test_an_applicant_applies_with_uploads_and_gets_a_receipt_at_once(carol_client, carol):
    response = _post(carol_client)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:receipt", args=[case.number])
    assert case.applicant == carol.applicant and case.channel == "web"
    assert case.supplied_materials == ["M1", "M2"]
    assert case.form == {"amount": "1280.50", "bank_account": "6222020200112233445"}
    files = {a.material: a for a in case.attachments.all()}
    assert set(files) == {"M1", "M2"}
    m1 = files["M1"]
    assert (m1.content_type, m1.original_name, m1.uploaded_by) == (
        "application/pdf",
        "身份证.pdf",
        carol,
    )
    assert len(m1.sha256) == 64 and m1.size == len(pdf_bytes())
    assert "身份证" not in m1.file.name and m1.file.name.endswith(".pdf")  # a random name
    assert files["M2"].content_type == "image/png"
    receipt = carol_client.get(response["Location"]).content.decode()
    assert case.number in receipt and "申请已提交" in receipt


def test_a_phone_applies_through_the_mobile_channel(carol_client):
    _post(carol_client, ua=IPHONE)
    assert Case.objects.get().channel == "mobile"


def test_a_retried_submission_makes_no_second_case(carol_client):
    first = _post(carol_client, key="same")
    second = _post(carol_client, key="same")
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1 and Attachment.objects.count() == 2


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_saved(carol_client, settings):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    response = _post(carol_client, files={"M1": upload("身份证.pdf", exe, "application/pdf"),
                                          "M2": upload("票据.pdf", pdf_bytes())})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "只接受 PDF、JPG 或 PNG 文件" in html
    assert html.index("只接受") > html.index("医保电子凭证或有效身份证件或社保卡")  # at M1
    assert html.index("只接受") < html.index("医院收费票据")
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_file_is_refused(carol_client, settings):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 50_000
    response = _post(carol_client, files={"M1": upload("a.pdf", pdf_bytes(pad=60_000)),
                                          "M2": upload("b.pdf", pdf_bytes())})  # fmt: skip
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_files_of_a_few_megabytes_go_through(carol_client):
    # Request bodies are capped at 1 MiB, but that cap does not count uploaded files.
    response = _post(carol_client, files={"M1": upload("scan.pdf", pdf_bytes(pad=3_500_000)),
                                          "M2": upload("b.pdf", pdf_bytes(pad=2_000_000))})  # fmt: skip
    assert response.status_code == 302
    assert Attachment.objects.get(material="M1").size > 3_500_000


def test_a_file_over_ten_megabytes_is_refused_by_default(carol_client):
    response = _post(carol_client, files={"M1": upload("big.pdf", pdf_bytes(pad=10 * 1024 * 1024)),
                                          "M2": upload("b.pdf", pdf_bytes())})  # fmt: skip
    assert response.status_code == 400 and "不超过 10 MB" in response.content.decode()
    assert not Case.objects.exists()


def test_a_main_material_is_required_and_a_secondary_one_is_not(carol_client):
    response = _post(carol_client, files={"M1": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 400 and "请上传此材料" in response.content.decode()
    assert not Case.objects.exists()


def test_a_bad_form_value_comes_back_at_its_field(carol_client):
    response = _post(carol_client, form_amount="一千")
    assert response.status_code == 400
    html = response.content.decode()
    assert "申请金额（元）”应为金额（元），如 1234.50" in html
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_an_agent_applies_for_someone(client, dave, city):
    client.force_login(dave)
    assert "申请人证件号码" in client.get(APPLY).content.decode()
    id_number = synthetic_resident_id(region="371522", birth=date(1950, 1, 2))
    person = {"id_number": id_number, "name": "赵大爷", "phone": "13600000000",
              "insured_region": "371522"}  # fmt: skip
    response = _post(client, applicant_id_number=id_number, applicant_name="赵大爷",
                     applicant_phone="13600000000", applicant_region="371522")  # fmt: skip
    assert response.status_code == 400 and "没有该申请人给您的委托书" in response.content.decode()
    assert not Case.objects.exists()
    authorise(person, dave)
    response = _post(client, applicant_id_number=id_number, applicant_name="赵大爷",
                     applicant_phone="13600000000", applicant_region="371522")  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.agent == dave and case.submitted_by == dave
    assert case.applicant == applicant_by_number(id_number)
    assert case.applicant.name == "赵大爷"
    assert client.get(reverse("portal:case", args=[case.number])).status_code == 200


def test_an_agent_with_a_bad_id_number_gets_the_error_at_that_field(client, dave, city):
    client.force_login(dave)
    response = _post(client, applicant_id_number="123", applicant_name="赵大爷",
                     applicant_region="371522")  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert html.index('class="error"') < html.index("申请人姓名/单位名称")  # at the ID field
    assert not Case.objects.exists() and not Applicant.objects.exists()


@pytest.mark.parametrize(("field", "value", "says"), [
    ("form_amount", "-5", "申请表字段“申请金额（元）”不能为负数"),
    ("form_bank_account", "abc", "申请表字段“收款银行账号”应为8–32 位数字的银行账号"),
])  # fmt: skip
def test_a_negative_amount_or_a_lettered_account_is_refused(carol_client, field, value, says):
    response = _post(carol_client, **{field: value})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Case.objects.exists()

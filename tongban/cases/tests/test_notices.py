"""The written notices as PDFs (cases.notices). Set NOTICE_DUMP_DIR to keep the PDFs to look at."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone, translation

from conftest import INSTANT_ITEM, act, submit
from tongban.cases.models import Notice
from tongban.cases.notices import notice_html, notice_number, notice_pdf, public_lookup_url
from tongban.lib.identifiers import synthetic_uscc

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The PDF's text (pdftotext), kept in NOTICE_DUMP_DIR when that is set."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    if dump := os.environ.get("NOTICE_DUMP_DIR"):
        Path(dump).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(dump) / path.name)
    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def short_case(carol):
    """carol's application with only the main identity material (M1)."""
    with time_machine.travel("2025-03-06 10:00+08:00"):
        return submit(carol, materials=["M1"])


def test_supplement_notice_lists_every_missing_material(short_case, alice, tmp_path):
    with time_machine.travel("2025-03-07 09:00+08:00"):
        act(alice, short_case, "request_supplement", missing_materials=["M2", "M3", "M4"],
            reason="发票须为原件")  # fmt: skip
    notice = short_case.notices.get(kind=Notice.Kind.SUPPLEMENT)
    pdf = notice_pdf(notice)
    assert pdf.startswith(b"%PDF")
    text = _flat(_text(pdf, tmp_path, "supplement"))
    assert short_case.number in text
    assert "莘县医疗保障局" in text
    assert "补正材料通知书" in text
    version = short_case.item_version
    for m in version.materials[1:]:
        assert _flat(m["name"]) in text, m["name"]
    assert "一次性告知" in text
    assert "发票须为原件" in text
    assert "2025年3月7日" in text


def test_acceptance_notice_gives_the_deadline_and_the_promised_materials(
    short_case, alice, tmp_path
):
    with time_machine.travel("2025-03-07 09:00+08:00"):  # a Friday
        act(alice, short_case, "accept", materials=["M2"], promised_supplement_by="2025-03-14")
    notice = short_case.notices.get(kind=Notice.Kind.ACCEPTANCE)
    text = _flat(_text(notice_pdf(notice), tmp_path, "acceptance"))
    assert short_case.number in text
    assert "莘县医疗保障局" in text and "受理通知书" in text
    assert "受理日期2025年3月7日" in text
    assert "2025年3月21日前" in text  # 10 working days
    assert "容缺受理" in text and "2025年3月14日" in text
    for m in short_case.item_version.materials[2:]:
        assert _flat(m["name"]) in text


def test_refusal_notice_gives_the_reason_and_how_to_appeal(online_case, alice, tmp_path):
    act(alice, online_case, "reject", reason="申请人不属于本市参保人员")
    notice = online_case.notices.get(kind=Notice.Kind.REFUSAL)
    text = _flat(_text(notice_pdf(notice), tmp_path, "refusal"))
    assert "不予受理通知书" in text
    assert online_case.number in text and "莘县医疗保障局" in text
    assert "申请人不属于本市参保人员" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_completion_notice_of_an_approval_carries_the_decision(accepted_case, rita, sam, tmp_path):
    act(rita, accepted_case, "approve")
    today = timezone.localdate()
    with translation.override("en"):  # a reviewer working in English issues a Chinese notice
        act(sam, accepted_case, "approve", decision={
            "amount_approved": "1200.00", "amount_not_covered": "80.50", "not_covered_reason": "自费药品",
            "paid_to_account": "6222 0202 0011 2233 445", "payment_date": today.isoformat()})  # fmt: skip
    notice = accepted_case.notices.get(kind=Notice.Kind.COMPLETION)
    text = _flat(_text(notice_pdf(notice), tmp_path, "completion"))
    assert "办结通知书" in text and "准予办理" in text
    assert accepted_case.number in text and "莘县医疗保障局" in text
    assert "行政复议" not in text
    assert "核准支付金额（元）1200.00元" in text and "不予支付金额（元）80.50元" in text
    assert "不予支付原因自费药品" in text
    assert "支付至银行账号6222****3445" in text  # masked on paper too
    assert f"预计支付日期{today.year}年{today.month}月{today.day}日" in text


def test_completion_notice_of_a_denial_says_why_and_how_to_appeal(accepted_case, rita, tmp_path):
    act(rita, accepted_case, "deny", reason="发票金额与清单不符")
    notice = accepted_case.notices.get(kind=Notice.Kind.COMPLETION)
    text = _flat(_text(notice_pdf(notice), tmp_path, "completion-denied"))
    assert "不予批准" in text and "发票金额与清单不符" in text
    assert "行政复议" in text


def test_an_instant_case_gets_one_notice_saying_it_was_finished_on_the_spot(
    alice, carol_applicant, tmp_path
):
    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol_applicant, materials=["M1"]
    )
    act(alice, case, "accept")
    (notice,) = case.notices.all()
    assert notice.kind == "completion"
    text = _flat(_text(notice_pdf(notice), tmp_path, "instant"))
    assert "即办件" in text and "当场受理并办结" in text and "准予办理" in text
    assert "承诺办结期限" not in text and "受理通知书" not in text
    assert "行政许可法" not in text


def _employer(seq: int = 41) -> dict:
    return {"id_number": synthetic_uscc(region="371522", seq=seq), "name": "莘县丰收农资有限公司",
            "insured_region": "371522", "kind": "employer"}  # fmt: skip


def test_a_public_service_cites_its_own_basis_and_addresses_a_person(accepted_case, tmp_path):
    text = _flat(_text(notice_pdf(accepted_case.notices.get()), tmp_path, "public-service"))
    assert "行政许可法" not in text
    assert "根据《中华人民共和国社会保险法》、《医疗保障基金使用监督管理条例》" in text
    assert "你于" in text and "你（单位）" not in text and "你单位" not in text
    assert "办理依据" in text


def test_a_licence_cites_the_licensing_law_and_addresses_an_employer(alice, tmp_path):
    case = submit(alice, "NY001", channel="window", applicant=_employer(),
                  materials=["M1", "M2", "M3", "M4", "M5"], form={})  # fmt: skip
    act(alice, case, "accept")
    text = _flat(_text(notice_pdf(case.notices.get()), tmp_path, "licence"))
    assert "根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理" in text
    assert "你单位于" in text and "你（单位）" not in text
    assert "设定依据《农药管理条例》" in text
    assert "全市通办·政务服务" in text  # not the medical-insurance letterhead


def test_rongque_acceptance_issues_a_promise_to_sign_kept_with_the_case(
    short_case, alice, client, tmp_path
):
    with time_machine.travel("2025-03-07 09:00+08:00"):
        act(alice, short_case, "accept", materials=["M2"], promised_supplement_by="2025-03-14")
    # Issued at one instant, in one batched statement: PostgreSQL numbers them in either order.
    kinds = sorted(n.kind for n in short_case.notices.all())
    assert kinds == ["acceptance", "promise"]
    promise = short_case.notices.get(kind=Notice.Kind.PROMISE)
    text = _flat(_text(notice_pdf(promise), tmp_path, "promise"))
    assert "容缺受理承诺书" in text and short_case.number in text
    assert "本人" in text and "承诺人（签字）" in text and "承诺单位（盖章）" not in text
    assert "2025年3月14日前补齐" in text
    for m in short_case.item_version.materials[2:]:
        assert _flat(m["name"]) in text
    acceptance = _flat(_text(notice_pdf(short_case.notices.get(kind="acceptance")), tmp_path, "a"))
    assert "已签署容缺受理承诺书" in acceptance
    client.force_login(alice)  # listed with the case's notices on the desk
    page = client.get(f"/desk/cases/{short_case.number}/").content.decode()
    assert f"/notices/{promise.pk}.pdf" in page and "容缺受理承诺书" in page


def test_the_qr_code_leads_to_the_status_page_without_personal_data(accepted_case, settings):
    settings.TONGBAN_PUBLIC_URL = "https://yb.example.gov.cn/"
    notice = accepted_case.notices.get()
    url = public_lookup_url(accepted_case.number)
    assert url == f"https://yb.example.gov.cn/lookup/?number={accepted_case.number}"
    html = notice_html(notice)
    assert 'src="data:image/svg+xml' in html
    assert accepted_case.applicant.id_number not in html  # only the masked number is printed
    assert accepted_case.applicant.masked_id in html


def test_the_notice_number_names_the_office_kind_and_year(accepted_case):
    notice = accepted_case.notices.get()
    assert notice_number(notice) == f"371522受〔{notice.issued_at.year}〕{notice.pk:06d}号"


def test_the_pdf_is_rendered_from_the_notice_as_issued(accepted_case):
    # The applicant's name changes later; the notice keeps the name it was issued to.
    notice = accepted_case.notices.get()
    accepted_case.applicant.name = "改名之后"
    accepted_case.applicant.save()
    notice.refresh_from_db()
    assert "改名之后" not in notice_html(notice)
    assert "Carol 王" in notice_html(notice)

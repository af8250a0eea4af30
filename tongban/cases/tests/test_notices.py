"""The written notices as PDFs (cases.notices). Set NOTICE_DUMP_DIR to keep the PDFs to look at."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine

from conftest import INSTANT_ITEM, act, submit
from tongban.cases.models import Notice
from tongban.cases.notices import notice_html, notice_number, notice_pdf, public_lookup_url

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


def test_completion_notice_of_an_approval(accepted_case, rita, sam, tmp_path):
    act(rita, accepted_case, "approve")
    act(sam, accepted_case, "approve")
    notice = accepted_case.notices.get(kind=Notice.Kind.COMPLETION)
    text = _flat(_text(notice_pdf(notice), tmp_path, "completion"))
    assert "办结通知书" in text and "准予办理" in text
    assert accepted_case.number in text and "莘县医疗保障局" in text
    assert "行政复议" not in text


def test_completion_notice_of_a_denial_says_why_and_how_to_appeal(accepted_case, rita, tmp_path):
    act(rita, accepted_case, "deny", reason="发票金额与清单不符")
    notice = accepted_case.notices.get(kind=Notice.Kind.COMPLETION)
    text = _flat(_text(notice_pdf(notice), tmp_path, "completion-denied"))
    assert "不予批准" in text and "发票金额与清单不符" in text
    assert "行政复议" in text


def test_an_instant_case_gets_both_notices_at_once(alice, carol_applicant):
    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol_applicant, materials=["M1"]
    )
    act(alice, case, "accept")
    kinds = [n.kind for n in case.notices.all()]
    assert kinds == ["acceptance", "completion"]
    for notice in case.notices.all():
        assert notice_pdf(notice).startswith(b"%PDF")


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

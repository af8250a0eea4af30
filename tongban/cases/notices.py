"""The written notices as documents: a Notice row rendered to an A4 PDF in Chinese.

The content was fixed in `Notice.data` when the service issued it (cases.services._notice),
so a notice renders the same whenever it is printed again. What the law wants on each:

- 受理通知书: the date of acceptance and the promised deadline; 容缺 materials with the date
  the applicant promised to supply them by.
- 不予受理通知书: the reason, and how to appeal (行政复议 / 行政诉讼).
- 补正材料通知书 (一次性告知, 行政许可法 §32): every material to supplement, in one notice,
  and that the time limit stops while the office waits.
- 办结通知书: the decision, with what the reviewer filled in (the amount approved, the account
  paid to…); a denial with its reason and how to appeal. An instant case (即办件) gets only
  this one, saying it was accepted and finished on the spot.
- 容缺受理承诺书: the applicant's promise to supply the missing secondary materials by a
  date, to print and sign (a person signs, an employer seals), kept with the case.

A person is addressed as 你, an employer as 你单位. The law cited is the item's: the wording of
行政许可法 only for licences (ItemKind.LICENCE); other items name their own legal basis.

Each carries the issuing office as its letterhead, a notice number, the case number, the
date, and a QR code that leads to the public status page (portal:lookup).
"""

import hashlib
import re
from datetime import date, datetime
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tongban.catalog.models import ItemKind
from tongban.offices.models import Office

from .models import BundleNotice, Notice, Status

# The character of each kind in a notice number: 〔受〕理, 〔不〕予受理, 〔补〕正, 办〔结〕.
NUMBER_WORDS = {
    Notice.Kind.ACCEPTANCE: "受",
    Notice.Kind.REFUSAL: "不受",
    Notice.Kind.SUPPLEMENT: "补",
    Notice.Kind.COMPLETION: "结",
    Notice.Kind.EXTENSION: "延",
    Notice.Kind.PROCEDURE: "特",
    Notice.Kind.PROMISE: "诺",
}
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_lookup_url(case_number: str) -> str:
    """The absolute address of the public status page for a case, as printed in the QR code.

    Only the case number goes in it: the reader still has to know the applicant's ID number."""
    base = (getattr(settings, "TONGBAN_PUBLIC_URL", "") or DEFAULT_PUBLIC_URL).rstrip("/")
    return f"{base}{reverse('portal:lookup')}?{urlencode({'number': case_number})}"


def notice_number(notice: Notice) -> str:
    """`371522受〔2025〕000012号`: the issuing office's code, the kind, the year, the notice id."""
    office = notice.office.code if notice.office_id else settings.TONGBAN_CITY_CODE
    year = timezone.localtime(notice.issued_at).year
    return f"{office}{NUMBER_WORDS.get(notice.kind, '')}〔{year}〕{notice.pk:06d}号"


def chinese_date(value) -> str:
    """2025年3月7日, from a date, an aware datetime (local day) or an ISO string."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _office_name(notice: Notice) -> str:
    name = notice.data.get("office") or (notice.office.name if notice.office_id else "")
    if not name:
        city = Office.objects.filter(code=settings.TONGBAN_CITY_CODE).only("name").first()
        name = city.name if city else ""
    return name


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


def notice_context(notice: Notice) -> dict:
    """What the template shows, all from the notice as issued."""
    data = notice.data
    kind = notice.kind
    lookup_url = public_lookup_url(data.get("number") or notice.case.number)
    deemed = bool(data.get("deemed"))
    # Whom it addresses: a person as 你, an employer as 你单位 (notices issued before the
    # applicant's kind was kept read it from the case). Which law it cites: the licence
    # wording of 行政许可法 only for a licence (行政许可); other items their own legal basis.
    applicant_kind = data.get("applicant_kind") or notice.case.applicant.kind
    item_kind = data.get("item_kind") or notice.case.item.kind
    legal_basis = data.get("legal_basis", "")
    context = {
        "notice": notice,
        "you": "你单位" if applicant_kind == "employer" else "你",
        "me": "本单位" if applicant_kind == "employer" else "本人",
        "employer": applicant_kind == "employer",
        "licence": item_kind == ItemKind.LICENCE,
        "legal_basis": legal_basis,
        "basis": _basis_cited(legal_basis),
        "medical": data.get("department", "医疗保障局") == "医疗保障局",
        "instant": bool(data.get("instant")),
        "decision": data.get("decision") or [],
        "kind": kind,
        "title": Notice.Kind(kind).label,
        "office": _office_name(notice),
        "notice_number": notice_number(notice),
        "case_number": data.get("number", ""),
        "item": data.get("item", ""),
        "item_code": data.get("item_code", ""),
        "applicant": data.get("applicant", ""),
        "applicant_id": data.get("applicant_id", ""),
        "agent": data.get("agent", ""),
        "agent_point": data.get("agent_point", ""),
        "submitted_on": chinese_date(data.get("submitted_at")),
        "issued_on": chinese_date(notice.issued_at),
        "accepted_on": chinese_date(data.get("submitted_at") if deemed else notice.issued_at),
        "deemed": deemed,
        "deadline": chinese_date(data.get("deadline")),
        "deadline_provisional": bool(data.get("deadline_provisional")),
        "missing_materials": data.get("missing_materials") or [],
        "promised_supplement_by": chinese_date(data.get("promised_supplement_by")),
        "supplement_due": chinese_date(data.get("supplement_due")),
        "deadline_note": data.get("deadline_note", ""),
        "reason": data.get("reason", ""),
        "appeal": data.get("appeal", ""),
        "result": data.get("result", ""),
        "not_supplied": data.get("not_supplied") or [],
        "days": data.get("days"),
        "deadline_before": chinese_date(data.get("deadline_before")),
        "kind_label": data.get("kind_label", ""),
        "started_on": chinese_date(data.get("started_on")),
        "lookup_url": lookup_url,
        "lookup_base": lookup_url.split("?")[0],
        "qr": _qr_data_uri(lookup_url),
    }
    return context


def _basis_cited(legal_basis: str) -> str:
    """The laws of an item's legal basis as a sentence cites them: 《A》、《B》, without the
    articles' notes in brackets; "" when it names none."""
    names = re.findall(r"《[^》]+》", legal_basis)
    return "、".join(dict.fromkeys(names))


# A notice is a Chinese document whoever prints it: the labels it takes from the models
# (Notice.Kind, Status) are translated, so it is rendered in Chinese.
@override("zh-hans")
def notice_html(notice: Notice) -> str:
    """The notice as an HTML document (the input of the PDF; tests read it)."""
    return render_to_string("cases/notice.html", notice_context(notice))


def _render(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, which only this needs.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def notice_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF (WeasyPrint, Noto CJK fonts)."""
    return _render(notice_html(notice))


def notice_pdf_stored(notice: Notice) -> bytes:
    """notice_pdf(), kept under MEDIA_ROOT/notices/ once rendered: rendering takes a few
    hundred milliseconds, and the same notice is downloaded again and again.

    The file is named after a digest of the HTML, so a changed template renders anew. A
    notice a partner platform issued on a case forwarded to it (跨区通办) is the partner's own
    PDF, kept when its message came (cases.partners)."""
    if partner_pdf := notice.data.get("partner_pdf"):
        with default_storage.open(partner_pdf, "rb") as f:
            return f.read()
    html = notice_html(notice)
    name = f"notices/{notice.pk}-{hashlib.sha256(html.encode()).hexdigest()[:16]}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as f:
            return f.read()
    pdf = _render(html)
    default_storage.save(name, ContentFile(pdf))
    return pdf


def notice_filename(notice: Notice) -> str:
    return f"{Notice.Kind(notice.kind).label}-{notice.data.get('number') or notice.case.number}.pdf"


# --- Bundle notices (一件事) ----------------------------------------------------------------

BUNDLE_NUMBER_WORDS = {BundleNotice.Kind.RECEIPT: "件", BundleNotice.Kind.SUPPLEMENT: "件补"}


@override("zh-hans")
def bundle_notice_html(notice: BundleNotice) -> str:
    """A bundle's receipt or its one supplement notice, listing its cases, as HTML."""
    data = notice.data
    office = data.get("office") or (notice.office.name if notice.office_id else "")
    if not office:
        city = Office.objects.filter(code=settings.TONGBAN_CITY_CODE).only("name").first()
        office = city.name if city else ""
    code = notice.office.code if notice.office_id else settings.TONGBAN_CITY_CODE
    year = timezone.localtime(notice.issued_at).year
    cases = [{**c, "status_label": Status(c["status"]).label if c.get("status") in Status.values else ""}
             for c in data.get("cases") or []]  # fmt: skip
    application = notice.application
    # As notice_context(): a person is 你, an employer 你单位; the licensing law only when
    # every item of the bundle is a licence (行政许可).
    licence = not application.bundle.items.exclude(kind=ItemKind.LICENCE).exists()
    return render_to_string("cases/bundle_notice.html", {
        "you": "你单位" if application.applicant.kind == "employer" else "你", "licence": licence,
        "kind": notice.kind, "title": BundleNotice.Kind(notice.kind).label, "office": office,
        "notice_number": f"{code}{BUNDLE_NUMBER_WORDS[notice.kind]}〔{year}〕{notice.pk:06d}号",
        "number": data.get("number", ""), "bundle": data.get("bundle", ""),
        "applicant": data.get("applicant", ""), "applicant_id": data.get("applicant_id", ""),
        "submitted_on": chinese_date(data.get("submitted_at")), "issued_on": chinese_date(notice.issued_at),
        "cases": cases, "missing_materials": data.get("missing_materials") or [],
        "materials": data.get("materials") or [], "reason": data.get("reason", ""),
        "supplement_due": chinese_date(data.get("supplement_due")),
    })  # fmt: skip


def bundle_notice_pdf(notice: BundleNotice) -> bytes:
    return _render(bundle_notice_html(notice))


def bundle_notice_filename(notice: BundleNotice) -> str:
    return f"{BundleNotice.Kind(notice.kind).label}-{notice.data.get('number', '')}.pdf"

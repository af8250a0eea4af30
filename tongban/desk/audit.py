"""The auditors' page under /desk/audit/: the audit trail listed newest first, filtered by
time, user, event, outcome and target, paged without a COUNT, and exported as CSV or Excel;
every export is itself an audit entry. Auditors only (三权分立: the administrators whose
actions it records do not read it here)."""

import csv
import io
import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from tongban.audit.models import Outcome
from tongban.audit.selectors import audit_head, entries_filtered
from tongban.audit.services import record
from tongban.lib.errors import InvalidInput
from tongban.lib.http import client_ip, private_download
from tongban.lib.paging import page_number, page_rows
from tongban.lib.text import date_clean
from tongban.people.models import Role

from .access import role_view

PAGE_SIZE = 50
EXPORT_MAX = 50_000  # rows in one export; more is refused, never cut off silently
FILTERS = ("from", "to", "user", "event", "outcome", "target")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Signed-in auditors; anyone else signed in gets 403, the anonymous the sign-in page.
auditors_only = role_view({Role.AUDITOR}, refused=gettext_lazy("审计日志仅供审计员查看"),
                          applicants_to_portal=False)  # fmt: skip


def _filters(request) -> tuple[dict, dict]:
    """(the filters as typed, to put back in the form and links; entries_filtered's
    arguments). A bad date is reported and dropped."""
    typed = {k: request.GET.get(k, "").strip()[:150] for k in FILTERS}
    days = {}
    for key in ("from", "to"):
        try:
            days[key] = date_clean(typed[key], field=key)
        except InvalidInput as e:
            messages.error(request, e.message)
            typed[key], days[key] = "", None
    if typed["outcome"] not in Outcome.values:
        typed["outcome"] = ""
    return typed, {
        "start": days["from"], "end": days["to"], "username": typed["user"],
        "event": typed["event"], "outcome": typed["outcome"], "target": typed["target"],
    }  # fmt: skip


@auditors_only
def audit_log(request):
    typed, filters = _filters(request)
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(entries_filtered(**filters), page, PAGE_SIZE)
    for row in rows:
        row.data_text = json.dumps(row.data, ensure_ascii=False, sort_keys=True)
    query = urlencode({k: v for k, v in typed.items() if v})
    head_seq, head_hash = audit_head()
    return render(request, "desk/audit.html", {
        "rows": rows, "page": page, "has_next": has_next, "filters": typed, "query": query,
        "filtered": any(typed.values()), "outcomes": Outcome.choices, "head_seq": head_seq,
        "head_hash": head_hash,
    })  # fmt: skip


@auditors_only
def audit_export(request, fmt: str):
    """The entries the page's filters select, all of them (up to EXPORT_MAX), as a download;
    the export is recorded with its filters and row count."""
    typed, filters = _filters(request)
    given = {k: v for k, v in typed.items() if v}
    rows = list(entries_filtered(**filters)[: EXPORT_MAX + 1])
    if len(rows) > EXPORT_MAX:
        messages.error(request, _("符合条件的记录超过 %(n)s 条，请缩小时间范围或加上其他条件后再导出")
                       % {"n": f"{EXPORT_MAX:,}"})  # fmt: skip
        return redirect(reverse("desk:audit") + (f"?{urlencode(given)}" if given else ""))
    content = _csv(rows) if fmt == "csv" else _xlsx(rows)
    record(event="audit.exported", user=request.user, ip=client_ip(request), target="audit",
           format=fmt, filters=given, rows=len(rows))  # fmt: skip
    name = f"tongban-audit-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
    return private_download(content, filename=name, content_type=FORMATS[fmt])


HEADINGS = [
    gettext_lazy("序号"), gettext_lazy("时间"), gettext_lazy("用户"), gettext_lazy("机构"),
    gettext_lazy("事件"), gettext_lazy("结果"), gettext_lazy("对象"), gettext_lazy("来源地址"),
    gettext_lazy("详情"), gettext_lazy("前一哈希"), gettext_lazy("哈希"),
]  # fmt: skip


def _cells(entry) -> list:
    return [
        entry.seq,
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.username,
        entry.office.name if entry.office else "",
        entry.event,
        entry.get_outcome_display(),
        entry.target,
        entry.ip or "",
        json.dumps(entry.data, ensure_ascii=False, sort_keys=True),
        entry.prev_hash,
        entry.hash,
    ]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in HEADINGS])
    for entry in rows:
        # A cell starting with = + - @ would be a formula to a spreadsheet (a username typed at
        # a failed sign-in is anyone's text): a leading ' keeps it text.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
                         for v in _cells(entry)])  # fmt: skip
    return "\ufeff".encode() + out.getvalue().encode()  # the BOM: Excel then reads UTF-8


def _xlsx(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.append([str(h) for h in HEADINGS])
    for entry in rows:
        cells = []
        for value in _cells(entry):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text that merely starts with "=", not a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

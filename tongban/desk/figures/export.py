"""Excel workbooks (openpyxl) of the figures pages: the same numbers as the page and the API.

Rates are stored as fractions with a percent format, so a spreadsheet can compute with them;
an undefined rate is an empty cell."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tongban.stats.selectors import (
    BREAKDOWNS,
    COMPRESSION_MEASURES,
    FIGURES,
    RATES,
    Figures,
    filters_codes,
)

HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="0B5CAD")
PERCENT = "0.0%"
FILTER_LABELS = {
    "office": gettext_lazy("经办机构"),
    "item": gettext_lazy("事项"),
    "channel": gettext_lazy("渠道"),
    "insured_region": gettext_lazy("参保地"),
    "applicant_kind": gettext_lazy("申请人类型"),
}


def _head(ws, labels: list[str]) -> None:
    ws.append([str(label) for label in labels])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = f"C{ws.max_row + 1}"  # a coordinate: ws.cell() would create a row


def _widths(ws, first: int = 14, second: int = 28, rest: int = 11) -> None:
    for i in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(i)].width = (
            first if i == 1 else second if i == 2 else rest
        )


def _figure_cells(ws, row: int, first_col: int) -> None:
    for i, name in enumerate(FIGURES):
        cell = ws.cell(row=row, column=first_col + i)
        if name in RATES:
            cell.number_format = PERCENT
        elif name == "avg_handling_workdays":
            cell.number_format = "0.00"


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def figures_workbook(figures: Figures, summary: dict, tables: list[dict],
                     filter_names: dict | None = None) -> bytes:  # fmt: skip
    """One sheet for the summary, one per table of the page (sheet named after the table), in
    the reader's language. `filter_names` ({dimension: name}) names the filters for people;
    without it the codes are shown."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("汇总")
    ws.append([_("统计区间"), _("%(start)s 至 %(end)s（按申请日期）") % {
        "start": figures.period.start, "end": figures.period.end}])  # fmt: skip
    for dim, code in filters_codes(figures.filters).items():
        ws.append([str(FILTER_LABELS[dim]), (filter_names or {}).get(dim) or code])
    as_of = timezone.localtime(figures.as_of).strftime("%Y-%m-%d %H:%M") if figures.as_of else ""
    ws.append([_("数据截至"), as_of])
    ws.append([])
    _head(ws, [_("指标"), _("数值")])
    ws.freeze_panes = None
    for name, label in FIGURES.items():
        ws.append([str(label), summary[name]])
        if name in RATES:
            ws.cell(row=ws.max_row, column=2).number_format = PERCENT
    _widths(ws, 24, 14, 14)
    for table in tables:
        title = str(BREAKDOWNS[table["by"]])
        sheet = wb.create_sheet(title)
        _head(sheet, [_("代码"), title, *FIGURES.values()])
        for row in table["rows"]:
            sheet.append([row["key"], str(row["label"]), *(row[name] for name in FIGURES)])
            _figure_cells(sheet, sheet.max_row, 3)
        sheet.append([_("合计"), "", *(summary[name] for name in FIGURES)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        _figure_cells(sheet, sheet.max_row, 3)
        _widths(sheet)
    return _save(wb)


def compression_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("事项压缩")
    baseline = data["baseline"] or (
        _("第 %(n)s 版") % {"n": data["baseline_version"]}
        if data["baseline_version"]
        else _("各事项首个版本")
    )
    ws.append([_("基准"), baseline, _("对比日期"), data["on"]])
    ws.append([])
    labels = [_("事项编码"), _("事项名称"), _("基准版本"), _("现行版本")]
    for label in COMPRESSION_MEASURES.values():
        labels += [f"{label}·{_('基准')}", f"{label}·{_('现行')}", f"{label}·{_('压缩')}"]
    _head(ws, [*labels, _("承诺比法定压缩"), _("计入合计")])
    for row in data["items"]:
        values = [row["code"], row["name"], row["baseline_version"], row["current_version"]]
        for measure in COMPRESSION_MEASURES:
            m = row[measure]
            values += [m["then"], m["now"], m["cut"]]
        ws.append([*values, row["promised_vs_legal"], _("是") if row["counted"] else _("否")])
    total = data["total"]
    values = [_("合计"), _("%(n)s 个事项") % {"n": total["items"]}, None, None]
    for measure in COMPRESSION_MEASURES:
        m = total[measure]
        values += [m["then"], m["now"], m["cut"]]
    ws.append([*values, total["promised_vs_legal"], ""])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=4):
        for i, cell in enumerate(row, 1):
            if i >= 5 and (i - 5) % 3 == 2 or i == 5 + 3 * len(COMPRESSION_MEASURES):
                cell.number_format = PERCENT
    _widths(ws, 12, 30, 10)
    return _save(wb)

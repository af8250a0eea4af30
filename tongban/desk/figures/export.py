"""Excel workbooks (openpyxl) of the figures pages: the same numbers as the page and the API.

Rates are stored as fractions with a percent format, so a spreadsheet can compute with them;
an undefined rate is an empty cell."""

from io import BytesIO

from django.utils import timezone
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
    "office": "经办机构",
    "item": "事项",
    "channel": "渠道",
    "insured_region": "参保地",
    "applicant_kind": "申请人类型",
}


def _head(ws, labels: list[str]) -> None:
    ws.append(labels)
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


def figures_workbook(figures: Figures, summary: dict, tables: list[dict]) -> bytes:
    """One sheet for the summary, one per table of the page (sheet named after the table)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["统计区间", f"{figures.period.start} 至 {figures.period.end}（按申请日期）"])
    for dim, code in filters_codes(figures.filters).items():
        ws.append([FILTER_LABELS[dim], code])
    as_of = timezone.localtime(figures.as_of).strftime("%Y-%m-%d %H:%M") if figures.as_of else ""
    ws.append(["数据截至", as_of])
    ws.append([])
    _head(ws, ["指标", "名称", "数值"])
    ws.freeze_panes = None
    for name, label in FIGURES.items():
        ws.append([name, label, summary[name]])
        if name in RATES:
            ws.cell(row=ws.max_row, column=3).number_format = PERCENT
    _widths(ws, 24, 18, 14)
    for table in tables:
        sheet = wb.create_sheet(BREAKDOWNS[table["by"]])
        _head(sheet, ["代码", BREAKDOWNS[table["by"]], *FIGURES.values()])
        for row in table["rows"]:
            sheet.append([row["key"], row["label"], *(row[name] for name in FIGURES)])
            _figure_cells(sheet, sheet.max_row, 3)
        sheet.append(["合计", "", *(summary[name] for name in FIGURES)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        _figure_cells(sheet, sheet.max_row, 3)
        _widths(sheet)
    return _save(wb)


def compression_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "事项压缩"
    baseline = data["baseline"] or (
        f"第 {data['baseline_version']} 版" if data["baseline_version"] else "各事项首个版本"
    )
    ws.append(["基准", baseline, "对比日期", data["on"]])
    ws.append([])
    labels = ["事项编码", "事项名称", "基准版本", "现行版本"]
    for label in COMPRESSION_MEASURES.values():
        labels += [f"{label}·基准", f"{label}·现行", f"{label}·压缩"]
    _head(ws, [*labels, "承诺比法定压缩", "计入合计"])
    for row in data["items"]:
        values = [row["code"], row["name"], row["baseline_version"], row["current_version"]]
        for measure in COMPRESSION_MEASURES:
            m = row[measure]
            values += [m["then"], m["now"], m["cut"]]
        ws.append([*values, row["promised_vs_legal"], "是" if row["counted"] else "否"])
    total = data["total"]
    values = ["合计", f"{total['items']} 个事项", None, None]
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

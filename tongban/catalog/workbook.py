"""The whole catalog as an Excel workbook: the form offices keep their item lists in.

Sheets (header in row 1, data from row 2; a header reads "中文 key" and is matched by its
English key, so columns may be reordered and the Chinese label reworded):

  事项  one row per item: identity, status and the rules of one version
  材料  one row per material of an item, in order (no row = the item asks for no material)
  表单  one row per field of an item's application form, in order
  说明  what every column means and which values it takes; ignored on import

Export writes each item's latest version, the one a re-import is compared against, so that
export → import with no edits changes nothing. Import reads and checks the whole workbook
first, with the same rules as every other way into the catalog (services.version_data_clean);
any error anywhere and nothing is written. The writes (services.catalog_item_save and
catalog_item_set_status) then run in one transaction.
"""

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from os import PathLike

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from tongban.audit.services import record
from tongban.lib.errors import DomainError, InvalidInput
from tongban.offices.models import Office

from .models import Channel, HandlingType, ItemVersion, ServiceItem
from .services import (
    APPLICANT_KINDS,
    FORM_TYPES,
    STEP_ROLES,
    catalog_item_save,
    catalog_item_set_status,
    version_data_clean,
)

ITEMS, MATERIALS, FORM, README = "事项", "材料", "表单", "说明"
SHEET_ALIASES = {ITEMS: ("items",), MATERIALS: ("materials",), FORM: ("form", "form fields")}


@dataclass(frozen=True)
class Column:
    key: str  # stable English key, the last word of the header
    label: str
    width: int
    help: str
    values: str = ""
    info: bool = False  # written for the reader, ignored on import
    optional: bool = False  # a workbook exported before the column existed may leave it out

    @property
    def header(self) -> str:
        return f"{self.label} {self.key}"


def _labels(choices) -> str:
    return "、".join(f"{_zh(label)}（{value}）" for value, label in choices.choices)


def _zh(label) -> str:
    """A model's choice label in Chinese: the workbook is a Chinese sheet, read back by these
    words whatever language its writer's pages are in."""
    with override("zh-hans"):
        return str(label)


ITEM_COLUMNS = [
    Column("code", "事项编码", 12, "事项的唯一编码；新编码 = 新事项", "必填，最长 40 字"),
    Column("name", "事项名称", 28, "", "必填"),
    Column("category", "事项类别", 22, "", "必填"),
    Column("handling_type", "办件类型", 10, "即办件当场办结；承诺件在承诺时限内办结",
           _labels(HandlingType)),
    Column("legal_days", "法定时限（工作日）", 10, "法律规定的办理时限", "0–365 的整数"),
    Column("promised_days", "承诺时限（工作日）", 10, "不得长于法定时限；即办件为 0",
           "0–365 的整数"),
    Column("channels", "办理渠道", 22, "可申请的渠道，多个用逗号分隔", _labels(Channel)),
    Column("citywide", "全市通办", 8, "否 = 只能由属地机构办理", "是 / 否（空白 = 是）"),
    Column("steps", "审核环节", 30, "受理后的审核环节，按顺序，分号分隔；承诺件至少一个",
           "环节名:角色，角色为 reviewer（审核员）或 second_reviewer（复审员），"
           "如 审核:reviewer; 复审:second_reviewer；由其他机构或科室办理的环节，"
           "在角色后写 @机构代码 和/或 #科室，如 复审:second_reviewer@371500#基金科"),
    Column("applicant_kinds", "申请人类型", 12, "多个用逗号分隔（空白 = 两者皆可）",
           "个人（person）、单位（employer）"),
    Column("status", "状态", 8, "改为暂停或已废止即停止受理新申请；已废止不可恢复",
           f"{_labels(ServiceItem.Status)}；空白 = 不变（新事项为在办）"),
    Column("status_reason", "状态说明", 24, "暂停、废止的原因", "最长 200 字"),
    Column("home_office", "属地机构", 10, "不通办时办理该事项的机构",
           "区划代码，见本表下方的机构列表"),
    Column("department", "实施部门", 14, "", "必填"),
    Column("effective_from", "生效日期", 12,
           "导出时为所列版本的生效日期；规则有改动时，改为更晚的日期即新版本自该日起生效",
           "日期 YYYY-MM-DD；空白或不改 = 导入时指定的日期，未指定则为导入当天"),
    Column("version", "版本", 6, "所列版本的版本号（仅供参考）", info=True),
    Column("conditions", "申请条件", 30, ""),
    Column("legal_basis", "设定依据", 30, ""),
    Column("fees", "收费标准", 12, "", "空白 = 不收费"),
    Column("notes", "备注", 30, ""),
]  # fmt: skip
MATERIAL_COLUMNS = [
    Column("item", "事项编码", 12, "所属事项，须在“事项”表中", "必填"),
    Column("item_name", "事项名称", 28, "仅供参考", info=True),
    Column("code", "材料编码", 10, "同一事项内唯一，办件以此记录已交材料", "必填，如 M1"),
    Column("name", "材料名称", 50, "", "必填"),
    Column("form", "原件/复印件", 10, "", "原件（original）、复印件（copy）；空白 = 原件"),
    Column("secondary", "容缺", 8, "是 = 可先受理、后补交（容缺受理）", "是 / 否（空白 = 否）"),
]  # fmt: skip
FORM_COLUMNS = [
    Column("item", "事项编码", 12, "所属事项，须在“事项”表中", "必填"),
    Column("item_name", "事项名称", 28, "仅供参考", info=True),
    Column("name", "字段名", 16, "同一事项内唯一，系统内部使用", "必填，英文字母、数字、下划线"),
    Column("label", "显示名称", 20, "申请表上显示的名称", "空白 = 字段名"),
    Column("type", "类型", 10, "",
           "text（文本）、number（数字）、money（金额）、date（日期）、choice（选择）、bool（是否）、"
           "account（银行账号）、phone（电话）"),
    Column("required", "必填", 8, "", "是 / 否（空白 = 否）"),
    Column("choices", "选项", 24, "类型为 choice 时的可选值", "用顿号“、”或逗号分隔"),
    Column("rules", "规则", 28, "金额、数字：min、max；日期：min_days、max_days（距今天数）；"
           "账号：luhn（银行卡号校验）；金额：total（claimed 计入申请金额）",
           "key=value，用分号分隔，如 max=50000；total=claimed", optional=True),
]  # fmt: skip
SHEET_COLUMNS = {ITEMS: ITEM_COLUMNS, MATERIALS: MATERIAL_COLUMNS, FORM: FORM_COLUMNS}

# Words accepted for each coded value: the English key, the Chinese label, and a few
# spellings people use. Export writes the Chinese label.
YES = {"是", "true", "yes", "y", "1", "√", "✓", "t"}
NO = {"否", "false", "no", "n", "0", "×", "f"}
HANDLING_WORDS = {"instant": "instant", "即办件": "instant", "即办": "instant",
                  "promised": "promised", "承诺件": "promised", "承诺": "promised"}  # fmt: skip
CHANNEL_WORDS = {"web": "web", "网上办": "web", "网上": "web", "网办": "web",
                 "mobile": "mobile", "掌上办": "mobile", "掌上": "mobile", "掌办": "mobile",
                 "window": "window", "窗口办": "window", "窗口": "window"}  # fmt: skip
STATUS_WORDS = {s: s for s in ServiceItem.Status.values} | {
    _zh(label): value for value, label in ServiceItem.Status.choices
} | {"废止": "retired", "正常": "active", "在用": "active"}  # fmt: skip
KIND_WORDS = {"person": "person", "个人": "person", "自然人": "person", "参保人": "person",
              "employer": "employer", "单位": "employer", "参保单位": "employer",
              "法人": "employer"}  # fmt: skip
KIND_LABELS = {"person": "个人", "employer": "单位"}
MATERIAL_FORM_WORDS = {"original": "original", "原件": "original",
                       "copy": "copy", "复印件": "copy", "复印": "copy"}  # fmt: skip
MATERIAL_FORM_LABELS = {"original": "原件", "copy": "复印件"}
FIELD_TYPE_WORDS = {t: t for t in FORM_TYPES} | {
    "文本": "text", "数字": "number", "日期": "date", "选择": "choice", "单选": "choice",
    "是否": "bool", "账号": "account", "银行账号": "account", "金额": "money",
    "电话": "phone",
}  # fmt: skip
RULE_KEYS = {"min", "max", "min_days", "max_days", "luhn", "total"}
ROLE_WORDS = {"reviewer": "reviewer", "审核员": "reviewer",
              "second_reviewer": "second_reviewer", "复审员": "second_reviewer"}  # fmt: skip
assert set(ROLE_WORDS.values()) == set(STEP_ROLES)
assert set(KIND_WORDS.values()) == set(APPLICANT_KINDS)

LIST_SPLIT = re.compile(r"[,，、;；/\s]+")
STEP_SPLIT = re.compile(r"\s*(?:;|；|\n|→|->|=>|,|，|、)\s*")
CHOICE_SPLIT = re.compile(r"\s*(?:、|,|，|;|；|\n|\|)\s*")


# ---------------------------------------------------------------------------------------------
# Errors and the report


@dataclass(frozen=True)
class WorkbookError:
    """One problem, at a place a person can find: sheet, row and column as Excel shows them."""

    sheet: str
    row: int | None
    column: str  # letter, "" when the whole row or sheet is at fault
    header: str  # the column's key, e.g. "promised_days"
    message: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row or ''}"

    def __str__(self):
        if self.row and self.column:
            where = f"{self.sheet}!{self.column}{self.row}"
        elif self.row:
            where = f"{self.sheet}!{self.row}:{self.row}"
        else:
            where = self.sheet
        return (
            f"{where} ({self.header}): {self.message}"
            if self.header
            else f"{where}: {self.message}"
        )


class CatalogImportError(InvalidInput):
    """The workbook has errors; nothing was imported. `errors` lists every one found."""

    code = "invalid_workbook"

    def __init__(self, errors: list[WorkbookError]):
        self.errors = list(errors)
        super().__init__(
            f"工作簿有 {len(self.errors)} 处错误，未导入任何内容 "
            f"(the workbook has {len(self.errors)} error(s); nothing was imported)",
            code="invalid_workbook",
        )


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # new items
    revised: list[str] = field(default_factory=list)  # a new version of the rules
    updated: list[str] = field(default_factory=list)  # name/category/department/office only
    unchanged: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)  # suspended, resumed, retired
    absent: list[str] = field(default_factory=list)  # in the catalog, not in the workbook
    versions: dict[str, tuple[int, date]] = field(default_factory=dict)  # code → (number, from)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in
                ("created", "revised", "updated", "unchanged", "status_changed")}  # fmt: skip

    @property
    def changed(self) -> bool:
        return bool(self.created or self.revised or self.updated or self.status_changed)

    def lines(self) -> list[str]:
        head = (
            "检查通过，未写入 (dry run, nothing written)" if self.dry_run else "导入完成 (imported)"
        )
        out = [
            f"{head}: 新增 created {len(self.created)}, 修订 revised {len(self.revised)}, "
            f"资料更新 updated {len(self.updated)}, 状态变更 status changed "
            f"{len(self.status_changed)}, 未变 unchanged {len(self.unchanged)}"
        ]

        def with_version(code):
            if code not in self.versions:
                return code
            number, effective = self.versions[code]
            return f"{code} v{number}（{effective.isoformat()} 起）"

        for label, codes in (
            ("新增 created", [with_version(c) for c in self.created]),
            ("修订 revised", [with_version(c) for c in self.revised]),
            ("资料更新 updated", self.updated),
            ("状态变更 status changed", self.status_changed),
            ("工作簿中没有、保持不变 not in the workbook, left as they are", self.absent),
        ):
            if codes:
                out.append(f"  {label}: {', '.join(codes)}")
        out += [f"  注意 warning: {w}" for w in self.warnings]
        return out

    def __str__(self):
        return "\n".join(self.lines())


# ---------------------------------------------------------------------------------------------
# Export


def catalog_workbook_export(*, on: date | None = None, items=None) -> bytes:
    """The catalog (or the ServiceItem queryset `items`) as an .xlsx file.

    Every item is written whatever its status. Without `on`, each with its latest version
    (pending ones included: that is the version an import compares against); with `on`, the
    version in force that day, or the latest where none is yet."""
    items = list(
        (ServiceItem.objects.all() if items is None else items)
        .select_related("home_office")
        .order_by("code")
    )
    versions: dict[int, list[ItemVersion]] = defaultdict(list)
    for v in ItemVersion.objects.filter(item__in=items).order_by("item_id", "number"):
        versions[v.item_id].append(v)

    def shown(item) -> ItemVersion | None:
        mine = versions.get(item.pk, [])
        if on is not None:
            # The same choice as selectors.item_version_current.
            in_force = [v for v in mine if v.effective_from <= on]
            if in_force:
                return max(in_force, key=lambda v: (v.effective_from, v.number))
        return mine[-1] if mine else None

    wb = Workbook()
    ws_items = wb.active
    ws_items.title = ITEMS
    ws_materials = wb.create_sheet(MATERIALS)
    ws_form = wb.create_sheet(FORM)
    ws_readme = wb.create_sheet(README)
    for ws in (ws_items, ws_materials, ws_form):
        _write_header(ws, SHEET_COLUMNS[ws.title])

    for item in items:
        v = shown(item)
        row = {
            "code": item.code,
            "name": item.name,
            "category": item.category,
            "status": _zh(item.get_status_display()),
            "status_reason": item.status_reason,
            "home_office": item.home_office.code,
            "department": item.department,
        }
        if v is not None:
            row |= {
                "handling_type": _zh(v.get_handling_type_display()),
                "legal_days": v.legal_days,
                "promised_days": v.promised_days,
                "channels": ",".join(_zh(Channel(c).label) for c in v.channels),
                "citywide": "是" if v.citywide else "否",
                "steps": "; ".join(
                    f"{s['name']}:{s['role']}"
                    + (f"@{s['office']}" if s.get("office") else "")
                    + (f"#{s['department']}" if s.get("department") else "")
                    for s in v.steps
                ),
                "applicant_kinds": ",".join(KIND_LABELS[k] for k in v.applicant_kinds),
                "effective_from": v.effective_from,
                "version": v.number,
                "conditions": v.conditions,
                "legal_basis": v.legal_basis,
                "fees": v.fees,
                "notes": v.notes,
            }
            for m in v.materials:
                _write_row(ws_materials, MATERIAL_COLUMNS, {
                    "item": item.code, "item_name": item.name, "code": m["code"],
                    "name": m["name"], "form": MATERIAL_FORM_LABELS[m["form"]],
                    "secondary": "是" if m["secondary"] else "否",
                })  # fmt: skip
            for f in v.form:
                _write_row(ws_form, FORM_COLUMNS, {
                    "item": item.code, "item_name": item.name, "name": f["name"],
                    "label": f["label"], "type": f["type"],
                    "required": "是" if f["required"] else "否",
                    "choices": "、".join(f.get("choices", [])),
                    "rules": "；".join(f"{k}={f[k]}" for k in sorted(RULE_KEYS) if k in f),
                })  # fmt: skip
        _write_row(ws_items, ITEM_COLUMNS, row)

    offices = _write_readme(ws_readme, on=on)
    _add_choices(ws_items, ITEM_COLUMNS, {
        "handling_type": HandlingType.labels, "citywide": ["是", "否"],
        "status": ServiceItem.Status.labels,
    })  # fmt: skip
    if offices:
        col = _column_letter(ITEM_COLUMNS, "home_office")
        dv = DataValidation(type="list", formula1=f"'{README}'!{offices}", allow_blank=True)
        dv.showErrorMessage = False
        ws_items.add_data_validation(dv)
        dv.add(f"{col}2:{col}2000")
    _add_choices(ws_materials, MATERIAL_COLUMNS, {
        "form": ["原件", "复印件"], "secondary": ["是", "否"],
    })  # fmt: skip
    _add_choices(ws_form, FORM_COLUMNS, {"type": list(FORM_TYPES), "required": ["是", "否"]})
    ws_items.freeze_panes = "C2"
    ws_materials.freeze_panes = "C2"
    ws_form.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INFO_FILL = PatternFill("solid", fgColor="EDEDED")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def _write_header(ws, columns):
    ws.append([c.header for c in columns])
    for i, c in enumerate(columns, 1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="808080" if c.info else None)
        cell.fill = INFO_FILL if c.info else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.row_dimensions[1].height = 45
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"


def _write_row(ws, columns, values: dict):
    # Counted here: openpyxl's max_row scans every cell, which is quadratic over a catalog.
    row = ws.rows_written = getattr(ws, "rows_written", 1) + 1
    for i, c in enumerate(columns, 1):
        value = values.get(c.key)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = ws.cell(row=row, column=i, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text that merely starts with "=", not a formula
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        # Long texts stay on one line, so that a row is a line of the list; Excel shows the
        # whole text in the formula bar.
        cell.alignment = TOP
        if c.info:
            cell.fill = INFO_FILL
            cell.font = Font(color="808080")


def _column_letter(columns, key) -> str:
    return get_column_letter([c.key for c in columns].index(key) + 1)


def _add_choices(ws, columns, choices: dict):
    # A drop-down to pick from; not enforced, since the English keys are accepted too and
    # the import checks every cell anyway.
    for key, values in choices.items():
        col = _column_letter(columns, key)
        dv = DataValidation(
            type="list", formula1='"' + ",".join(map(_zh, values)) + '"', allow_blank=True
        )
        dv.showErrorMessage = False
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}2000")


README_RULES = [
    "导入时以列标题末尾的英文键识别各列（如“承诺时限（工作日） promised_days”）：列的顺序可以调整，"
    "中文可以改写，英文键不要改；灰色列仅供参考，导入时忽略。",
    "“事项”表每个事项一行；“材料”“表单”两表每行一项，按行的先后排列，以事项编码对应“事项”表。"
    "某事项在“材料”表中没有行，即该事项不需要提交材料（表单同理）。三张表都必须保留。",
    "导入时先检查整个工作簿；只要有一处错误，就不写入任何内容，并逐条列出“表名!单元格 (列): 原因”。",
    "规则（办件类型、时限、渠道、通办、审核环节、申请人类型、材料、表单、条件、依据、收费、备注）"
    "与最新版本不同的事项生成新版本；已有版本从不修改，已申请的办件继续按原版本办理。",
    "新版本的生效日期：把“生效日期”改为晚于现行版本的日期，即以该日期为准；不改或空白，则为导入时"
    "指定的日期（tongban import-catalog --effective-from），未指定则为导入当天。",
    "名称、类别、实施部门、属地机构的修改直接生效，不生成新版本。",
    "状态改为“暂停”或“已废止”即停止受理新申请（已受理的办件照常办结）；已废止的事项不能再修改或恢复。",
    "工作簿中没有的事项保持不变：事项从不删除，停用请修改状态。",
]


def _write_readme(ws, *, on: date | None) -> str:
    """Write the readme sheet; return the cell range of the office codes, for a drop-down."""
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 48
    ws.column_dimensions["D"].width = 60
    ws.append(["通办事项清单工作簿 (tongban catalog workbook)"])
    ws["A1"].font = Font(bold=True, size=14)
    scope = "各事项的最新版本（含尚未生效的版本）" if on is None else f"{on.isoformat()} 施行的版本"
    ws.append([f"导出于 {timezone.localtime():%Y-%m-%d %H:%M}；所列为{scope}。本表导入时忽略。"])
    ws.append([])
    for n, rule in enumerate(README_RULES, 1):
        ws.append([f"{n}.", rule])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=4)
        ws.cell(row=ws.max_row, column=2).alignment = WRAP
        ws.row_dimensions[ws.max_row].height = 32
    ws.append([])
    ws.append(["表 sheet", "列标题 header", "含义 meaning", "可填的值 values"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for sheet, columns in SHEET_COLUMNS.items():
        for c in columns:
            help_text = c.help + ("（导入时忽略）" if c.info else "")
            ws.append([sheet, c.header, help_text, c.values])
            for cell in ws[ws.max_row]:
                cell.alignment = WRAP
    ws.append([])
    ws.append(["区划代码 code", "经办机构 office（属地机构可填的代码）"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    first = ws.max_row + 1
    for office in Office.objects.filter(external=False).order_by("code"):
        ws.append([office.code, office.name])
    last = ws.max_row
    return f"$A${first}:$A${last}" if last >= first else ""


# ---------------------------------------------------------------------------------------------
# Import


class _CellError(ValueError):
    pass


REQUIRED = object()


@dataclass
class _Row:
    """One item as read from the workbook, with the rows its materials and fields came from."""

    row: int
    code: str
    name: str = ""
    category: str = ""
    department: str = ""
    status: str | None = None  # None: leave as it is
    status_reason: str = ""
    home_office: Office | None = None
    effective_from: date | None = None
    version: dict = field(default_factory=dict)
    material_rows: list[int] = field(default_factory=list)
    form_rows: list[int] = field(default_factory=list)
    ok: bool = True


@dataclass
class _Plan:
    row: _Row
    version: dict  # as version_data_clean returned it
    effective_from: date | None  # of the new version; None when the rules are unchanged


class _Reader:
    """Reads sheets by their header keys and collects every error it meets."""

    def __init__(self):
        self.errors: list[WorkbookError] = []
        self.warnings: list[str] = []
        self.letters: dict[tuple[str, str], str] = {}
        self.broken: set[str] = set()  # sheets missing, or missing columns

    def error(self, sheet: str, row: int | None, key: str, message: str):
        letter = self.letters.get((sheet, key), "")
        self.errors.append(WorkbookError(sheet, row, letter, key, message))

    def cell(self, sheet: str, row: int, cells: dict, key: str, parser, *args):
        """Parse one cell; on failure, record the error and raise _CellError."""
        try:
            return parser(cells.get(key), *args)
        except _CellError as e:
            self.error(sheet, row, key, str(e))
            raise

    def rows(self, wb, name: str):
        """Yield (row number, {key: value}) for every non-blank data row of sheet `name`."""
        ws = None
        for title in wb.sheetnames:
            if title.strip() == name or title.strip().lower() in SHEET_ALIASES[name]:
                ws = wb[title]
                break
        if ws is None:
            self.broken.add(name)
            self.errors.append(
                WorkbookError(name, None, "", "", f"缺少工作表“{name}” (missing sheet)")
            )
            return
        columns = SHEET_COLUMNS[name]
        by_key = {c.key: c for c in columns}
        by_label = {c.label: c for c in columns}
        values = ws.iter_rows(values_only=True)
        index: dict[str, int] = {}
        for i, text in enumerate(next(values, None) or ()):
            text = str(text or "").strip()
            words = text.split()
            column = (by_key.get(words[-1].lower()) if words else None) or by_label.get(text)
            if column is None:
                continue  # a column of the office's own: ignored
            letter = get_column_letter(i + 1)
            if column.key in index:
                self.errors.append(
                    WorkbookError(name, 1, letter, column.key, "列重复 (duplicate column)")
                )
                continue
            index[column.key] = i
            self.letters[(name, column.key)] = letter
        missing = [c for c in columns if not (c.info or c.optional) and c.key not in index]
        for c in missing:
            self.error(name, 1, c.key, f"缺少列“{c.header}” (missing column)")
        if missing:
            self.broken.add(name)
            return
        for n, cells in enumerate(values, 2):
            cells = {k: _clean_cell(cells[i] if i < len(cells) else None) for k, i in index.items()}
            if any(v is not None for v in cells.values()):
                yield n, cells


def _clean_cell(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def _text(value, max_length: int | None = None, required: bool = False) -> str:
    if value is None:
        if required:
            raise _CellError("必填 (required)")
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number
    text = str(value).strip().replace("\r\n", "\n")
    if max_length and len(text) > max_length:
        raise _CellError(f"最长 {max_length} 字，这里有 {len(text)} 字")
    return text


def _int(value) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if value is None:
        raise _CellError("必填：整数工作日数 (required)")
    raise _CellError(f"应为整数工作日数，而不是 {value!r}")


def _date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", str(value))
    if m:
        try:
            return date(*map(int, m.groups()))
        except ValueError:
            pass
    raise _CellError(f"应为日期 YYYY-MM-DD，而不是 {value!r}")


def _bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _CellError(f"应为“是”或“否”，而不是 {value!r}")


def _word(value, words: dict, expected: str, default=REQUIRED):
    if value is None:
        if default is REQUIRED:
            raise _CellError(f"必填：{expected}")
        return default
    word = _text(value)
    found = words.get(word, words.get(word.lower()))
    if found is None:
        raise _CellError(f"应为{expected}，而不是 {value!r}")
    return found


def _words(value, words: dict, expected: str) -> list[str]:
    out = []
    for part in LIST_SPLIT.split(_text(value)):
        found = words.get(part, words.get(part.lower()))
        if part and found is None:
            raise _CellError(f"未知的值“{part}”，应为{expected}")
        if found and found not in out:
            out.append(found)
    return out


def _steps(value) -> list:
    out = []
    for part in STEP_SPLIT.split(_text(value)):
        if not part:
            continue
        m = re.fullmatch(r"(.*?)\s*[:：]\s*(.*)", part)
        if m is None:
            out.append(part)  # a bare name: version_data_clean gives 审核, then 复审 roles
            continue
        name, rest = m.groups()
        # name:role, then optionally @office code and #department: "复审:second_reviewer@371500#基金科"
        m = re.fullmatch(r"([^@#]*?)\s*(?:@\s*([^@#]*?)\s*)?(?:#\s*(.*))?", rest)
        role, office, department = m.groups()
        found = ROLE_WORDS.get(role, ROLE_WORDS.get(role.lower()))
        if found is None:
            raise _CellError(f"环节“{name}”的角色“{role}”未知，"
                             "应为 reviewer（审核员）或 second_reviewer（复审员）")  # fmt: skip
        step = {"name": name, "role": found}
        if office:
            step["office"] = office
        if department:
            step["department"] = department.strip()
        out.append(step)
    return out


def _rules(value) -> dict:
    """A form field's rules, "max=50000；total=claimed", as the options version_data_clean
    checks (whole numbers for the days, yes/no for luhn, text for the rest)."""
    out = {}
    for part in re.split(r"\s*[;；\n]\s*", _text(value)):
        if not part:
            continue
        key, sep, word = (x.strip() for x in part.partition("="))
        if not sep or key not in RULE_KEYS:
            raise _CellError(
                f"规则应为 key=value（{'、'.join(sorted(RULE_KEYS))}），而不是 {part!r}"
            )
        out[key] = (
            _int(word) if key.endswith("_days") else _bool(word, False) if key == "luhn" else word
        )
    return out


def _choices(value) -> list[str]:
    return [c for c in CHOICE_SPLIT.split(_text(value)) if c]


def _open(data):
    if isinstance(data, str | PathLike):
        with open(data, "rb") as f:
            data = f.read()
    elif hasattr(data, "read"):
        data = data.read()
    if not isinstance(data, bytes | bytearray):
        raise TypeError("data must be bytes, a file or a path")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as e:  # fmt: skip
        # openpyxl says little more than "File is not a zip file": say what to do.
        raise CatalogImportError([WorkbookError(
            "工作簿", None, "", "",
            "不是有效的 Excel 工作簿 (.xlsx)；.xls 或 .csv 文件请先在 Excel 中另存为 .xlsx "
            f"(not an .xlsx workbook: {e.__class__.__name__})",
        )]) from None  # fmt: skip


ITEM_PARSERS = {
    "name": (_text, 200, True),
    "category": (_text, 100, True),
    "department": (_text, 100, True),
    "status": (_word, STATUS_WORDS, "在办（active）、暂停（suspended）或已废止（retired）", None),
    "status_reason": (_text, 200),
    "effective_from": (_date,),
}
VERSION_PARSERS = {
    "handling_type": (_word, HANDLING_WORDS, "即办件（instant）或承诺件（promised）"),
    "legal_days": (_int,),
    "promised_days": (_int,),
    "channels": (_words, CHANNEL_WORDS, "网上办（web）、掌上办（mobile）、窗口办（window）"),
    "citywide": (_bool, True),
    "steps": (_steps,),
    "applicant_kinds": (_words, KIND_WORDS, "个人（person）、单位（employer）"),
    "conditions": (_text,),
    "legal_basis": (_text,),
    "fees": (_text, 200),
    "notes": (_text,),
}
MATERIAL_PARSERS = {
    "code": (_text, 40, True),
    "name": (_text, 200, True),
    "form": (_word, MATERIAL_FORM_WORDS, "原件（original）或复印件（copy）", "original"),
    "secondary": (_bool, False),
}
FIELD_PARSERS = {
    "name": (_text, 100, True),
    "label": (_text, 200),
    "type": (_word, FIELD_TYPE_WORDS, "、".join(FORM_TYPES), "text"),
    "required": (_bool, False),
    "choices": (_choices,),
    "rules": (_rules,),
}


def _read(wb, reader: _Reader) -> list[_Row]:
    """Every item of the workbook with its materials and form, parsed cell by cell."""
    offices = {o.code: o for o in Office.objects.all()}
    by_code: dict[str, _Row] = {}
    rows: list[_Row] = []
    for n, cells in reader.rows(wb, ITEMS):
        try:
            code = reader.cell(ITEMS, n, cells, "code", _text, 40, True)
        except _CellError:
            continue
        row = _Row(row=n, code=code)
        if code in by_code:
            reader.error(ITEMS, n, "code", f"事项编码 {code} 重复，已见于第 {by_code[code].row} 行")
            row.ok = False
        else:
            by_code[code] = row
        rows.append(row)
        for key, (parser, *args) in ITEM_PARSERS.items():
            try:
                setattr(row, key, reader.cell(ITEMS, n, cells, key, parser, *args))
            except _CellError:
                row.ok = False
        try:
            office_code = reader.cell(ITEMS, n, cells, "home_office", _text, 6, True)
            row.home_office = offices.get(office_code)
            if row.home_office is None:
                reader.error(ITEMS, n, "home_office", f"没有区划代码为 {office_code} 的经办机构")
                row.ok = False
        except _CellError:
            row.ok = False
        for key, (parser, *args) in VERSION_PARSERS.items():
            try:
                row.version[key] = reader.cell(ITEMS, n, cells, key, parser, *args)
            except _CellError:
                row.ok = False
        row.version |= {"materials": [], "form": []}

    for sheet, key, parsers in ((MATERIALS, "materials", MATERIAL_PARSERS),
                                (FORM, "form", FIELD_PARSERS)):  # fmt: skip
        for n, cells in reader.rows(wb, sheet):
            try:
                code = reader.cell(sheet, n, cells, "item", _text, 40, True)
            except _CellError:
                continue
            row = by_code.get(code)
            if row is None:
                if ITEMS not in reader.broken:  # else every row would be "unknown"
                    reader.error(sheet, n, "item", f"事项编码 {code} 不在“{ITEMS}”表中 (unknown item)")  # fmt: skip
                continue
            entry = {}
            for part, (parser, *args) in parsers.items():
                try:
                    entry[part] = reader.cell(sheet, n, cells, part, parser, *args)
                except _CellError:
                    row.ok = False
            entry |= entry.pop("rules", None) or {}
            row.version[key].append(entry)
            (row.material_rows if key == "materials" else row.form_rows).append(n)
    return rows


_INDEXED = re.compile(r"(materials|form)\[(\d+)\](?:\.(\w+))?$")


def _version_error(reader: _Reader, row: _Row, e: DomainError):
    """Put an error of the catalog's services (field "promised_days", "materials[2].code",
    "form[0].choices", "steps[1]", "effective_from") on the cell it is about."""
    name = e.field or "code"
    message = e.message.removeprefix(f"{e.field}: ")
    m = _INDEXED.match(name)
    if m:
        target, i, part = m.group(1), int(m.group(2)), m.group(3)
        sheet, rows = (MATERIALS, row.material_rows) if target == "materials" else (FORM, row.form_rows)  # fmt: skip
        if i < len(rows):
            reader.error(sheet, rows[i], part or ("code" if target == "materials" else "name"), message)  # fmt: skip
            return
    key = name.split("[")[0]
    reader.error(ITEMS, row.row, key if (ITEMS, key) in reader.letters else "code", message)


def _plan(rows: list[_Row], reader: _Reader, effective_from: date | None) -> list[_Plan]:
    """Check every row against the rules and the catalog as it stands; decide what to write."""
    latest_pk = ItemVersion.objects.filter(item=OuterRef("pk")).order_by("-number").values("pk")[:1]
    items = {
        i.code: i
        for i in ServiceItem.objects.annotate(latest_pk=Subquery(latest_pk)).filter(
            code__in=[r.code for r in rows]
        )
    }
    latest = {
        v.item_id: v
        for v in ItemVersion.objects.filter(pk__in=[i.latest_pk for i in items.values()])
    }
    today = timezone.localdate()
    plans = []
    for row in rows:
        if not row.ok:
            continue
        item = items.get(row.code)
        current = latest.get(item.pk) if item else None
        # The decision's fields (办结结果) are not in the workbook: a version keeps its item's.
        row.version.setdefault("decision", current.decision if current else [])
        try:
            version = version_data_clean(row.version)
        except InvalidInput as e:
            _version_error(reader, row, e)
            continue
        if current is None:
            plans.append(_Plan(row, version, row.effective_from or effective_from or today))
            continue
        # The comparison catalog_item_save makes: an identical version is not created.
        changed = any(getattr(current, k) != v for k, v in version.items())
        identity = (row.name, row.category, row.department, row.home_office.pk)
        renamed = identity != (item.name, item.category, item.department, item.home_office_id)
        resumed = row.status not in (None, ServiceItem.Status.RETIRED)
        if item.status == ServiceItem.Status.RETIRED and (changed or renamed or resumed):
            reader.error(ITEMS, row.row, "status" if resumed else "code",
                         f"事项 {row.code} 已废止，不能再修改或恢复 (item is retired)")  # fmt: skip
            continue
        new_date = row.effective_from and row.effective_from != current.effective_from
        if not changed:
            # A later date on unchanged rules is a date for a change that is not there. (An
            # earlier one is just a workbook exported before the latest version.)
            if row.effective_from and row.effective_from > current.effective_from:
                reader.warnings.append(
                    f"{ITEMS}!{reader.letters[(ITEMS, 'effective_from')]}{row.row}: 事项 {row.code} "
                    "的规则没有改动，只改了生效日期；已有版本的生效日期不能修改，已忽略"
                )
            plans.append(_Plan(row, version, None))
            continue
        # A date the person wrote for this change wins; else the import's date; else today,
        # or the date of a pending version being amended.
        when = row.effective_from if new_date else (effective_from or max(today, current.effective_from))  # fmt: skip
        if when < current.effective_from:
            reader.error(ITEMS, row.row, "effective_from",
                         f"新版本的生效日期 {when} 早于最新版本 v{current.number} 的 "
                         f"{current.effective_from}：工作簿若是在 v{current.number} 之前导出的，"
                         "请重新导出后再修改；否则请填写更晚的生效日期 "
                         "(effective date before the latest version's)")  # fmt: skip
            continue
        plans.append(_Plan(row, version, when))
    return plans


def catalog_workbook_import(data, *, actor=None, effective_from: date | None = None,
                            dry_run: bool = False) -> ImportReport:  # fmt: skip
    """Bring the catalog in line with a workbook (bytes, a file or a path): all or nothing.

    An item whose rules differ from its latest version gets a new version (effective from the
    row's new date, else `effective_from`, else today); identical ones are left alone, and so
    are items the workbook does not list. With dry_run everything is done, then rolled back:
    the report tells what an import would do.
    Raises CatalogImportError listing every error found, having written nothing."""
    wb = _open(data)
    reader = _Reader()
    try:
        rows = _read(wb, reader)
    finally:
        wb.close()
    plans = _plan(rows, reader, effective_from)
    if reader.errors:
        raise CatalogImportError(sorted(reader.errors, key=_position))

    report = ImportReport(dry_run=dry_run, warnings=reader.warnings)
    with transaction.atomic():
        for plan in plans:
            try:
                _apply(plan, report, actor=actor)
            except DomainError as e:
                # The catalog moved between the check and the write: say where; undo it all.
                _version_error(reader, plan.row, e)
                raise CatalogImportError(reader.errors) from e
        listed = [p.row.code for p in plans]
        report.absent = list(
            ServiceItem.objects.exclude(code__in=listed).values_list("code", flat=True)
        )
        if report.changed:
            record(event="catalog.workbook_imported", user=actor, target="catalog",
                   created=report.created, revised=report.revised, updated=report.updated,
                   status_changed=report.status_changed)  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return report


def _position(e: WorkbookError):
    sheets = list(SHEET_COLUMNS)
    sheet = sheets.index(e.sheet) if e.sheet in sheets else -1
    return sheet, e.row or 0, len(e.column), e.column


def _apply(plan: _Plan, report: ImportReport, *, actor):
    row = plan.row
    item = ServiceItem.objects.select_for_update().filter(code=row.code).first()
    number = identity = None
    if item is not None:
        number = item.versions.order_by("-number").values_list("number", flat=True).first()
        identity = (item.name, item.category, item.department, item.home_office_id)
    if item is None or plan.effective_from is not None or identity != (
        row.name, row.category, row.department, row.home_office.pk
    ):  # fmt: skip
        version = catalog_item_save(
            code=row.code, name=row.name, category=row.category, department=row.department,
            home_office=row.home_office, version=plan.version,
            effective_from=plan.effective_from, actor=actor,
        )  # fmt: skip
        item = version.item
        if version.number != number:
            report.versions[row.code] = (version.number, version.effective_from)
        if number is None:
            report.created.append(row.code)
        elif version.number != number:
            report.revised.append(row.code)
        else:
            report.updated.append(row.code)
    status = row.status or (ServiceItem.Status.ACTIVE if number is None else None)
    if status is not None and (status, row.status_reason) != (item.status, item.status_reason):
        catalog_item_set_status(item=item, status=status, reason=row.status_reason, actor=actor)
        if number is not None:
            report.status_changed.append(row.code)
    elif number is not None and row.code not in report.revised + report.updated:
        report.unchanged.append(row.code)

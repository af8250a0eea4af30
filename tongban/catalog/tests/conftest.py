"""Helpers to edit an exported workbook the way a catalog administrator would in Excel."""

import io

import pytest
from openpyxl import load_workbook

from tongban.catalog.models import ItemVersion
from tongban.catalog.workbook import catalog_workbook_export


class Book:
    """An exported workbook, edited by item code and column key ("promised_days")."""

    def __init__(self, data: bytes):
        self.wb = load_workbook(io.BytesIO(data))

    def column(self, sheet: str, key: str) -> int:
        for cell in self.wb[sheet][1]:
            if str(cell.value or "").split()[-1:] == [key]:
                return cell.column
        raise KeyError(key)

    def row(self, sheet: str, code: str, /, **match) -> int:
        """The Excel row number of item `code` (on 材料/表单, its first row matching `match`)."""
        ws = self.wb[sheet]
        code_col = self.column(sheet, "code" if sheet == "事项" else "item")
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, code_col).value != code:
                continue
            if all(ws.cell(r, self.column(sheet, k)).value == v for k, v in match.items()):
                return r
        raise KeyError(code)

    def get(self, code: str, key: str, /, sheet: str = "事项", **match):
        return self.wb[sheet].cell(self.row(sheet, code, **match), self.column(sheet, key)).value

    def set(self, code: str, key: str, value, /, sheet: str = "事项", **match) -> int:
        row = self.row(sheet, code, **match)
        self.wb[sheet].cell(row, self.column(sheet, key)).value = value
        return row

    def append(self, sheet: str, **values) -> int:
        ws = self.wb[sheet]
        row = ws.max_row + 1
        for key, value in values.items():
            ws.cell(row, self.column(sheet, key)).value = value
        return row

    def copy_item(self, code: str, new_code: str, *, children: bool = True) -> int:
        """Add `new_code` as a copy of item `code`, with its materials and form."""
        for sheet in ("材料", "表单") if children else ():
            ws = self.wb[sheet]
            item_col = self.column(sheet, "item")
            for r in range(2, ws.max_row + 1):
                if ws.cell(r, item_col).value == code:
                    values = [c.value for c in ws[r]]
                    values[item_col - 1] = new_code
                    ws.append(values)
        ws = self.wb["事项"]
        values = [c.value for c in ws[self.row("事项", code)]]
        values[self.column("事项", "code") - 1] = new_code
        ws.append(values)
        return ws.max_row

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


@pytest.fixture
def book(city):
    return Book(catalog_workbook_export())


@pytest.fixture
def snapshot(city):
    """Every version as it stands, to show that a failed import wrote nothing."""

    def take():
        return sorted(
            ItemVersion.objects.values_list("item__code", "number", "item__status",
                                            "item__name", "promised_days")
        )  # fmt: skip

    return take

"""The dashboard's figures as one Excel workbook: a sheet per figure, titled with the region
and period."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from webapp.bureau.dashboard_tables import FigureTable
from webapp.services.catalogue.export import safe_cell

_FLAG = PatternFill("solid", fgColor="FDE2E1")


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel limits sheet names to 31 characters and forbids a few
    clean = "".join(c for c in title if c not in '[]:*?/\\')[:28] or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:26]}_{n}", n + 1
    used.add(name)
    return name


def workbook_bytes(heading: str, tables: list[FigureTable]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([safe_cell(f"{heading} · {table.title}")])
        sheet["A1"].font = Font(bold=True, size=13)
        if table.note:
            sheet.append([safe_cell(table.note)])
        sheet.append([safe_cell(str(h)) for h in table.headers])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for i, row in enumerate(table.rows):
            sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
            if i in table.flagged:
                for cell in sheet[sheet.max_row]:
                    cell.fill = _FLAG
        for col in range(1, len(table.headers) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 30 if col == 1 else 16
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Reading hostile and ordinary spreadsheets: bounded, streaming, with clear refusals."""

import io
import re
import time
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from webapp.services.spreadsheets import SpreadsheetError, read_rows


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context("/?lang=en"):
        yield


def xlsx(rows=(), cells=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for coordinate, value in (cells or {}).items():
        sheet[coordinate] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through `change`."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            out.writestr(info.filename, content)
    return target.getvalue()


def read(data: bytes, filename="roster.xlsx", max_rows=100, max_columns=20):
    return list(
        read_rows(io.BytesIO(data), filename=filename, max_rows=max_rows, max_columns=max_columns)
    )


def refusal(data: bytes, **kwargs) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read(data, **kwargs)
    return caught.value


def test_rows_come_back_as_text_with_their_excel_line_numbers():
    data = xlsx(
        rows=[["姓名", "电话", "聘期", "人数"], [], ["王建国", 13800000001, date(2024, 9, 1), 2.5]],
        cells={"B6": datetime(2024, 9, 1, 14, 30)},
    )
    assert read(data) == [
        (1, ["姓名", "电话", "聘期", "人数"]),
        (3, ["王建国", "13800000001", "2024-09-01", "2.5"]),
        (6, [None, "2024-09-01 14:30:00"]),
    ]


def test_a_declared_dimension_of_the_whole_sheet_is_ignored():
    data = rewrite_sheet(
        xlsx(rows=[["姓名", "电话"], ["王建国", "13800000001"]]),
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml
        ),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rows = read(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == [(1, ["姓名", "电话"]), (2, ["王建国", "13800000001"])]
    assert time.perf_counter() - started < 2
    assert peak < 20 * 1024 * 1024


def test_a_value_beyond_the_column_bound_is_refused_with_its_cell():
    error = refusal(xlsx(rows=[["姓名"]], cells={"XFD3": "x"}))
    assert (error.line, error.column) == (3, "XFD")
    assert "20" in error.message


def test_a_value_beyond_the_row_bound_is_refused_without_reading_the_gap():
    started = time.perf_counter()
    error = refusal(xlsx(rows=[["姓名"]], cells={"A1048576": "x"}))
    assert error.line == 1048576 and "100" in error.message
    assert time.perf_counter() - started < 2


def test_empty_formatted_cells_far_out_do_not_count_as_data():
    data = rewrite_sheet(
        xlsx(rows=[["姓名"], ["王建国"]]),
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="900000"><c r="XFD900000" s="0"/></row></sheetData>'
        ),
    )
    assert read(data) == [(1, ["姓名"]), (2, ["王建国"])]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = rewrite_sheet(
        xlsx(rows=[["姓名"]]),
        lambda xml: xml.replace(b"</sheetData>", row * 400_000 + b"</sheetData>"),
    )
    assert len(bomb) < 200_000, "the bomb is small on the wire"
    error = refusal(bomb)
    assert "expands" in error.message


def test_a_row_of_a_million_empty_cells_is_refused_as_damaged():
    data = rewrite_sheet(
        xlsx(rows=[["姓名"]]),
        lambda xml: xml.replace(
            b"</sheetData>", b"<row>" + b"<c/>" * 1_000_000 + b"</row></sheetData>"
        ),
    )
    tracemalloc.start()
    try:
        error = refusal(data, max_rows=5000, max_columns=20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "damaged" in error.message
    assert peak < 30 * 1024 * 1024


def _encrypted_zip(data: bytes) -> bytes:
    # set the "encrypted" flag on every entry, as a password-protected zip carries it
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for match in re.finditer(re.escape(signature), bytes(patched)):
            patched[match.start() + offset] |= 0x1
    return bytes(patched)


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "roster.xlsx", "encrypted"),
        (_encrypted_zip(xlsx(rows=[["姓名"]])), "roster.xlsx", "password"),
        (b"PK\x03\x04" + b"garbage" * 50, "roster.xlsx", "damaged"),
        (b"%PDF-1.7 not a sheet", "roster.xlsx", "not an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "roster.csv", "not an Excel workbook"),
        (b"", "roster.csv", "empty"),
    ],
    ids=["ole-encrypted", "zip-encrypted", "broken-zip", "pdf", "png-named-csv", "empty"],
)
def test_files_that_are_not_readable_spreadsheets_are_refused_clearly(data, filename, words):
    assert words in refusal(data, filename=filename).message


def test_a_file_over_the_byte_bound_is_refused():
    with pytest.raises(SpreadsheetError, match="larger than"):
        list(
            read_rows(
                io.BytesIO(b"a,b\n" * 1000),
                filename="x.csv",
                max_rows=10**6,
                max_columns=5,
                max_bytes=1000,
            )
        )


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gb18030"], ids=["utf8", "utf8-bom", "gb18030"]
)
def test_csv_is_read_in_the_encodings_excel_writes(encoding):
    text = '姓名,电话\r\n王建国,13800000001\r\n\r\n"李,秀兰",13800000002\r\n'
    rows = read(text.encode(encoding), filename="名单.csv")
    assert rows == [
        (1, ["姓名", "电话"]),
        (2, ["王建国", "13800000001"]),
        (4, ["李,秀兰", "13800000002"]),
    ]


def test_csv_bounds_and_broken_encoding_are_reported_by_line():
    wide = ("a," * 30 + "\n").encode()
    assert refusal(b"x\n" + wide, filename="a.csv").line == 2
    many = b"x\n" * 101
    assert refusal(many, filename="a.csv").line == 101
    # UTF-8 for longer than the part sniffed, then GB18030
    mixed = "王建国\n".encode() * 10_000 + "李秀兰\n".encode("gb18030")
    error = refusal(mixed, filename="a.csv", max_rows=10**6)
    assert "encoding" in error.message and error.line > 1000
    long_cell = b'"' + b"x" * 200_000 + b'"\n'
    assert "CSV" in refusal(long_cell, filename="a.csv").message


def test_the_refusal_is_in_chinese_for_a_chinese_user(app):
    with app.test_request_context("/?lang=zh"):
        assert "加密" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600).message

"""The resource directory list: columns, the print-ready workbook, the printable page, the
region within the account's scope, and the period its open days are counted over."""

import csv
import io
from datetime import date, time

import pytest
from openpyxl import load_workbook

from models import AdmissionKind, Course, Slot, SlotKind, TimetableEntry, VisitorGroup, db
from tests.world import build_world, login_as
from webapp.services import clock
from webapp.services.catalogue.export import HEADERS


def _build_world(regions):
    world = build_world(regions)
    venue = world.venues["a"]
    venue.set_admission(
        {
            VisitorGroup.PRIMARY: (AdmissionKind.FREE, None),
            VisitorGroup.ADULT: (AdmissionKind.DISCOUNT, 20),
        }
    )
    venue.courses = [Course(title="青铜器里的山西", minutes=45), Course(title="拓印体验")]
    venue.is_accessible, venue.accessibility = True, "无障碍坡道"
    for weekday, quota in ((2, 5), (3, 3)):
        db.session.add(
            TimetableEntry(
                venue=venue,
                weekday=weekday,
                start_time=time(9),
                end_time=time(10),
                capacity=30,
                green_quota=quota,
            )
        )
    for day, cancelled in (
        (date(2025, 3, 8), False),
        (date(2025, 4, 12), True),
        (date(2024, 12, 1), False),
    ):
        db.session.add(
            Slot(
                venue=venue,
                kind=SlotKind.OPEN_DAY,
                title="开放日",
                starts_at=clock.to_utc(day, time(9)),
                ends_at=clock.to_utc(day, time(11)),
                capacity=50,
                is_cancelled=cancelled,
            )
        )
    db.session.commit()
    return world


@pytest.fixture
def world_builder():
    """This module's people and places, built by the one `world` fixture."""
    return _build_world


def client_for(app, world, role):
    client = app.test_client()
    login_as(client, world.users[role])
    return client


def csv_rows(response) -> list[dict]:
    text = response.get_data().decode("utf-8-sig")
    return [dict(zip(HEADERS, r, strict=True)) for r in list(csv.reader(io.StringIO(text)))[1:]]


SPRING = "start=2025-02&end=2025-07"


def test_the_list_has_the_notices_columns(app, world):
    response = client_for(app, world, "county").get(f"/bureau/venues/export.csv?{SPRING}")
    [row] = csv_rows(response)
    assert row["序号"] == "1" and row["名称"] == "甲馆" and row["联系电话"] == ""
    assert row["门票政策"] == "小学生：免费；陪同成人：优惠 20元"
    assert row["课程"] == "青铜器里的山西、拓印体验"
    assert row["期内开放日（场）"] == "1"  # the cancelled one and the one before are not counted
    assert row["绿色通道名额（每周）"] == "8"
    assert row["无障碍"] == "是（无障碍坡道）"


def test_the_workbook_is_formatted_for_printing(app, world):
    response = client_for(app, world, "city").get(f"/bureau/venues/export.xlsx?{SPRING}")
    assert response.status_code == 200
    assert (
        "太原市" in response.headers["Content-Disposition"]
        or "%E5%A4%AA" in (response.headers["Content-Disposition"])
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet["A1"].value == "太原市社会实践教育基地资源目录清单"
    assert sheet["A2"].value.startswith("统计期间：2025-02-01 至 2025-07-31")
    assert f"制表日期：{clock.today().isoformat()}" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == HEADERS
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:O1", "A2:O2"}
    assert sheet.print_title_rows == "$3:$3"  # headings on every printed page
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.auto_filter.ref == "A3:O5"
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["B"].width == 24
    assert [sheet.cell(row=r, column=2).value for r in (4, 5)] == ["甲馆", "乙馆"]


def test_the_printable_page_shows_the_list_with_print_css(app, world):
    page = client_for(app, world, "city").get(f"/bureau/venues/list?{SPRING}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "太原市社会实践教育基地资源目录清单" in html and "甲馆" in html and "乙馆" in html
    assert "css/directory_list.css" in html and "data-print" in html
    assert "/bureau/venues/export.xlsx?region=140100&amp;start=2025-02&amp;end=2025-07" in html
    response = app.test_client().get("/static/css/directory_list.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "size: A4 landscape" in css and "table-header-group" in css


@pytest.mark.parametrize(
    "role, region, names",
    [
        ("city", "140105", ["甲馆"]),
        ("city", "140106", ["乙馆"]),
        ("admin", "140200", ["丙馆"]),
        ("admin", "", ["甲馆", "乙馆", "丙馆"]),
        ("county", "", ["甲馆"]),
    ],
)
def test_the_list_covers_the_region_chosen_within_the_scope(app, world, role, region, names):
    response = client_for(app, world, role).get(f"/bureau/venues/export.csv?region={region}")
    assert response.status_code == 200
    assert sorted(r["名称"] for r in csv_rows(response)) == sorted(names)


@pytest.mark.parametrize(
    "url", ["/bureau/venues/export.csv", "/bureau/venues/export.xlsx", "/bureau/venues/list"]
)
@pytest.mark.parametrize(
    "role, region",
    [("county", "140100"), ("county", "140106"), ("city", "140213"), ("city", "140000")],
)
def test_a_region_outside_the_scope_is_refused_with_a_message(app, world, url, role, region):
    response = client_for(app, world, role).get(f"{url}?region={region}")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "管辖" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, words",
    [
        ("start=2025-05&end=2025-01", "不能早于"),
        ("start=2019-01&end=2025-01", "5年"),
        ("start=2025-13", "YYYY-MM"),
        ("region=abc", "管辖"),
    ],
)
def test_a_bad_period_or_region_gets_a_clear_message_not_a_file(app, world, query, words):
    response = client_for(app, world, "city").get(f"/bureau/venues/export.xlsx?{query}")
    assert response.status_code in (400, 403)
    assert words in response.get_data(as_text=True)


def test_the_default_period_is_the_current_semester(app, world):
    page = client_for(app, world, "city").get("/bureau/venues/list").get_data(as_text=True)
    today = clock.today()
    start = date(today.year, 2, 1) if 2 <= today.month <= 7 else None
    if start is None:
        year = today.year if today.month >= 8 else today.year - 1
        start = date(year, 8, 1)
    assert f"统计期间：{start.isoformat()}" in page


def test_the_dashboard_links_the_list_for_its_region_and_period(app, world):
    html = client_for(app, world, "city").get(f"/bureau/dashboard?{SPRING}").get_data(as_text=True)
    assert "/bureau/venues/export.xlsx?region=140100&amp;start=2025-02&amp;end=2025-07" in html

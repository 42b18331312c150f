"""Venue pages for staff (edit, add) and the bureau's resource directory list export."""

import csv
import io
from datetime import time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from models import OpeningHours, Venue, db
from tests.world import login_as
from webapp.services.catalogue.export import HEADERS


def client_for(app, world, role):
    client = app.test_client()
    login_as(client, world.users[role])
    return client


def form_data(world, venue_key="a", **overrides) -> dict:
    """What the edit form posts for venue a as it stands (all days 09:00–17:00 but Monday)."""
    venue = world.venues[venue_key]
    data = {
        "name": venue.name,
        "name_en": venue.name_en,
        "categories": ["museum"],
        "level": "provincial",
        "stages": ["primary", "junior"],
        "description": "",
        "address": venue.address,
        "county": str(venue.county_id),
        "lat": "",
        "lng": "",
        "phone": "",
        "transport": "",
        "accessibility": "",
    }
    for i in range(7):
        if i > 0:
            data[f"hours-{i}-is_open"] = "y"
        data[f"hours-{i}-opens"] = "09:00" if i > 0 else ""
        data[f"hours-{i}-closes"] = "17:00" if i > 0 else ""
    for i in range(6):
        data[f"admission-{i}-kind"] = "free"
        data[f"admission-{i}-price"] = ""
    data.update({"closures-0-closed_on": "", "closures-0-reason": ""})
    data.update({"courses-0-title": "", "courses-0-minutes": "", "courses-0-about": ""})
    data.update(overrides)
    return data


# ---------------------------------------------------------------- editing


def test_venue_staff_open_their_venue_form_filled_in(app, world):
    page = client_for(app, world, "venue_a").get(f"/console/venues/{world.venues['a'].id}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="甲馆"' in html and 'id="hours-1-opens"' in html and 'value="09:00"' in html
    assert '<label for="admission-0-price">' in html


@pytest.mark.parametrize("role", ["venue_b", "family", "school"])
def test_others_get_403_on_a_venue_edit_page(app, world, role):
    client = client_for(app, world, role)
    url = f"/console/venues/{world.venues['a'].id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data=form_data(world, name="偷改")).status_code == 403
    db.session.expire_all()
    assert world.venues["a"].name == "甲馆"


def test_a_county_bureau_gets_403_on_a_venue_of_another_county(app, world):
    client = client_for(app, world, "county")
    url = f"/console/venues/{world.venues['b'].id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data=form_data(world, "b", name="偷改")).status_code == 403


def test_an_edit_shows_on_the_list_page_at_once(app, world):
    client = client_for(app, world, "venue_a")
    assert "甲馆" in client.get("/").get_data(as_text=True)  # the list is now cached
    response = client.post(
        f"/console/venues/{world.venues['a'].id}/edit",
        data=form_data(world, name="甲馆新馆", phone="0351-7654321"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/venues/{world.venues['a'].id}")
    detail = client.get(f"/venues/{world.venues['a'].id}").get_data(as_text=True)
    assert "0351-7654321" in detail and "已保存" in detail
    listing = client.get("/").get_data(as_text=True)
    assert "甲馆新馆" in listing


def test_a_bad_price_is_shown_under_its_field_and_the_input_is_kept(app, world):
    client = client_for(app, world, "venue_a")
    response = client.post(
        f"/console/venues/{world.venues['a'].id}/edit",
        data=form_data(
            world,
            name="甲馆新馆",
            phone="0351-7654321",
            **{"admission-2-kind": "full", "admission-2-price": "-3"},
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="admission-2-price-errors"' in html and "尚未保存" in html
    assert 'value="甲馆新馆"' in html and 'value="0351-7654321"' in html and 'value="-3"' in html
    db.session.expire_all()
    assert world.venues["a"].name == "甲馆"


def test_a_rule_broken_in_the_service_is_shown_under_its_field(app, world):
    client = client_for(app, world, "venue_a")
    response = client.post(
        f"/console/venues/{world.venues['a'].id}/edit",
        data=form_data(
            world, name="甲馆新馆", **{"hours-2-opens": "18:00", "hours-2-closes": "08:00"}
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        'id="hours-2-opens-errors"' in html and "开放时间（周三）：关门时间必须晚于开门时间" in html
    )
    assert 'value="甲馆新馆"' in html and 'value="18:00"' in html
    db.session.expire_all()
    assert world.venues["a"].opening_hours[1].opens_at == time(9)


def test_coordinates_outside_shanxi_are_refused_on_the_page(app, world):
    client = client_for(app, world, "city")
    response = client.post(
        f"/console/venues/{world.venues['b'].id}/edit",
        data=form_data(world, "b", lat="39.9042", lng="116.4074"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="lat-errors"' in html and "不在山西省内" in html
    assert 'value="116.4074"' in html


def test_closed_dates_and_courses_are_added_from_blank_rows_and_removed(app, world):
    client = client_for(app, world, "venue_a")
    url = f"/console/venues/{world.venues['a'].id}/edit"
    added = form_data(
        world,
        **{
            "closures-0-closed_on": "2099-01-02",
            "closures-0-reason": "布展",
            "courses-0-title": "拓印体验",
            "courses-0-minutes": "45",
            "courses-0-stages": ["primary"],
        },
    )
    assert client.post(url, data=added).status_code == 302
    venue = db.session.get(Venue, world.venues["a"].id)
    assert [c.reason for c in venue.closures] == ["布展"]
    assert [(c.title, c.minutes, c.stages_csv) for c in venue.courses] == [
        ("拓印体验", 45, "primary")
    ]
    removed = {**added, "closures-0-remove": "y", "courses-0-remove": "y"}
    assert client.post(url, data=removed).status_code == 302
    db.session.expire_all()
    assert venue.closures == [] and venue.courses == []


def test_the_edit_link_shows_only_to_people_allowed(app, world):
    path = f"/venues/{world.venues['a'].id}"
    edit = f"/console/venues/{world.venues['a'].id}/edit"
    assert edit in client_for(app, world, "venue_a").get(path).get_data(as_text=True)
    assert edit in client_for(app, world, "county").get(path).get_data(as_text=True)
    assert edit not in client_for(app, world, "venue_b").get(path).get_data(as_text=True)
    assert edit not in app.test_client().get(path).get_data(as_text=True)
    console = client_for(app, world, "venue_a").get(path.replace("/venues", "/console/venues"))
    assert edit in console.get_data(as_text=True)


# ---------------------------------------------------------------- adding


def test_a_bureau_offers_only_its_own_counties_for_a_new_venue(app, world):
    html = client_for(app, world, "county").get("/console/venues/new").get_data(as_text=True)
    assert "小店区" in html and "迎泽区" not in html and "平城区" not in html


def test_a_bureau_adds_a_venue_matched_to_its_county_from_the_address(app, world):
    client = client_for(app, world, "county")
    data = form_data(
        world, name="小店区青少年宫", address="山西省太原市小店区龙城大街66号", county="0"
    )
    data["categories"] = ["youth_palace"]
    response = client.post("/console/venues/new", data=data)
    assert response.status_code == 302
    venue = db.session.scalar(sa.select(Venue).where(Venue.name == "小店区青少年宫"))
    assert venue.county.name == "小店区" and venue.is_location_approximate
    assert response.headers["Location"].endswith(f"/venues/{venue.id}")
    assert "小店区青少年宫" in client.get("/").get_data(as_text=True)


def test_a_new_venue_in_another_county_is_refused_under_the_county_field(app, world):
    client = client_for(app, world, "county")
    data = form_data(world, name="云州区科技馆", address="山西省大同市云州区府前路8号", county="0")
    response = client.post("/console/venues/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="county-errors"' in html and "云州区" in html
    assert 'value="云州区科技馆"' in html
    assert db.session.scalar(sa.select(Venue).where(Venue.name == "云州区科技馆")) is None


def test_venue_staff_cannot_add_venues(app, world):
    client = client_for(app, world, "venue_a")
    assert client.get("/console/venues/new").status_code == 403
    assert client.post("/console/venues/new", data=form_data(world, name="新馆")).status_code == 403


# ---------------------------------------------------------------- the directory list export


def _csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads the Chinese only with the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_list_holds_the_scope_of_a_county_bureau_with_chinese_headers(app, world):
    response = client_for(app, world, "county").get("/bureau/venues/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == HEADERS
    assert [r[1] for r in rows[1:]] == ["甲馆"]
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["序号"] == "1" and row["级别"] == "省级基地"
    assert row["市"] == "太原市" and row["县（市、区）"] == "小店区" and row["类别"] == "博物馆"
    assert row["门票政策"].startswith("学前儿童：免费；小学生：免费")
    assert row["期内开放日（场）"] == "0" and row["绿色通道名额（每周）"] == "0"
    assert row["开放时间"] == "周二至周日 09:00–17:00"
    assert row["适合学段"] == "学前、小学、初中、高中"


def test_a_city_bureau_exports_its_counties_and_not_other_cities(app, world):
    rows = _csv_rows(client_for(app, world, "city").get("/bureau/venues/export.csv"))
    assert sorted(r[1] for r in rows[1:]) == ["乙馆", "甲馆"]


def test_the_excel_list_has_the_headers_and_the_scope(app, world):
    response = client_for(app, world, "city").get("/bureau/venues/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "太原市社会实践教育基地资源目录清单"
    assert list(rows[2]) == HEADERS
    assert sorted(r[1] for r in rows[3:]) == ["乙馆", "甲馆"]
    assert [r[0] for r in rows[3:]] == [1, 2]  # 序号


def test_an_administrator_exports_every_venue(app, world):
    rows = _csv_rows(client_for(app, world, "admin").get("/bureau/venues/export.csv"))
    assert len(rows) == 4


def test_text_that_a_spreadsheet_would_run_is_written_as_text(app, world):
    world.venues["a"].name = '=HYPERLINK("http://example.com","点")'
    world.venues["a"].phone = "+86 351 1234567"
    db.session.commit()
    client = client_for(app, world, "county")
    row = _csv_rows(client.get("/bureau/venues/export.csv"))[1]
    assert row[1] == "'" + world.venues["a"].name and row[7] == "'+86 351 1234567"
    sheet = load_workbook(io.BytesIO(client.get("/bureau/venues/export.xlsx").get_data())).active
    cell = sheet["B4"]
    assert cell.data_type == "s" and cell.value == world.venues["a"].name


def test_hours_that_differ_by_day_are_grouped_in_the_list(app, world):
    venue = world.venues["a"]
    venue.opening_hours = [
        OpeningHours(weekday=d, opens_at=time(9), closes_at=time(17)) for d in (1, 2, 3, 5)
    ] + [OpeningHours(weekday=d, opens_at=time(8), closes_at=time(18)) for d in (6, 7)]
    db.session.commit()
    rows = _csv_rows(client_for(app, world, "county").get("/bureau/venues/export.csv"))
    assert rows[1][11] == "周一至周三、周五 09:00–17:00；周六至周日 08:00–18:00"


@pytest.mark.parametrize("role", ["venue_a", "school", "family"])
def test_only_bureau_staff_export_the_list(app, world, role):
    client = client_for(app, world, role)
    assert client.get("/bureau/venues/export.csv").status_code == 403
    assert client.get("/bureau/venues/export.xlsx").status_code == 403


def test_the_bureau_console_links_the_list_and_its_export(app, world):
    html = client_for(app, world, "county").get("/bureau/").get_data(as_text=True)
    assert "/bureau/venues/export.xlsx" in html and "/bureau/venues/export.csv" in html
    listing = client_for(app, world, "county").get("/bureau/venues").get_data(as_text=True)
    assert "甲馆" in listing and "乙馆" not in listing
    assert f"/console/venues/{world.venues['a'].id}/edit" in listing


# ---------------------------------------------------------------- typed text


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("name", "\u200b\u200b", "U+200B"), ("address", "太原\u202e路1号", "U+202E"),
     ("courses-0-title", "讲解\u200b", "U+200B")],
)  # fmt: skip
def test_the_venue_form_refuses_hidden_characters_and_saves_nothing(app, world, field, value, code):
    client = client_for(app, world, "venue_a")
    response = client.post(
        f"/console/venues/{world.venues['a'].id}/edit?lang=en",
        data=form_data(world, **{field: value}),
    )
    assert response.status_code == 200 and code in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Venue, world.venues["a"].id).name == "甲馆"


def test_the_venue_form_turns_full_width_digits_into_ascii(app, world):
    client = client_for(app, world, "venue_a")
    response = client.post(
        f"/console/venues/{world.venues['a'].id}/edit",
        data=form_data(world, phone="０３５１－７６５４３２１", address="迎泽大街１２号"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    venue = db.session.get(Venue, world.venues["a"].id)
    assert venue.phone == "0351-7654321" and venue.address == "迎泽大街12号"


def test_the_venue_form_refuses_arabic_indic_digits_in_the_phone(app, world):
    client = client_for(app, world, "venue_a")
    response = client.post(
        f"/console/venues/{world.venues['a'].id}/edit?lang=en",
        data=form_data(world, phone="٠٣٥١-٧٦٥٤٣٢١"),
    )
    assert response.status_code == 200 and "area code" in response.get_data(as_text=True)

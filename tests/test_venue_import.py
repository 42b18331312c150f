"""Bulk import of venues: every bad row reported, nothing kept when any is bad, a preview kept
server-side, one unit of work on confirmation, and a second import updating, not duplicating."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from models import AdmissionKind, AuditEntry, Venue, VenueImport, VisitorGroup, db
from tests.world import login_as
from webapp.services import geo
from webapp.services.catalogue import cache as catalogue_cache
from webapp.services.catalogue import venue_import
from webapp.services.catalogue.venue_import_sheet import COLUMNS, HEADER_ROW, parse_hours
from webapp.services.errors import NotFound, PermissionDenied, ServiceError

HEADER = [
    "名称",
    "类别",
    "级别",
    "县（市、区）",
    "地址",
    "联系电话",
    "适合学段",
    "门票：小学生",
    "门票：陪同成人",
    "课程",
    "开放时间",
    "无障碍",
]
GOOD = [
    [
        "晋阳科技馆",
        "科技馆、科普教育基地",
        "省级基地",
        "小店区",
        "太原市小店区长风街1号",
        "0351-1234567",
        "小学、初中",
        "免费",
        "全价 30",
        "机器人入门、天文观测",
        "周二至周日 09:00-17:00",
        "是（设无障碍坡道）",
    ],
    [
        "迎泽红色纪念馆",
        "纪念馆",
        "市级",
        "迎泽区",
        "太原市迎泽区迎泽大街2号",
        "",
        "初中、高中",
        "优惠 5",
        "",
        "",
        "周一至周五 08:30–16:30",
        "否",
    ],
]


def csv_file(rows, header=HEADER) -> io.BytesIO:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return io.BytesIO(buffer.getvalue().encode("utf-8-sig"))


def xlsx_file(rows, header=HEADER) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["标题行"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def stage(world, rows, *, who="city", maker=csv_file, header=HEADER):
    return venue_import.stage_import(
        maker(rows, header),
        filename="venues.csv" if maker is csv_file else "v.xlsx",
        by=world.users[who],
    )


def problems_of(world, rows, **kwargs) -> list:
    kept = db.session.scalar(sa.select(sa.func.count(VenueImport.id)))
    with pytest.raises(venue_import.ImportRejected) as caught:
        stage(world, rows, **kwargs)
    assert db.session.scalar(sa.select(sa.func.count(VenueImport.id))) == kept
    return caught.value.problems


def venue_named(name) -> Venue | None:
    return db.session.scalar(sa.select(Venue).where(Venue.name == name))


# ---------------------------------------------------------------- services


def test_a_good_file_is_previewed_then_created_in_one_go_and_the_caches_see_it(app, world):
    before = db.session.scalar(sa.select(sa.func.count(Venue.id)))
    staged = stage(world, GOOD)
    assert [(r.line, r.action, r.name) for r in staged.plan.rows] == [
        (2, "create", "晋阳科技馆"),
        (3, "create", "迎泽红色纪念馆"),
    ]
    assert db.session.scalar(sa.select(sa.func.count(Venue.id))) == before  # nothing yet
    version = catalogue_cache.current_version()
    record = venue_import.get_import(staged.token, by=world.users["city"])
    plan = venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    assert plan.count("create") == 2
    assert catalogue_cache.current_version() > version
    venue = venue_named("晋阳科技馆")
    assert venue.county.name == "小店区" and venue.city.name == "太原市"
    assert [c.value for c in venue.categories] == ["science_museum", "science_popularisation"]
    assert venue.level.value == "provincial" and venue.phone == "0351-1234567"
    assert [s.value for s in venue.stages] == ["primary", "junior"]
    assert [c.title for c in venue.courses] == ["机器人入门", "天文观测"]
    assert venue.is_accessible and venue.accessibility == "设无障碍坡道"
    assert sorted(h.weekday for h in venue.opening_hours) == [2, 3, 4, 5, 6, 7]
    rules = {r.visitor_group.value: (r.kind.value, r.price_yuan) for r in venue.admission_rules}
    assert rules == {"primary": ("free", None), "adult": ("full", 30)}
    # no coordinates given: placed at the county's centre, offline, and marked approximate
    assert venue.is_location_approximate
    assert (venue.lat, venue.lng) == (venue.county.lat, venue.county.lng)
    assert venue.slug == "jinyangkejiguan"
    audited = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "venue.create")
    ).all()
    assert len(audited) == 2
    assert db.session.get(VenueImport, record.id).applied_at is not None


def test_a_second_import_updates_instead_of_duplicating(app, world):
    first = stage(world, GOOD)
    record = venue_import.get_import(first.token, by=world.users["city"])
    venue_import.confirm_import(record, digest=first.plan.digest, by=world.users["city"])
    count = db.session.scalar(sa.select(sa.func.count(Venue.id)))
    again = stage(world, GOOD)
    assert [r.action for r in again.plan.rows] == ["unchanged", "unchanged"]
    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][5] = "0351-7654321"
    changed[1][10] = ""  # an empty cell keeps what the venue has
    staged = stage(world, changed)
    assert [r.action for r in staged.plan.rows] == ["update", "unchanged"]
    assert staged.plan.rows[0].changes == [("电话", "0351-1234567", "0351-7654321")]
    record = venue_import.get_import(staged.token, by=world.users["city"])
    venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    assert db.session.scalar(sa.select(sa.func.count(Venue.id))) == count
    assert venue_named("晋阳科技馆").phone == "0351-7654321"
    assert len(venue_named("迎泽红色纪念馆").opening_hours) == 5


def test_an_existing_venue_is_matched_by_name_and_county(app, world):
    row = ["甲馆", "博物馆", "省级基地", "小店区", world.venues["a"].address, "0351-1111111"]
    staged = stage(world, [row], header=HEADER[:6])
    assert [r.action for r in staged.plan.rows] == ["update"]
    # the same name in another county is another venue
    other = ["甲馆", "博物馆", "省级基地", "迎泽区", "太原市迎泽区某路1号"]
    staged = stage(world, [other], header=HEADER[:5])
    assert [r.action for r in staged.plan.rows] == ["create"]


def test_every_bad_row_is_reported_by_line_and_column_in_the_users_language(app, world):
    rows = [
        GOOD[0],
        ["新馆", "游乐场", "省级基地", "小店区", "太原市小店区某路3号", "", "大学"],
        ["", "博物馆", "王级", "火星区", "某路4号"],
        ["新馆二", "博物馆", "省级基地", "小店区", "某路5号", "", "", "一百元", "", "", "天天开"],
    ]
    problems = problems_of(world, rows)
    found = {(p.line, p.column) for p in problems}
    assert {
        (3, "B（类别）"),
        (3, "G（适合学段）"),
        (4, "A（名称）"),
        (4, "C（级别）"),
        (4, "D（县（市、区））"),
        (5, "H（门票：小学生）"),
        (5, "K（开放时间）"),
    } <= found
    messages = " ".join(p.message for p in problems)
    assert "未知的类别：“游乐场”" in messages and "未知的学段：“大学”" in messages
    assert "未知的区县：“火星区”" in messages
    assert venue_named("晋阳科技馆") is None  # the good row was not imported either


def test_a_county_outside_the_region_is_refused(app, world):
    row = ["大同新馆", "博物馆", "省级基地", "平城区", "大同市平城区某路1号"]
    problems = problems_of(world, [row], who="city", header=HEADER[:5])
    assert [(p.line, p.column) for p in problems] == [(2, "D（县（市、区））")]
    assert "管辖范围" in problems[0].message
    problems = problems_of(world, [GOOD[1]], who="county")  # 迎泽区 is the city's, not 小店's
    assert problems[0].column == "D（县（市、区））"


def test_the_same_venue_twice_in_a_file_is_a_problem(app, world):
    problems = problems_of(world, [GOOD[0], GOOD[0]])
    assert [(p.line, p.column) for p in problems] == [(3, "A（名称）")]


def test_missing_columns_and_empty_files_are_named(app, world):
    problems = problems_of(world, [["某馆"]], header=["名称"])
    assert {p.column for p in problems} == {"类别", "级别", "地址"}
    problems = problems_of(world, [], header=HEADER)
    assert "没有场馆" in problems[0].message
    problems = problems_of(world, [["a", "b"]], header=["甲", "乙"])
    assert "名称" in problems[0].message


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_message(app, world):
    with pytest.raises(venue_import.ImportRejected) as caught:
        venue_import.stage_import(
            io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
            filename="venues.xlsx",
            by=world.users["city"],
        )
    assert "不是" in caught.value.problems[0].message


def test_too_many_rows_or_columns_are_refused(app, world):
    rows = [
        [f"馆{i}", "博物馆", "省级基地", "小店区", f"某路{i}号"]
        for i in range(venue_import.MAX_ROWS + 1)
    ]
    problems = problems_of(world, rows, header=HEADER[:5])
    assert str(venue_import.MAX_ROWS) in problems[0].message
    rows += [rows[0]] * venue_import.MAX_HEADER_LINE
    problems = problems_of(world, rows, header=HEADER[:5])
    assert "行" in problems[0].message
    wide = [GOOD[0] + ["x"] * (venue_import.MAX_COLUMNS - len(GOOD[0]) + 1)]
    problems = problems_of(world, wide)
    assert problems[0].line == 2 and "列" in problems[0].message


def test_an_address_without_a_county_is_placed_offline_and_no_geocoder_is_asked(
    app, world, monkeypatch
):
    app.config["GEOCODER"] = "nominatim"

    def no_network(address):
        raise AssertionError("the import asked an online geocoder")

    monkeypatch.setattr(geo, "_geocode_online", no_network)
    row = ["小店新馆", "博物馆", "县级", "", "山西省太原市小店区坞城路9号"]
    staged = stage(world, [row], header=HEADER[:5])
    assert staged.plan.rows[0].county == "太原市小店区"
    record = venue_import.get_import(staged.token, by=world.users["city"])
    venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    venue = venue_named("小店新馆")
    assert venue.county.name == "小店区" and venue.is_location_approximate
    problems = problems_of(world, [["无县馆", "博物馆", "县级", "", "某路1号"]], header=HEADER[:5])
    assert problems[0].column == "D（县（市、区））"


def test_coordinates_given_are_kept_exact_and_checked(app, world):
    header = [*HEADER[:5], "经度", "纬度"]
    row = ["坐标馆", "博物馆", "县级", "小店区", "某路1号", "112.55", "37.80"]
    staged = stage(world, [row], header=header)
    record = venue_import.get_import(staged.token, by=world.users["city"])
    venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    venue = venue_named("坐标馆")
    assert (venue.lat, venue.lng) == (37.80, 112.55) and not venue.is_location_approximate
    problems = problems_of(
        world, [["偏馆", "博物馆", "县级", "小店区", "某路", "37.8", "112.5"]], header=header
    )
    assert problems[0].column == "F（经度）" or problems[0].column == "G（纬度）"


def test_a_preview_is_only_its_uploaders_and_expires(app, world):
    staged = stage(world, GOOD)
    with pytest.raises(NotFound):
        venue_import.get_import(staged.token, by=world.users["county"])
    with pytest.raises(NotFound):
        venue_import.get_import("not-a-token", by=world.users["city"])
    later = staged.record.created_at + venue_import.KEEP_FOR + timedelta(minutes=1)
    with pytest.raises(NotFound):
        venue_import.get_import(staged.token, by=world.users["city"], now=later)


def test_confirming_twice_or_after_the_catalogue_moved_on_is_refused(app, world):
    staged = stage(world, GOOD)
    record = venue_import.get_import(staged.token, by=world.users["city"])
    with pytest.raises(ServiceError, match="预览"):
        venue_import.confirm_import(record, digest="stale", by=world.users["city"])
    assert venue_named("晋阳科技馆") is None
    venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    with pytest.raises(ServiceError):
        venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])


def test_only_bureau_staff_import(app, world):
    with pytest.raises(PermissionDenied):
        stage(world, GOOD, who="venue_a")


def test_an_excel_file_with_a_title_row_imports_like_a_csv(app, world):
    staged = stage(world, GOOD, maker=xlsx_file)
    assert [(r.line, r.action) for r in staged.plan.rows] == [(3, "create"), (4, "create")]


def _with_admission(world):
    venue = world.venues["a"]
    venue.set_admission(
        {
            VisitorGroup.PRIMARY: (AdmissionKind.FREE, None),
            VisitorGroup.JUNIOR: (AdmissionKind.DISCOUNT, 10),
            VisitorGroup.ADULT: (AdmissionKind.FULL, 40),
        }
    )
    venue.accessibility, venue.is_accessible = "设坡道", True
    db.session.commit()
    return venue


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_exported_directory_list_imports_back_unchanged(app, world, fmt):
    _with_admission(world)
    client = app.test_client()
    login_as(client, world.users["city"])
    exported = client.get(f"/bureau/venues/export.{fmt}").get_data()
    assert "小学生：免费；初中生：优惠 10元；陪同成人：全价 40元" in _exported_text(exported, fmt)
    staged = venue_import.stage_import(
        io.BytesIO(exported), filename=f"list.{fmt}", by=world.users["city"]
    )
    assert [(r.action, r.changes) for r in staged.plan.rows] == [("unchanged", [])] * 2
    record = venue_import.get_import(staged.token, by=world.users["city"])
    audited = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audited


def _exported_text(exported: bytes, fmt: str) -> str:
    if fmt == "csv":
        return exported.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(exported)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def _policy_sheet(world, policy: str) -> io.BytesIO:
    header = ["序号", "名称", "类别", "级别", "市", "县（市、区）", "地址", "门票政策"]
    venue = world.venues["a"]
    row = [1, venue.name, "博物馆", "省级基地", "太原市", "小店区", venue.address, policy]
    return csv_file([row], header=header)


def test_the_lists_admission_column_is_the_whole_policy_when_imported(app, world):
    venue = _with_admission(world)
    staged = venue_import.stage_import(
        _policy_sheet(world, "小学生：免费；陪同成人：优惠 20元"),
        filename="list.csv",
        by=world.users["city"],
    )
    [row] = staged.plan.rows
    assert row.action == "update" and [c[0] for c in row.changes] == ["门票"]
    record = venue_import.get_import(staged.token, by=world.users["city"])
    venue_import.confirm_import(record, digest=staged.plan.digest, by=world.users["city"])
    db.session.refresh(venue)
    rules = {r.visitor_group: (r.kind, r.price_yuan) for r in venue.admission_rules}
    assert rules == {
        VisitorGroup.PRIMARY: (AdmissionKind.FREE, None),
        VisitorGroup.ADULT: (AdmissionKind.DISCOUNT, 20),
    }
    staged = venue_import.stage_import(
        _policy_sheet(world, "请咨询场馆"), filename="list.csv", by=world.users["city"]
    )
    assert staged.plan.rows[0].action == "update"


EXAMPLE = "小学生：免费；陪同成人：全价 60元"


@pytest.mark.parametrize(
    ("policy", "says"),
    [
        ("小学生免费", EXAMPLE),
        ("大学生：免费", EXAMPLE),
        ("小学生：免费；小学生：全价 5元", EXAMPLE),
        ("小学生：很贵", EXAMPLE),
        ("小学生：优惠 2.5元", "元"),  # a price in whole yuan, as the venue pages take it
    ],
)
def test_a_malformed_admission_cell_is_named_by_line_and_column(app, world, policy, says):
    _with_admission(world)
    kept = db.session.scalar(sa.select(sa.func.count(VenueImport.id)))
    with pytest.raises(venue_import.ImportRejected) as caught:
        venue_import.stage_import(
            _policy_sheet(world, policy), filename="list.csv", by=world.users["city"]
        )
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "H（门票政策）")]
    assert says in caught.value.problems[0].message
    assert db.session.scalar(sa.select(sa.func.count(VenueImport.id))) == kept
    rules = {r.visitor_group: r.kind for r in world.venues["a"].admission_rules}
    assert rules[VisitorGroup.ADULT] is AdmissionKind.FULL  # nothing imported


def test_the_template_has_every_column_and_reads_back(app, world):
    from webapp.services.catalogue.venue_import_sheet import template_workbook

    sheet = load_workbook(io.BytesIO(template_workbook())).active
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers == [c.header + (" *" if c.required else "") for c in COLUMNS]
    staged = venue_import.stage_import(
        io.BytesIO(template_workbook()), filename="t.xlsx", by=world.users["city"]
    )
    assert [r.action for r in staged.plan.rows] == ["create"]


@pytest.mark.parametrize(
    "text, days",
    [
        ("周二至周日 09:00–17:00", [2, 3, 4, 5, 6, 7]),
        ("周一、周三 9:00-12:00, 14:00-17:00", [1, 3, 1, 3]),
        ("每天 08:00-18:00", [1, 2, 3, 4, 5, 6, 7]),
        ("周一至周三、周五 09:00–17:00；周六至周日 08:00–18:00", [1, 2, 3, 5, 6, 7]),
    ],
)
def test_opening_hours_are_read_as_the_list_writes_them(text, days):
    assert [d for d, _o, _c in parse_hours(text)] == days


# ---------------------------------------------------------------- pages


def client_for(app, world, role):
    client = app.test_client()
    login_as(client, world.users[role])
    return client


def upload(client, rows, name="venues.csv", lang=None):
    url = "/bureau/venues/import" + (f"?lang={lang}" if lang else "")
    return client.post(
        url, data={"file": (csv_file(rows), name)}, content_type="multipart/form-data"
    )


def test_upload_preview_and_confirm_through_the_pages(app, world):
    client = client_for(app, world, "city")
    assert client.get("/bureau/venues/import").status_code == 200
    response = upload(client, GOOD)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert re.search(r"/bureau/venues/import/[\w-]+$", preview_url)
    page = client.get(preview_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "晋阳科技馆" in html and "迎泽红色纪念馆" in html
    digest = re.search(r'name="digest" type="hidden" value="(\w+)"', html).group(1)
    assert venue_named("晋阳科技馆") is None
    done = client.post(preview_url, data={"digest": digest})
    assert done.status_code == 302 and done.headers["Location"].endswith("/bureau/venues")
    assert venue_named("晋阳科技馆") is not None
    assert "导入完成：新增 2 个场馆" in client.get("/bureau/venues").get_data(as_text=True)
    # a confirmed preview is not applied again
    again = client.post(preview_url, data={"digest": digest})
    assert again.status_code == 302


def test_a_bad_upload_shows_every_problem_and_keeps_nothing(app, world):
    client = client_for(app, world, "city")
    response = upload(client, [["新馆", "游乐场", "省级基地", "火星区", "某路"]], lang="en")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown category: “游乐场”" in html and "Unknown county: “火星区”" in html
    assert db.session.scalar(sa.select(sa.func.count(VenueImport.id))) == 0
    not_sheet = client.post(
        "/bureau/venues/import",
        data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert not_sheet.status_code == 422 and "CSV" in not_sheet.get_data(as_text=True)
    assert client.post("/bureau/venues/import", data={}).status_code == 400


def test_someone_elses_preview_is_not_found(app, world):
    response = upload(client_for(app, world, "city"), GOOD)
    other = client_for(app, world, "county_y")
    assert other.get(response.headers["Location"]).status_code == 404
    assert other.post(response.headers["Location"], data={"digest": "x"}).status_code == 404


def test_the_template_downloads(app, world):
    response = client_for(app, world, "county").get("/bureau/venues/import-template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")


def test_expired_previews_are_purged_by_cron_and_a_fresh_one_stays(app, world):
    city, county, admin = world.users["city"], world.users["county"], world.users["admin"]
    old = stage(world, GOOD)
    done = venue_import.stage_import(csv_file([GOOD[0]]), filename="v.csv", by=county)
    record = venue_import.get_import(done.token, by=county)
    venue_import.confirm_import(record, digest=done.plan.digest, by=county)
    day_later = old.record.created_at + venue_import.KEEP_FOR + timedelta(minutes=1)
    fresh = venue_import.stage_import(
        csv_file([GOOD[1]]), filename="v.csv", by=admin, now=day_later
    )
    result = app.test_cli_runner().invoke(args=["purge-venue-imports"])
    assert result.exit_code == 0, result.output
    # run "now": nothing is a day old yet
    assert "purged: 0" in result.output
    assert venue_import.purge_venue_imports(now=day_later) == 2
    db.session.expire_all()
    kept = db.session.scalars(sa.select(VenueImport.token_hash)).all()
    assert kept == [venue_import._hash(fresh.token)]
    with pytest.raises(NotFound):
        venue_import.get_import(old.token, by=city, now=day_later)
    assert venue_import.get_import(fresh.token, by=admin, now=day_later)

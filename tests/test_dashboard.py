"""The supervision dashboard: figures from the rollups equal a recount, scoped to the region."""

import uuid
from datetime import date, datetime, timedelta

import pytest

from models import (
    Booking,
    BookingChannel,
    BookingKind,
    BookingStatus,
    LectureStatus,
    Role,
    SlotKind,
    VenueCategory,
    db,
)
from tests.factories import (
    NOW,
    make_lecturer,
    make_request,
    make_school,
    make_session,
    make_station,
    make_topic,
    make_user,
    make_venue,
)
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.supervision import dashboard, guidance, rollups

JAN, DEC = date(2025, 1, 1), date(2025, 12, 31)
PARTY = ("preschool", "primary_pupils", "junior", "senior", "adults", "teachers")


def make_booking(session, status=BookingStatus.CONFIRMED, channel=BookingChannel.GENERAL,
                 school=None, **counts):
    counts.setdefault("primary_pupils", 2)
    counts.setdefault("adults", 1)
    booking = Booking(
        code=uuid.uuid4().hex[:12],
        slot_id=session.id,
        visit_on=(session.starts_at + timedelta(hours=8)).date(),
        channel=channel,
        kind=BookingKind.SCHOOL_GROUP if school else BookingKind.FAMILY,
        status=status,
        booker_id=make_user().id,
        school_id=school.id if school else None,
        idempotency_key=uuid.uuid4().hex,
        places=sum(counts.get(k, 0) for k in PARTY),
        contact_name="王女士",
        contact_phone="13800138000",
        **counts,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


@pytest.fixture
def world_builder():
    return dashboard_world


def dashboard_world(regions):
    taiyuan, datong = regions["140100"], regions["140200"]
    xiaodian, yingze, pingcheng = regions["140105"], regions["140106"], regions["140213"]
    museum = make_venue(xiaodian, name="山西博物院", categories=[VenueCategory.MUSEUM])
    library = make_venue(yingze, name="山西省图书馆", categories=[VenueCategory.LIBRARY])
    far = make_venue(pingcheng, name="大同市博物馆", categories=[VenueCategory.MUSEUM])
    school = make_school(xiaodian, name="太原市第五中学")
    idle = make_school(yingze, name="迎泽区实验小学")
    # 23:30 UTC on 31 May is 1 June in Beijing: the visit belongs to June
    june = make_session(museum, starts_at=datetime(2025, 5, 31, 23, 30), capacity=100)
    open_day = make_session(library, starts_at=datetime(2025, 3, 8, 1, 0),
                            kind=SlotKind.OPEN_DAY, capacity=200)
    make_session(museum, starts_at=datetime(2025, 7, 1, 1, 0), is_cancelled=True)
    datong_session = make_session(far, starts_at=datetime(2025, 6, 10, 1, 0))
    make_booking(june, status=BookingStatus.CHECKED_IN, preschool=1, adults=2)
    make_booking(june, status=BookingStatus.CHECKED_IN, channel=BookingChannel.GREEN,
                 primary_pupils=3, adults=1, left_behind=2, disabled=1)
    make_booking(june, status=BookingStatus.NO_SHOW, senior=4, adults=0)
    make_booking(june, status=BookingStatus.CANCELLED, junior=9)
    make_booking(june, status=BookingStatus.CHECKED_IN, channel=BookingChannel.GREEN,
                 school=school, primary_pupils=30, adults=0, teachers=2)
    make_booking(open_day, status=BookingStatus.CONFIRMED, junior=2, adults=2)
    make_booking(datong_session, status=BookingStatus.CHECKED_IN, senior=50, adults=0)
    city = make_user(Role.BUREAU_STAFF, region=taiyuan, name="太原市教育局")
    db.session.commit()
    return {
        "taiyuan": taiyuan, "datong": datong, "xiaodian": xiaodian, "museum": museum,
        "library": library, "school": school, "idle": idle, "city": city,
        "province": regions["140000"],
    }


def test_rollups_equal_a_full_recount_for_every_region(world):
    rollups.refresh_rollups(now=NOW)
    for key in ("province", "taiyuan", "xiaodian", "datong"):
        region = world[key]
        figures = dashboard.get_dashboard(region, JAN, DEC, by=world["city"] if key in (
            "taiyuan", "xiaodian") else make_user(Role.ADMIN), now=NOW)
        clause = dashboard.region_filter(region, rollups.Venue.county_id, rollups.Venue.city_id)
        assert figures.months == rollups.recount_months(clause, JAN, DEC)
        assert figures.months  # a recount of nothing would prove nothing


def test_dashboard_counts_visitors_by_group_channel_and_month(world):
    rollups.refresh_rollups(now=NOW)
    figures = dashboard.get_dashboard(world["taiyuan"], JAN, DEC, by=world["city"], now=NOW)
    june, march = figures.months[date(2025, 6, 1)], figures.months[date(2025, 3, 1)]
    # booked: everything but the cancelled booking; arrived: the three checked in
    assert june["bookings"] == 4
    assert june["booked_senior"] == 4 and june["arrived_senior"] == 0
    assert june["arrived_primary"] == 2 + 3 + 30 and june["arrived_preschool"] == 1
    assert june["arrived_adults"] == 2 + 1 + 2
    assert june["arrived_green"] == 4 + 32
    assert june["left_behind"] == 2 and june["disabled"] == 1
    assert june["booked_junior"] == 0
    assert june["sessions"] == 1 and june["capacity"] == 100
    assert march["open_days"] == 1 and march["booked_junior"] == 2
    assert date(2025, 7, 1) not in figures.months  # the cancelled session is not offered
    assert figures.totals["arrived_senior"] == 0  # Datong's visitors are not Taiyuan's


def test_dashboard_ranks_venues_and_finds_schools_without_trips(world):
    rollups.refresh_rollups(now=NOW)
    figures = dashboard.get_dashboard(world["taiyuan"], JAN, DEC, by=world["city"], now=NOW)
    assert [u.name for u in figures.most_visited] == ["山西博物院", "山西省图书馆"]
    assert figures.venues_total == 2
    assert dict(figures.venues_by_category) == {VenueCategory.MUSEUM: 1, VenueCategory.LIBRARY: 1}
    assert [(r.name, n) for r, n in figures.venues_by_county] == [("小店区", 1), ("迎泽区", 1)]
    county = dashboard.get_dashboard(world["xiaodian"], JAN, DEC, by=world["city"], now=NOW)
    assert [(r.name, n) for r, n in county.venues_by_county] == [("小店区", 1)]
    province = dashboard.get_dashboard(world["province"], JAN, DEC, by=make_user(Role.ADMIN))
    assert sum(n for _r, n in province.venues_by_county) == province.venues_total == 3
    assert [(i, n, p) for i, n, p, _t in figures.school_trips] == [
        (world["school"].id, "太原市第五中学", 1)
    ]
    assert figures.schools_without_trip == [(world["idle"].id, "迎泽区实验小学")]


def test_guidance_targets_count_own_activities_and_delivered_talks(world):
    school, idle = world["school"], world["idle"]
    station = make_station(world["xiaodian"])
    topic = make_topic()
    make_request(school, topic, status=LectureStatus.DELIVERED, delivered_on=date(2025, 3, 3),
                 scheduled_on=date(2025, 3, 3), lecturer=make_lecturer(world["taiyuan"]),
                 audience_reached=80)
    db.session.commit()
    guidance.record_activity(
        school, guidance.ActivityValues(date(2025, 4, 1), guidance.GuidanceKind.PARENTS_MEETING,
                                        "家长会", 45), by=world["city"], now=NOW)
    for day in (1, 2, 3):
        guidance.record_activity(
            station, guidance.ActivityValues(date(2025, 5, day), guidance.GuidanceKind.OTHER,
                                             "亲子阅读", 10), by=world["city"], now=NOW)
    figures = dashboard.get_dashboard(world["taiyuan"], JAN, DEC, by=world["city"], now=NOW)
    counts = {h.name: (h.activities, h.is_behind) for h in figures.schools_guidance}
    assert counts[school.name] == (2, False)
    assert counts[idle.name] == (0, True)
    assert [(h.name, h.activities) for h in figures.stations_behind] == [(station.name, 3)]
    assert figures.talks_delivered == 1 and figures.talk_audience == 80


def test_dashboard_refuses_a_region_outside_the_scope_and_bad_periods(world):
    with pytest.raises(PermissionDenied):
        dashboard.get_dashboard(world["datong"], JAN, DEC, by=world["city"], now=NOW)
    with pytest.raises(PermissionDenied):
        dashboard.get_dashboard(world["province"], JAN, DEC, by=world["city"], now=NOW)
    with pytest.raises(ServiceError, match="截止日期不能早于起始日期"):
        dashboard.get_dashboard(world["taiyuan"], DEC, JAN, by=world["city"], now=NOW)
    with pytest.raises(ServiceError, match="5年"):
        dashboard.get_dashboard(world["taiyuan"], date(2019, 1, 1), DEC, by=world["city"],
                                now=NOW)


def test_activities_dated_in_the_future_or_with_negative_parents_are_refused(world):
    school = world["school"]
    # 19:30 UTC on 4 June is already 5 June in Beijing: the 5th is not in the future
    late = datetime(2025, 6, 4, 19, 30)
    guidance.record_activity(
        school, guidance.ActivityValues(date(2025, 6, 5), guidance.GuidanceKind.OTHER, "讲座", 1),
        by=world["city"], now=late)
    with pytest.raises(ServiceError, match="晚于今天"):
        guidance.record_activity(
            school, guidance.ActivityValues(date(2025, 6, 6), guidance.GuidanceKind.OTHER, "讲座",
                                            1), by=world["city"], now=late)
    with pytest.raises(ServiceError, match="不能为负"):
        guidance.record_activity(
            school, guidance.ActivityValues(date(2025, 6, 1), guidance.GuidanceKind.OTHER, "讲座",
                                            -1), by=world["city"], now=late)
    assert db.session.query(guidance.GuidanceActivity).count() == 1


def test_refresh_dashboard_command_checks_the_rollups_against_a_recount(world, runner):
    result = runner.invoke(args=["refresh-dashboard", "--check"])
    assert result.exit_code == 0, result.output
    assert "rollups equal a full recount" in result.output
    # a booking made after the refresh makes the rollups stale until the next one
    make_booking(make_session(world["museum"], starts_at=datetime(2025, 8, 1, 1, 0)))
    db.session.commit()
    assert rollups.find_rollup_mismatches(rollups.sa.true()) == [date(2025, 8, 1)]


# ---------------------------------------------------------------- pages


def test_city_bureau_lands_on_its_dashboard_and_downloads_every_figure(world, client, auth):
    import io

    from openpyxl import load_workbook

    rollups.refresh_rollups(now=NOW)
    response = auth.login(world["city"].email)
    assert response.headers["Location"].endswith("/bureau/dashboard")
    page = client.get("/bureau/dashboard?start=2025-01&end=2025-12").get_data(as_text=True)
    assert "督导统计" in page and "山西博物院" in page and "大同市博物馆" not in page
    assert 'data-chart="chart-by_month"' in page and "echarts.min.js" in page
    download = client.get("/bureau/dashboard.xlsx?start=2025-01&end=2025-12")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data))
    assert "各月参观人数（预约与到场）" in book.sheetnames
    sheet = book["概况"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["到场人数"] == 1 + 2 + 2 + 3 + 1 + 32  # Taiyuan's checked-in visitors


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("region=140200", 403, "该地区不在您的管辖范围内"),
        ("region=abc", 403, "该地区不在您的管辖范围内"),
        ("start=2025-06&end=2025-01", 400, "截止日期不能早于起始日期"),
        ("start=2019-01&end=2025-01", 400, "时段不能超过5年"),
        ("start=2025-13", 400, "YYYY-MM"),
    ],
)
def test_dashboard_explains_bad_regions_and_periods(world, client, auth, query, status, message):
    auth.login(world["city"].email)
    response = client.get(f"/bureau/dashboard?{query}")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert "太原市" in page  # the city's own dashboard is shown instead


def test_families_cannot_open_the_dashboard(world, client, auth):
    family = make_user(Role.FAMILY)
    db.session.commit()
    auth.login(family.email)
    assert client.get("/bureau/dashboard").status_code == 403
    assert client.get("/bureau/dashboard.xlsx").status_code == 403


def test_bureau_corrections_and_removals_of_activities_are_audited(world):
    from models import AuditEntry

    activity = guidance.record_activity(
        world["school"], guidance.ActivityValues(date(2025, 5, 1),
                                                 guidance.GuidanceKind.PARENT_SCHOOL, "家长学校",
                                                 30), by=world["city"], now=NOW)
    guidance.correct_activity(
        activity, guidance.ActivityValues(date(2025, 5, 1), guidance.GuidanceKind.PARENT_SCHOOL,
                                          "家长学校", 35), by=world["city"], now=NOW)
    guidance.remove_activity(activity, by=world["city"], now=NOW)
    entries = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert [e.action for e in entries] == ["guidance.record", "guidance.correct",
                                           "guidance.remove"]
    assert entries[1].before == {"parents": 30} and entries[1].after == {"parents": 35}
    assert entries[2].before["host"] == "太原市第五中学"
    assert db.session.query(guidance.GuidanceActivity).count() == 0
    datong_officer = make_user(Role.BUREAU_STAFF, region=world["datong"])
    other = guidance.record_activity(
        world["school"], guidance.ActivityValues(date(2025, 5, 2), guidance.GuidanceKind.OTHER,
                                                 "讲座", 5), by=world["city"], now=NOW)
    with pytest.raises(PermissionDenied):
        guidance.remove_activity(other, by=datong_officer, now=NOW)


@pytest.mark.parametrize(
    ("start", "end"),
    [(JAN, DEC), (date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 5, 31)),
     (date(2025, 6, 1), date(2025, 8, 31)), (date(2024, 1, 1), date(2024, 12, 31))],
)
def test_venue_use_from_running_totals_equals_a_recount(world, start, end):
    rollups.refresh_rollups(now=NOW)
    use = dashboard.get_dashboard(world["taiyuan"], start, end, by=world["city"], now=NOW)
    got = {row[0]: (row[5], row[6]) for row in use.venue_use if row[5] or row[6]}
    ids = [world["museum"].id, world["library"].id]
    assert got == rollups.recount_venue_use(ids, start, end)


# ---------------------------------------------------------------- guidance pages


def test_school_staff_record_their_activity_and_bureau_corrects_and_removes_it(
    world, client, auth
):
    from models import AuditEntry, GuidanceActivity

    teacher = make_user(Role.SCHOOL_STAFF, school=world["school"])
    db.session.commit()
    auth.login(teacher.email)
    form = client.get("/bureau/guidance/new").get_data(as_text=True)
    assert "太原市第五中学" in form and "迎泽区实验小学" not in form
    data = {"host": f"school:{world['school'].id}", "held_on": "2025-05-01",
            "kind": "parents_meeting", "topic": "期中家长会", "parents": "120"}
    response = client.post("/bureau/guidance/new", data=data)
    assert response.status_code == 302
    bad = client.post("/bureau/guidance/new", data=data | {"parents": "-3"})
    assert bad.status_code == 400 and "0 到 100,000" in bad.get_data(as_text=True)
    future = client.post("/bureau/guidance/new", data=data | {"held_on": "2999-01-01"})
    assert future.status_code == 400 and "活动日期不能晚于今天" in future.get_data(as_text=True)
    idle = f"school:{world['idle'].id}"
    foreign = client.post("/bureau/guidance/new", data=data | {"host": idle})
    assert foreign.status_code == 400
    activity = db.session.query(GuidanceActivity).one()
    assert client.post(f"/bureau/guidance/{activity.id}/remove").status_code == 403

    auth.logout()
    auth.login(world["city"].email)
    page = client.get("/bureau/guidance").get_data(as_text=True)
    assert "期中家长会" in page
    fixed = client.post(f"/bureau/guidance/{activity.id}/edit",
                        data={k: v for k, v in data.items() if k != "host"} | {"parents": "110"})
    assert fixed.status_code == 302
    assert client.post(f"/bureau/guidance/{activity.id}/remove").status_code == 302
    assert db.session.query(GuidanceActivity).count() == 0
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["guidance.correct", "guidance.remove"]


# ---------------------------------------------------------------- audit log in words


def test_the_audit_log_says_who_did_what_in_words_with_labelled_values(world, client, auth):
    activity = guidance.record_activity(
        world["school"], guidance.ActivityValues(date(2025, 5, 1), guidance.GuidanceKind.OTHER,
                                                 "讲座", 30), by=world["city"], now=NOW)
    guidance.correct_activity(
        activity, guidance.ActivityValues(date(2025, 5, 1), guidance.GuidanceKind.OTHER, "讲座",
                                          35), by=world["city"], now=NOW)
    auth.login(world["city"].email)
    page = client.get("/bureau/audit?action=guidance.correct").get_data(as_text=True)
    assert "太原市教育局更正了指导活动：太原市第五中学" in page
    assert "<dt>参加家长人数</dt><dd>30</dd>" in page and "<dd>35</dd>" in page
    assert "guidance.correct ·" not in page
    assert "登记了指导活动：太原市第五中学" not in page  # filtered by kind

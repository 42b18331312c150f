"""The parent-facing booking pages as a parent reads them: the search page's quick filters,
the venue's days and places, the family form's rules, and the confirmation."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, BookingChannel, BookingSettings, Role, WaitlistEntry, db
from models.user import utcnow
from tests.factories import make_session, make_settings, make_user, make_venue
from webapp.services.clock import local_date, to_local, to_utc


@pytest.fixture
def venue(app):
    found = make_venue()
    db.session.commit()
    return found


@pytest.fixture
def family(app):
    user = make_user(role=Role.FAMILY, name="王芳", phone="13900139000")
    db.session.commit()
    return user


def _day_after(days):
    """A session start `days` local days from today, at 10:00 local."""
    from datetime import time

    return to_utc(local_date(utcnow()) + timedelta(days=days), time(10, 0))


def _family_form(**counts):
    form = {
        name: "0"
        for name in (
            "preschool",
            "primary_pupils",
            "junior",
            "senior",
            "adults",
            "left_behind",
            "disabled",
            "orphaned",
            "special_family",
        )
    }
    form.update({k: str(v) for k, v in counts.items()})
    form.update(
        contact_name="王芳", contact_phone="13900139000", idempotency_key="abcdef0123456789"
    )
    return form


# ---------------------------------------------------------------- search page


def test_search_with_all_categories_reports_no_ignored_filter(client, regions, venue):
    page = client.get("/?q=&category=&city=&county=&stage=&open_on=&places_on=").get_data(
        as_text=True
    )
    assert "已忽略" not in page


def test_search_with_an_unknown_category_reports_it_ignored(client, regions, venue):
    page = client.get("/?category=no-such-thing").get_data(as_text=True)
    assert "部分筛选条件无法使用，已忽略：类别" in page


def test_search_page_shows_quick_chips_then_a_closed_sheet_then_results(client, regions, venue):
    page = client.get("/").get_data(as_text=True)
    marks = ("chip-bar", '<details class="filter-panel', "result-count")
    chips, sheet, results = (page.index(m) for m in marks)
    assert chips < sheet < results
    assert '<details class="filter-panel">' in page  # closed: the results are on screen
    bar = page[chips:sheet]
    assert "免费" in bar and "周六" in bar and "周日" in bar


def test_free_chip_turns_the_filter_on_and_off(client, regions, venue):
    off = client.get("/?q=博物馆").get_data(as_text=True)
    assert 'class="chip" href="/?q=%E5%8D%9A%E7%89%A9%E9%A6%86&amp;free=1"' in off
    on = client.get("/?q=博物馆&free=1").get_data(as_text=True)
    assert 'class="chip chip-on" href="/?q=%E5%8D%9A%E7%89%A9%E9%A6%86" aria-current="true"' in on


# ---------------------------------------------------------------- the venue's days


def test_day_strip_marks_full_few_available_and_not_released_days(client, venue):
    make_settings(venue, open_days_ahead=14)
    make_session(venue, starts_at=_day_after(2), capacity=20, taken_general=20)
    make_session(venue, starts_at=_day_after(3), capacity=20, taken_general=17)
    make_session(venue, starts_at=_day_after(4), capacity=20)
    late = make_session(venue, starts_at=_day_after(16), capacity=20)
    db.session.commit()
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    strip = page[page.index("day-strip") : page.index("</nav>", page.index("day-strip"))]
    assert strip.count("day-full") == 1 and "已约满" in strip
    assert strip.count("day-few") == 1 and "名额紧张" in strip
    assert strip.count("day-available") == 1
    assert strip.count("day-not_released") == 1 and "未放出" in strip
    day = local_date(late.starts_at)
    opens = day - timedelta(days=14)
    assert f"{day:%m-%d} 的名额将于 {opens:%m-%d} 08:00 放出" in page


def test_chosen_day_shows_plain_numbers_never_more_green_than_left(client, venue):
    make_session(venue, starts_at=_day_after(3), capacity=60, green_quota=10, taken_general=10)
    tight = make_session(
        venue, starts_at=_day_after(4), capacity=60, green_quota=30, taken_general=50
    )
    db.session.commit()
    first = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "余 50 个名额，其中 10 个为绿色通道保留" in first
    day = local_date(tight.starts_at).isoformat()
    second = client.get(f"/venues/{venue.id}?day={day}").get_data(as_text=True)
    assert "余 10 个名额，其中 10 个为绿色通道保留" in second
    assert 'aria-current="date"' in second


def test_a_bad_day_in_the_address_shows_the_first_day_with_places(client, venue):
    make_session(venue, starts_at=_day_after(3), capacity=20)
    db.session.commit()
    response = client.get(f"/venues/{venue.id}?day=2026-99-99")
    assert response.status_code == 200
    assert "余 20 个名额" in response.get_data(as_text=True)


def test_venue_rules_are_shown_where_people_book(client, venue):
    make_settings(
        venue, cancel_cutoff_hours=6, arrive_minutes_before=20, what_to_bring="身份证、水杯"
    )
    make_session(venue, starts_at=_day_after(3))
    db.session.commit()
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "场次开始前 6 小时之前可在线取消" in page
    assert "3 次预约未到且未取消，将暂停在线预约 30 天" in page
    assert "请在场次开始前 20 分钟到达" in page
    assert "请携带: 身份证、水杯" in page


# ---------------------------------------------------------------- the family form


def test_contact_details_are_filled_from_the_account(client, auth, family, venue):
    session = make_session(venue, starts_at=_day_after(3))
    db.session.commit()
    auth.login(family.email)
    page = client.get(f"/booking/sessions/{session.id}/family").get_data(as_text=True)
    assert 'value="王芳"' in page and 'value="13900139000"' in page


def test_one_left_behind_child_and_one_adult_book_free_and_the_category_is_confirmed(
    client, auth, family, venue
):
    session = make_session(venue, starts_at=_day_after(3), capacity=20, green_quota=5)
    db.session.commit()
    auth.login(family.email)
    url = f"/booking/sessions/{session.id}/family"
    form = _family_form(primary_pupils=1, adults=1, left_behind=1)
    preview = client.post(url, data=form).get_data(as_text=True)
    assert "绿色通道" in preview and "符合条件的儿童" in preview and "留守儿童 1" in preview
    done = client.post(url, data={**form, "confirm": "1"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    booking = db.session.scalar(sa.select(Booking))
    assert booking.channel is BookingChannel.GREEN and booking.price_yuan == 0
    assert "符合条件的儿童" in page and "留守儿童 1" in page


def test_a_qualifying_child_not_counted_by_stage_gets_a_clear_message(client, auth, family, venue):
    session = make_session(venue, starts_at=_day_after(3))
    db.session.commit()
    auth.login(family.email)
    response = client.post(
        f"/booking/sessions/{session.id}/family", data=_family_form(adults=1, left_behind=1)
    )
    page = response.get_data(as_text=True)
    assert "符合条件的儿童应包含在按学段填写的人数之中" in page
    assert 'value="王芳"' in page  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_children_without_an_adult_are_refused(client, auth, family, venue):
    session = make_session(venue, starts_at=_day_after(3))
    db.session.commit()
    auth.login(family.email)
    page = client.post(
        f"/booking/sessions/{session.id}/family", data=_family_form(preschool=2)
    ).get_data(as_text=True)
    assert "儿童须由至少一名成人陪同" in page
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_a_venue_may_let_senior_secondary_students_come_alone(client, auth, family, venue):
    make_settings(venue, is_senior_alone_allowed=True)
    session = make_session(venue, starts_at=_day_after(3))
    db.session.commit()
    auth.login(family.email)
    url = f"/booking/sessions/{session.id}/family"
    alone = client.post(url, data=_family_form(senior=2)).get_data(as_text=True)
    assert "确认预约" in alone
    mixed = client.post(url, data=_family_form(senior=1, junior=1)).get_data(as_text=True)
    assert "儿童须由至少一名成人陪同" in mixed


def test_a_party_that_does_not_fit_is_offered_the_waiting_list(client, auth, family, venue):
    session = make_session(venue, starts_at=_day_after(3), capacity=20, taken_general=11)
    db.session.commit()
    auth.login(family.email)
    page = client.post(
        f"/booking/sessions/{session.id}/family", data=_family_form(primary_pupils=5, adults=5)
    ).get_data(as_text=True)
    assert "加入候补名单" in page
    assert f'action="/booking/sessions/{session.id}/waitlist"' in page
    assert 'name="places" min="1" max="999" value="10"' in page
    client.post(f"/booking/sessions/{session.id}/waitlist", data={"places": "10"})
    entry = db.session.scalar(sa.select(WaitlistEntry))
    assert entry.places == 10 and entry.user_id == family.id


# ---------------------------------------------------------------- the venue sets its rules


def test_venue_staff_set_what_visitors_read_before_booking(client, auth, venue):
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    auth.login(staff.email)
    form = {
        "open_days_ahead": "14", "release_time": "08:00", "green_release_hours": "24",
        "cancel_cutoff_hours": "2", "preschool_per_teacher": "10", "primary_per_teacher": "20",
        "junior_per_teacher": "20", "senior_per_teacher": "25", "approval_above": "40",
        "arrive_minutes_before": "30", "what_to_bring": "预约码\t和\x1b水杯",
        "is_senior_alone_allowed": "y",
    }  # fmt: skip
    saved = client.post(f"/console/venues/{venue.id}/settings", data=form)
    assert saved.status_code == 302
    settings = db.session.get(BookingSettings, venue.id)
    assert (settings.arrive_minutes_before, settings.what_to_bring) == (30, "预约码和水杯")
    assert settings.is_senior_alone_allowed
    bad = client.post(
        f"/console/venues/{venue.id}/settings", data={**form, "arrive_minutes_before": "999"}
    )
    assert bad.status_code == 400
    db.session.expire_all()
    assert db.session.get(BookingSettings, venue.id).arrive_minutes_before == 30


# ---------------------------------------------------------------- 我的预约, waiting, cancelling


def _book(client, session, **counts):
    form = _family_form(**(counts or {"primary_pupils": 1, "adults": 1}))
    form["idempotency_key"] = f"key-{session.id:08d}"
    done = client.post(f"/booking/sessions/{session.id}/family", data={**form, "confirm": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)
    return db.session.scalar(sa.select(Booking).where(Booking.slot_id == session.id))


def test_my_bookings_run_soonest_first_with_cancelled_ones_apart(client, auth, family, venue):
    later = make_session(venue, starts_at=_day_after(6))
    sooner = make_session(venue, starts_at=_day_after(2))
    dropped = make_session(venue, starts_at=_day_after(4))
    db.session.commit()
    auth.login(family.email)
    for s in (later, sooner, dropped):
        _book(client, s)
    code = _book(client, dropped).code
    client.post(f"/booking/b/{code}/cancel")
    page = client.get("/booking/mine").get_data(as_text=True)
    coming = page[page.index("即将参观") : page.index("已取消和已结束")]
    finished = page[page.index("已取消和已结束") :]
    day = lambda s: f"{local_date(s.starts_at):%Y-%m-%d}"  # noqa: E731
    assert coming.index(day(sooner)) < coming.index(day(later))
    assert day(dropped) not in coming
    assert "已取消" in finished and day(dropped) in finished


def test_cancelling_asks_first_and_shows_the_deadline(client, auth, family, venue):
    make_settings(venue, cancel_cutoff_hours=6)
    session = make_session(venue, starts_at=_day_after(3))
    db.session.commit()
    auth.login(family.email)
    booking = _book(client, session)
    detail = client.get(f"/booking/b/{booking.code}").get_data(as_text=True)
    assert f'href="/booking/b/{booking.code}/cancel"' in detail
    ask = client.get(f"/booking/b/{booking.code}/cancel").get_data(as_text=True)
    deadline = session.starts_at - timedelta(hours=6)
    assert f"在线取消截止时间为 {to_local(deadline):%Y-%m-%d %H:%M}" in ask
    assert "确认取消预约" in ask
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).is_active  # looking did not cancel
    client.post(f"/booking/b/{booking.code}/cancel")
    db.session.expire_all()
    assert not db.session.get(Booking, booking.id).is_active
    again = client.get(f"/booking/b/{booking.code}").get_data(as_text=True)
    assert "/cancel" not in again and ".ics" not in again


def test_a_waiting_entry_shows_in_my_bookings_with_its_hold_and_can_be_left(
    client, auth, family, venue
):
    session = make_session(venue, starts_at=_day_after(3), capacity=4, taken_general=4)
    db.session.commit()
    auth.login(family.email)
    joined = client.post(f"/booking/sessions/{session.id}/waitlist", data={"places": "3"})
    assert joined.headers["Location"].endswith("/booking/mine")
    page = client.get("/booking/mine").get_data(as_text=True)
    assert "候补名单" in page and "需要 3 个名额" in page and "退出候补名单" in page
    entry = db.session.scalar(sa.select(WaitlistEntry))
    until = utcnow() + timedelta(hours=5)
    db.session.execute(
        sa.update(WaitlistEntry)
        .where(WaitlistEntry.id == entry.id)
        .values(held_places=3, held_until=until)
    )
    db.session.execute(sa.text("UPDATE slots SET taken_general = 1, held_general = 3"))
    db.session.commit()
    held = client.get("/booking/mine").get_data(as_text=True)
    assert f"已为您保留 3 个名额，至 {to_local(until):%m-%d %H:%M}" in held
    assert f'href="/booking/sessions/{session.id}/family"' in held
    left = client.post(f"/booking/sessions/{session.id}/waitlist/leave", follow_redirects=True)
    assert "您已退出候补名单" in left.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(WaitlistEntry.id))) == 0
    assert db.session.get(type(session), session.id).held_general == 0


# ---------------------------------------------------------------- English


def test_in_english_county_menus_and_lists_follow_the_language(client, auth, regions):
    import re

    venue = make_venue(regions["140105"])
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    auth.login(staff.email)
    client.set_cookie("lang", "en")
    page = client.get(f"/console/venues/{venue.id}/edit").get_data(as_text=True)
    counties = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', page)
    assert "Taiyuan · Yingze District" in counties
    assert not [c for c in counties if re.search(r"[\u4e00-\u9fff]", c)]
    footer = client.get("/").get_data(as_text=True)
    assert "further promoting school–family–society co-education" in footer
    client.set_cookie("lang", "zh")
    chinese = client.get("/").get_data(as_text=True)
    assert "《关于进一步推进学校家庭社会协同育人工作的通知》（晋教政〔2023〕3号）" in chinese

"""The parent-facing booking pages as a parent reads them: the search page's quick filters,
the venue's days and places, the family form's rules, and the confirmation."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, BookingChannel, BookingSettings, Role, WaitlistEntry, db
from models.user import utcnow
from tests.booking_factories import make_session, make_settings
from tests.factories import make_user, make_venue
from webapp.services.sessions import local_date, to_utc


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
    chips, sheet, results = (page.index(m) for m in ("chip-bar", "<details", "result-count"))
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

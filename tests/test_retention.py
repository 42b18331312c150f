"""Retention: contact data of finished visits is purged after its period; counts stay."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from models import Booking, BookingVisitor, IdentityDocument, OutboxMessage, Role, db
from tests.factories import family_request, make_session, make_user, make_venue
from webapp.services import outbox
from webapp.services.booking import requests
from webapp.services.retention import purge_personal_data

#: 19:30 UTC: already the next day in Beijing
LATE = datetime(2026, 12, 1, 19, 30)


def _visit(days_before_beijing_today: int) -> Booking:
    """A booking whose visit was this many Beijing days before LATE's Beijing date (12-02)."""
    venue = make_venue()
    starts = datetime(2026, 12, 2, 1, 0) - timedelta(days=days_before_beijing_today)
    session = make_session(venue, starts_at=starts, capacity=10)
    family = make_user(role=Role.FAMILY)
    db.session.commit()
    booking = requests.create_booking(
        session,
        family_request(primary_pupils=2, adults=1),
        by=family,
        now=starts - timedelta(days=1),
    )
    db.session.add(
        BookingVisitor(
            booking_id=booking.id,
            name="王芳",
            document=IdentityDocument.PASSPORT,
            masked_number="E1*****78",
            number_digest="0" * 64,
        )
    )
    db.session.commit()
    return booking


def test_contact_data_goes_after_the_period_and_the_counts_stay(app):
    with app.test_request_context("/"):
        old, recent = _visit(181), _visit(180)
    purged = purge_personal_data(now=LATE)
    assert purged.bookings == 1
    old, recent = db.session.get(Booking, old.id), db.session.get(Booking, recent.id)
    assert (old.contact_name, old.contact_phone, old.personal_data_purged_at) == ("", "", LATE)
    assert (old.places, old.primary_pupils, old.adults, old.status) == (3, 2, 1, recent.status)
    assert recent.contact_name == "王女士" and recent.contact_phone == "13800138000"
    assert purge_personal_data(now=LATE).bookings == 0  # each booking once


def test_real_name_entries_go_sooner_than_contact_data(app):
    app.config["REAL_NAME_RETENTION_DAYS"] = 7
    with app.test_request_context("/"):
        week_old, days_old = _visit(8), _visit(7)
    purged = purge_personal_data(now=LATE)
    assert (purged.bookings, purged.visitors) == (0, 1)
    assert db.session.get(Booking, week_old.id).visitors == []
    assert len(db.session.get(Booking, days_old.id).visitors) == 1


def test_old_messages_that_went_out_are_deleted_and_waiting_ones_kept(app):
    sent = outbox.send_message("13800138000", "旧消息", "…", now=LATE - timedelta(days=181))
    sent.sent_at = sent.created_at
    outbox.send_message("13900139000", "未发出", "…", now=LATE - timedelta(days=181))
    outbox.send_message("13700137000", "新消息", "…", now=LATE - timedelta(days=10))
    db.session.commit()
    assert purge_personal_data(now=LATE).messages == 1
    left = db.session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert left == ["未发出", "新消息"]


def test_the_command_reports_what_it_purged(app, runner):
    result = runner.invoke(args=["purge-personal-data"])
    assert result.exit_code == 0 and "bookings purged: 0" in result.output


def test_the_privacy_notice_states_the_period(app, client):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 90
    page = client.get("/auth/privacy").get_data(as_text=True)
    assert "90 天" in page
    english = client.get("/auth/privacy?lang=en").get_data(as_text=True)
    assert "90 days after the visit" in english

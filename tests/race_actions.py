"""What the race harness's workers do, as a request would: look the objects up, call one
service. Each returns "ok" when its change won; a refusal arrives as the ServiceError."""

import uuid

from models import Booking, Lecturer, LectureRequest, LectureStatus, Slot, User, Venue, db
from tests.factories import family_request
from webapp.services.accounts import confirmation
from webapp.services.booking import bookings, door, reminders, requests, staff, waitlist
from webapp.services.lecturers import requests as lecture_requests


def _booking(booking_id: int) -> Booking:
    return db.session.get(Booking, booking_id)


def cancel_by_booker(*, booking_id, now, **_ignored):
    booking = _booking(booking_id)
    bookings.cancel_booking(booking, by=booking.booker, now=now)
    return "ok"


def cancel_by_staff(*, booking_id, staff_id, now, **_ignored):
    bookings.cancel_booking(
        _booking(booking_id), by=db.session.get(User, staff_id), now=now, reason="场馆临时检修"
    )
    return "ok"


def approve(*, booking_id, staff_id, now, **_ignored):
    staff.approve_booking(_booking(booking_id), by=db.session.get(User, staff_id), now=now)
    return "ok"


def refuse(*, booking_id, staff_id, now, **_ignored):
    staff.refuse_booking(
        _booking(booking_id), by=db.session.get(User, staff_id), reason="当天满员", now=now
    )
    return "ok"


def check_in(*, booking_id, staff_id, now, **_ignored):
    """Staff at the door check the whole party in by its code."""
    booking = _booking(booking_id)
    venue = db.session.get(Venue, booking.slot.venue_id)
    door.record_arrival(
        venue,
        booking.code,
        people=booking.places,
        seen_arrived=0,
        by=db.session.get(User, staff_id),
        now=now,
    )
    return "ok"


def no_show(*, booking_id, staff_id, later, **_ignored):
    session = db.session.get(Slot, _booking(booking_id).slot_id)
    marked = staff.mark_no_shows(session, by=db.session.get(User, staff_id), now=later)
    return "ok" if marked == 1 else "nothing to mark"


def take_hold(*, slot_id, holder_id, places, now, **_ignored):
    requests.create_booking(
        db.session.get(Slot, slot_id),
        family_request(primary_pupils=1, adults=places - 1, key=uuid.uuid4().hex),
        by=db.session.get(User, holder_id),
        now=now,
    )
    return "ok"


def lapse_holds(*, lapse_at, **_ignored):
    return "ok" if waitlist.release_expired_holds(now=lapse_at) else "nothing lapsed"


def outsider_books(*, slot_id, outsider_id, now, **_ignored):
    """Someone not on the waiting list tries for the places a cancellation frees."""
    requests.create_booking(
        db.session.get(Slot, slot_id),
        family_request(key=uuid.uuid4().hex),
        by=db.session.get(User, outsider_id),
        now=now,
    )
    return "ok"


def send_reminders(*, now, **_ignored):
    return f"sent {reminders.send_reminders(now=now)}"


def release_holds(*, lapse_at, **_ignored):
    return f"released {waitlist.release_expired_holds(now=lapse_at)}"


def confirm_code(*, ticket, code, now, **_ignored):
    """The code sent at sign-up entered on the confirmation page."""
    confirmation.confirm_code(code, ticket=ticket, now=now)
    return "ok"


# ---------------------------------------------------------------- talk requests


def _talk(request_id: int) -> LectureRequest:
    return db.session.get(LectureRequest, request_id)


def _assign(request_id, lecturer_id, bureau_id, on, now):
    """A bureau user assigns a talk they see without a lecturer (one that already has one is
    left alone: reassigning knowingly is another journey)."""
    req = _talk(request_id)
    if req.status is LectureStatus.ASSIGNED:
        return "already assigned"
    lecture_requests.assign_lecturer(
        req,
        db.session.get(Lecturer, lecturer_id),
        on=on,
        by=db.session.get(User, bureau_id),
        now=now,
    )
    return "ok"


def assign_a(*, request_id, lecturer_a, bureau_a, on, now, **_ignored):
    return _assign(request_id, lecturer_a, bureau_a, on, now)


def assign_b(*, request_id, lecturer_b, bureau_b, on, now, **_ignored):
    return _assign(request_id, lecturer_b, bureau_b, on, now)


def cancel_talk(*, request_id, host_id, now, **_ignored):
    lecture_requests.cancel_request(
        _talk(request_id), "学校临时停课", by=db.session.get(User, host_id), now=now
    )
    return "ok"


def record_talk(*, request_id, host_id, on, now, **_ignored):
    values = lecture_requests.DeliveryValues(on, 55, 5, "很实用")
    lecture_requests.record_delivery(
        _talk(request_id), values, by=db.session.get(User, host_id), now=now
    )
    return "ok"

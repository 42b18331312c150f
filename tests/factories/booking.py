"""Builders for the booking tests: sessions at a fixed clock, parties and requests."""

import itertools
import uuid
from datetime import time, timedelta

from models import BookingKind, BookingSettings, Slot, SlotKind, db
from tests.factories.core import NOW
from webapp.services.booking.party import BookingRequest, Party

_counter = itertools.count(1)


def make_session(venue, *, starts_at=None, hours=2, capacity=50, green_quota=0, **overrides):
    n = next(_counter)
    starts_at = starts_at or NOW + timedelta(days=3, minutes=n)
    overrides.setdefault("kind", SlotKind.REGULAR)
    session = Slot(
        venue_id=venue.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        green_quota=green_quota,
        taken_general=overrides.pop("taken_general", 0),
        taken_green=overrides.pop("taken_green", 0),
        **overrides,
    )
    db.session.add(session)
    db.session.flush()
    return session


def make_settings(venue, **values):
    values.setdefault("release_time", time(8, 0))
    settings = BookingSettings(venue_id=venue.id, **values)
    db.session.add(settings)
    db.session.flush()
    return settings


def family_request(key=None, **counts):
    counts.setdefault("primary_pupils", 1)
    counts.setdefault("adults", 1)
    return BookingRequest(
        kind=BookingKind.FAMILY,
        party=Party(**counts),
        contact_name="王女士",
        contact_phone="13800138000",
        idempotency_key=key or uuid.uuid4().hex,
    )


def school_request(school, key=None, **counts):
    counts.setdefault("primary_pupils", 40)
    counts.setdefault("teachers", 2)
    return BookingRequest(
        kind=BookingKind.SCHOOL_GROUP,
        party=Party(**counts),
        contact_name="李老师",
        contact_phone="13900139000",
        idempotency_key=key or uuid.uuid4().hex,
        school=school,
        group_name="三年级二班",
        lead_teacher="李老师",
    )

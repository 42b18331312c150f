"""Making a booking: families, school groups and the green channel.

Every rule about a new booking lives here; the pages and the JSON API both call these
functions. Capacity is never exceeded: places are taken by one conditional UPDATE
(`capacity.take_places`, row count checked) inside the transaction that inserts the booking,
backed by a CHECK constraint. The channel follows from the request (`party.BookingRequest`).
On SQLite a writer that waits too long gets `Busy`, never a server error. A form's one-time
key makes a double submit find the first booking instead of booking twice.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Booking,
    BookingChannel,
    BookingKind,
    BookingSettings,
    BookingStatus,
    Slot,
    User,
    Venue,
    VenueClosure,
    WaitlistEntry,
    db,
)
from models.booking import ACTIVE_STATUSES
from webapp.services import text as text_rules
from webapp.services.booking import availability, capacity, real_names, waitlist
from webapp.services.booking.access import require_booker
from webapp.services.booking.notices import tell_staff_approval_waiting, when
from webapp.services.booking.party import (
    COUNT_FIELDS,
    BookingRequest,
    Party,
    Quote,
    quote_price,
    teachers_needed,
)
from webapp.services.booking.settings import default_settings, get_settings, setting
from webapp.services.booking.slots import session_problem
from webapp.services.booking.states import BookingError
from webapp.services.clock import local_date
from webapp.services.errors import PermissionDenied
from webapp.services.outbox import booking_link, send_message
from webapp.services.permissions import can
from webapp.services.transactions import busy, unit_of_work

#: easy to read aloud: no 0/O, 1/I/L
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_COUNT = 1000

#: Only the race tests' control runs turn this off (no second look behind the locks), to
#: show the harness can see two of one person's bookings meet.
_guard = True


class SessionFull(BookingError):
    status_code = 409


def new_code() -> str:
    """A short unguessable booking code (8 of 31 symbols: about 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def check_request(
    session: Slot, request: BookingRequest, *, by: User, settings: BookingSettings | None = None
) -> None:
    """Every rule about the request itself (not about places left).

    Rules: the booker may book at all (families and approved school staff, see
    permissions ``booking.create``); then the counts, the kind's rules and the contact.
    `settings`, the venue's booking settings when the caller has them (else read here).
    Raises: BookingError naming the field at fault; PermissionDenied for someone who may not
    book, or for a school group booked by someone who does not act for the school.
    """
    if settings is None:
        settings = get_settings(session.venue_id)
    require_booker(by)
    party = request.party
    for name in COUNT_FIELDS:
        value = getattr(party, name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise BookingError(_("Enter a whole number."), field=name)
        if value < 0:
            raise BookingError(_("A count cannot be negative."), field=name)
        if value > MAX_COUNT:
            raise BookingError(_("That number is too large."), field=name)
    if party.places <= 0:
        raise BookingError(_("Book for at least one person."), field="places")
    if party.places > session.capacity:
        raise BookingError(
            _(
                "This session holds %(capacity)d people in all; you asked for %(places)d.",
                capacity=session.capacity,
                places=party.places,
            ),
            field="places",
        )
    if request.kind is BookingKind.FAMILY:
        _check_family(request, party, settings)
    else:
        _check_school_group(session, request, party, settings, by=by)
    if not text_rules.normalise(request.contact_name):
        raise BookingError(_("Give a contact name."), field="contact_name")
    _check_typed_text(request)
    key = request.idempotency_key or ""
    if not (8 <= len(key) <= 64):
        raise BookingError(_("The form has expired: reload the page and try again."), field="key")


def _check_typed_text(request: BookingRequest) -> None:
    try:
        for name in ("contact_name", "group_name", "lead_teacher"):
            text_rules.clean_line(getattr(request, name), field=name, max_length=60)
        text_rules.clean_phone(request.contact_phone, field="contact_phone")
    except text_rules.TextError as error:
        raise BookingError(error.message, field=error.field) from None


def _check_family(request: BookingRequest, party: Party, settings) -> None:
    if party.teachers:
        raise BookingError(_("Families book without teachers."), field="teachers")
    if party.green_children > party.children:
        # the categories qualify children already counted by stage; they are not extra people
        raise BookingError(
            _(
                "You marked %(green)d children as qualifying for the green channel but counted "
                "%(children)d children by school stage: the qualifying children are among "
                "those counted.",
                green=party.green_children,
                children=party.children,
            ),
            field="left_behind",
        )
    if party.children == 0:
        raise BookingError(_("A family visit includes at least one child."), field="children")
    seniors_alone = settings.is_senior_alone_allowed and party.children == party.senior
    if party.adults == 0 and not seniors_alone:
        raise BookingError(
            _("Children come with at least one adult: count the adults."), field="adults"
        )
    if party.places > setting("BOOKING_MAX_FAMILY_PARTY"):
        raise BookingError(
            _(
                "A family booking is for at most %(n)d people.",
                n=setting("BOOKING_MAX_FAMILY_PARTY"),
            ),
            field="places",
        )


def _check_school_group(
    session, request: BookingRequest, party: Party, settings, *, by: User
) -> None:
    if request.school is None or not can(by, "school.act", request.school):
        raise PermissionDenied(_("Only the school's staff can book a trip for it."))
    if party.adults:
        raise BookingError(
            _("School groups come with teachers: count accompanying adults as teachers."),
            field="adults",
        )
    if party.children == 0:
        raise BookingError(_("Give the number of students."), field="children")
    if not (request.group_name or "").strip():
        raise BookingError(_("Give the class or grade."), field="group_name")
    if not (request.lead_teacher or "").strip():
        raise BookingError(_("Give the lead teacher's name."), field="lead_teacher")
    needed = teachers_needed(party, settings)
    if party.teachers < needed:
        raise BookingError(
            _(
                "This group needs at least %(n)d accompanying teachers.",
                n=needed,
            ),
            field="teachers",
        )


# ---------------------------------------------------------------- no-shows and limits


def get_booking_block(user: User, *, now: datetime) -> date | None:
    """The local date until which the user may not book because of no-shows, or None.

    Rule: K no-shows (BOOKING_NO_SHOW_LIMIT) within BOOKING_NO_SHOW_WINDOW_DAYS days stop an
    account from booking for BOOKING_NO_SHOW_BLOCK_DAYS days after the latest of them.
    """
    latest, kth = db.session.execute(sa.select(*_no_show_starts(user.id))).one()
    return _block_until(latest, kth, now=now)


def _no_show_starts(user_id: int):
    """SQL: the start of the person's latest no-show, and of the K-th latest (K the limit)."""
    limit = setting("BOOKING_NO_SHOW_LIMIT")
    latest_first = (
        sa.select(Slot.starts_at)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Booking.booker_id == user_id, Booking.status == BookingStatus.NO_SHOW)
        .order_by(Slot.starts_at.desc())
        .correlate(None)
    )
    return (
        latest_first.limit(1).scalar_subquery().label("latest_no_show"),
        latest_first.offset(limit - 1).limit(1).scalar_subquery().label("kth_no_show"),
    )


def _block_until(latest: datetime | None, kth: datetime | None, *, now: datetime) -> date | None:
    """The rule of `get_booking_block`, given the latest and the K-th latest no-show."""
    window = timedelta(days=setting("BOOKING_NO_SHOW_WINDOW_DAYS"))
    block = timedelta(days=setting("BOOKING_NO_SHOW_BLOCK_DAYS"))
    if latest is None or kth is None or latest - kth > window:
        return None
    until = local_date(latest + block)
    return until if local_date(now) < until else None


def _check_not_blocked(facts: "_Facts", *, now: datetime) -> None:
    until = _block_until(facts.latest_no_show, facts.kth_no_show, now=now)
    if until is not None:
        raise BookingError(
            _(
                "You missed %(k)d visits without cancelling, so you cannot book until %(until)s.",
                k=setting("BOOKING_NO_SHOW_LIMIT"),
                until=until.isoformat(),
            ),
            field="account",
        )


def _same_day_count(user_id: int, session: Slot, visit_on: date):
    """SQL: the person's active family bookings at the session's venue on its day."""
    return (
        sa.select(sa.func.count(Booking.id))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.booker_id == user_id,
            Booking.kind == BookingKind.FAMILY,
            Booking.visit_on == visit_on,
            Booking.status.in_(ACTIVE_STATUSES),
            Slot.venue_id == session.venue_id,
        )
        .correlate(None)
        .scalar_subquery()
    )


def _booking_with_key(user_id: int, key: str):
    """SQL: the id of the person's booking made with this form's key, if any."""
    return (
        sa.select(Booking.id)
        .where(Booking.booker_id == user_id, Booking.idempotency_key == key)
        .correlate(None)
        .scalar_subquery()
    )


def _check_daily_limit(active: int, visit_on: date) -> None:
    limit = setting("BOOKING_MAX_ACTIVE_PER_DAY")
    if active >= limit:
        raise BookingError(
            _(
                "You already have %(n)d booking(s) at this venue on %(day)s: cancel one to "
                "book another.",
                n=active,
                day=visit_on.isoformat(),
            ),
            field="account",
        )


# ---------------------------------------------------------------- places and locks


def _lock_user(user: User) -> None:
    """Serialise one person's bookings (PostgreSQL row lock; SQLite's writer lock, which this
    transaction holds from its first UPDATE, already does: no statement there)."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())


def _find_by_key(user: User, key: str) -> Booking | None:
    return db.session.scalar(
        sa.select(Booking).where(Booking.booker_id == user.id, Booking.idempotency_key == key)
    )


@dataclass
class _Facts:
    """What the rules need about a booking besides the request: read in one statement."""

    venue: Venue
    settings: BookingSettings
    is_closed: bool
    latest_no_show: datetime | None
    kth_no_show: datetime | None
    #: the person's active family bookings at the venue that day
    same_day: int
    #: the booking already made with this form's key
    existing_id: int | None
    #: some waiting-list hold in the session lapsed by now (to be released first)
    has_lapsed_holds: bool
    #: places still held for the person in this session and channel
    own_hold: int


def _load_facts(session: Slot, request: BookingRequest, *, by: User, now: datetime) -> _Facts:
    """The venue (its admission rules with it), its booking settings, whether it is closed
    that day, and the person's no-shows, same-day bookings, form key and holds: one SELECT."""
    visit_on = local_date(session.starts_at)
    e = WaitlistEntry
    lapsed = (
        sa.exists()
        .where(e.slot_id == session.id, e.held_places > 0, e.held_until <= now)
        .correlate(None)
    )
    own_hold = (
        sa.select(e.held_places)
        .where(
            e.slot_id == session.id,
            e.user_id == by.id,
            e.channel == request.channel,
            e.held_places > 0,
            e.held_until > now,
        )
        .correlate(None)
        .scalar_subquery()
    )
    closed = (
        sa.exists()
        .where(VenueClosure.venue_id == session.venue_id, VenueClosure.closed_on == visit_on)
        .correlate(None)
    )
    key = request.idempotency_key or ""
    stmt = (
        sa.select(
            Venue,
            BookingSettings,
            closed.label("is_closed"),
            *_no_show_starts(by.id),
            _same_day_count(by.id, session, visit_on).label("same_day"),
            (_booking_with_key(by.id, key) if key else sa.null()).label("existing_id"),
            lapsed.label("has_lapsed_holds"),
            own_hold.label("own_hold"),
        )
        .outerjoin(BookingSettings, BookingSettings.venue_id == Venue.id)
        .where(Venue.id == session.venue_id)
        .options(
            joinedload(Venue.admission_rules),
            lazyload(Venue.category_rows),
            lazyload(Venue.stage_rows),
        )
    )
    row = db.session.execute(stmt).unique().one()
    # the session holds on to its venue, so the answer finds it loaded (no second read)
    set_committed_value(session, "venue", row.Venue)
    return _Facts(
        venue=row.Venue,
        settings=row.BookingSettings or default_settings(session.venue_id),
        is_closed=bool(row.is_closed),
        latest_no_show=row.latest_no_show,
        kth_no_show=row.kth_no_show,
        same_day=row.same_day or 0,
        existing_id=row.existing_id,
        has_lapsed_holds=bool(row.has_lapsed_holds),
        own_hold=row.own_hold or 0,
    )


# ---------------------------------------------------------------- creating


def _check_bookable(
    session: Slot, request: BookingRequest, facts: _Facts, *, by: User, now: datetime
):
    """Every check that does not need places; the real-name entries, checked."""
    settings = facts.settings
    check_request(session, request, by=by, settings=settings)
    visitors = real_names.check_request_entries(request, settings)
    problem = session_problem(session, settings, now=now, is_closed=facts.is_closed)
    if problem:
        raise BookingError(problem, field="session")
    _check_not_blocked(facts, now=now)
    return visitors


def _places_for(
    session: Slot, request: BookingRequest, *, by: User, now: datetime, own_hold=None
) -> int:
    """Places the booker could have now: free in the request's channel, plus their own hold."""
    left = availability.get_availability([session.id], now=now)[session.id]
    free = left.green_left if request.channel is BookingChannel.GREEN else left.general_left
    if own_hold is None:
        own_hold = waitlist.live_hold(session, by, request.channel, now=now)
    return free + own_hold


def preview_booking(session: Slot, request: BookingRequest, *, by: User, now: datetime) -> Quote:
    """The price of a request, after every check that does not need places (shown before
    the person confirms).

    Raises: BookingError, SessionFull (when the places are plainly not there now),
    PermissionDenied.
    """
    facts = _load_facts(session, request, by=by, now=now)
    _check_bookable(session, request, facts, by=by, now=now)
    can_have = _places_for(session, request, by=by, now=now, own_hold=facts.own_hold)
    if request.party.places > can_have:
        raise SessionFull(_full_message(can_have, request.party.places), field="places")
    return quote_price(facts.venue, request.party, request.channel)


def _full_message(left: int, places: int) -> str:
    return _(
        "Not enough places left: %(left)d left, you asked for %(places)d. "
        "You can join the waiting list.",
        left=left,
        places=places,
    )


class _NoPlaces(Exception):
    """The places were not there when the booking tried to take them (rolls back)."""


class _SameForm(Exception):
    """The same form was booked meanwhile (rolls back; the first booking stands)."""


def create_booking(session: Slot, request: BookingRequest, *, by: User, now: datetime):
    """Book places in a session for a family, a school group or the green channel.

    Rules: the request passes `check_request`; the session is bookable now (not past, called
    off, on a closed date or before booking opens); the booker is not blocked for no-shows
    and holds at most BOOKING_MAX_ACTIVE_PER_DAY active family bookings per venue per day;
    the places are there (general bookings leave the unreleased green quota alone); a school
    group larger than the venue's approval size waits for approval (its places are taken);
    everything else is confirmed at once; the price comes from the venue's admission policy.
    A repeat of the same form (same idempotency key) returns the first booking.
    Messages the booker. One unit of work.
    Raises: BookingError, SessionFull, PermissionDenied, Busy.
    """
    key = request.idempotency_key or ""
    try:
        with unit_of_work(keep_loaded=True):
            facts = _load_facts(session, request, by=by, now=now)
            if facts.existing_id is not None:
                return db.session.get(Booking, facts.existing_id)
            booking = _insert_booking(session, request, key, facts, by=by, now=now)
        _expire_changed_in_sql(session)
        return booking
    except _NoPlaces:
        can_have = _places_for(session, request, by=by, now=now)
        raise SessionFull(_full_message(can_have, request.party.places), field="places") from None
    except (IntegrityError, _SameForm):
        # A double submit that raced past the first look: the first one stands.
        existing = _find_by_key(by, key)
        if existing is not None:
            return existing
        raise busy() from None


_COUNTERS = ("taken_general", "taken_green", "held_general", "held_green")


def _expire_changed_in_sql(session: Slot) -> None:
    """The commit kept what was loaded; what the booking changed by SQL statements (the
    session's counters, waiting-list holds) is read afresh when next used."""
    if session in db.session:
        db.session.expire(session, _COUNTERS)
    for loaded in list(db.session.identity_map.values()):
        if isinstance(loaded, (Slot, WaitlistEntry)) and loaded is not session:
            db.session.expire(loaded)


def _insert_booking(session: Slot, request: BookingRequest, key: str, facts: _Facts, *, by, now):
    visitors = _check_bookable(session, request, facts, by=by, now=now)
    settings, venue, party = facts.settings, facts.venue, request.party
    visit_on = local_date(session.starts_at)
    if request.kind is BookingKind.FAMILY:
        _check_daily_limit(facts.same_day, visit_on)  # early, unlocked: rechecked below
    quote = quote_price(venue, party, request.channel)
    needs_approval = (
        request.kind is BookingKind.SCHOOL_GROUP and party.places > settings.approval_above
    )

    # Lapsed waiting-list holds go back first (same transaction; they may be offered to
    # this booker), then the booker's own live hold is used before any free place.
    own_hold = facts.own_hold
    if facts.has_lapsed_holds and waitlist.release_expired([session.id], now=now):
        own_hold = None  # read it again
    from_hold = 0
    if own_hold != 0:
        from_hold = waitlist.consume_hold(
            session, by, party.places, request.channel, now=now, held=own_hold
        )
    if not capacity.take_places(
        session, party.places, request.channel, now=now, from_hold=from_hold, settings=settings
    ):
        raise _NoPlaces
    # From here this transaction holds the session's write lock; then the person's (their
    # bookings queue here), and what the early checks read is read again behind both locks.
    if _guard:
        _lock_user(by)
        same_day, existing_id = db.session.execute(
            sa.select(_same_day_count(by.id, session, visit_on), _booking_with_key(by.id, key))
        ).one()
        if existing_id is not None:
            raise _SameForm
        if request.kind is BookingKind.FAMILY:
            _check_daily_limit(same_day, visit_on)
    booking = Booking(
        code=new_code(),
        slot_id=session.id,
        visit_on=visit_on,
        channel=request.channel,
        kind=request.kind,
        status=BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED,
        booker_id=by.id,
        school_id=request.school.id if request.school else None,
        idempotency_key=key,
        places=party.places,
        # checked by check_request: normalising cannot fail here
        group_name=text_rules.normalise(request.group_name),
        lead_teacher=text_rules.normalise(request.lead_teacher),
        contact_name=text_rules.normalise(request.contact_name),
        contact_phone=text_rules.clean_phone(request.contact_phone, field="contact_phone"),
        price_yuan=quote.total_yuan,
        created_at=now,
        decided_at=None if needs_approval else now,
        # every column given, so the object the commit keeps loaded is complete
        cancelled_at=None,
        checked_in_at=None,
        reminded_at=None,
        personal_data_purged_at=None,
        **{name: getattr(party, name) for name in COUNT_FIELDS},
    )
    db.session.add(booking)
    db.session.flush()
    real_names.add_visitors(booking, visitors)
    _notify_created(booking, venue, by=by, now=now)
    return booking


def _notify_created(booking: Booking, venue: Venue, *, by: User, now: datetime) -> None:
    if booking.status is BookingStatus.PENDING:
        subject = _l(
            "Booking %(code)s received: waiting for the venue's approval", code=booking.display_code
        )
    else:
        subject = _l("Booking %(code)s confirmed", code=booking.display_code)
    body = _l(
        "%(venue)s, %(when)s, %(places)d people. Show the code %(code)s at the door.",
        venue=venue.name,
        when=when(booking.slot),
        places=booking.places,
        code=booking.display_code,
    )
    send_message(booking.booker, subject, body, now=now, link=booking_link(booking))
    if booking.status is BookingStatus.PENDING:
        tell_staff_approval_waiting(booking, venue, now=now)

"""Bookings: families, school groups and the green channel; cancelling, waiting, checking in.

Every rule about a booking lives here; the pages and the JSON API both call these functions.
Capacity is never exceeded: places are taken by one conditional UPDATE (`capacity.take_places`,
row count checked) inside the transaction that inserts the booking, backed by a CHECK
constraint. Every later change of state is a compare-and-set through `booking_states`.
On SQLite a writer that waits too long gets `Busy`, never a server error.
A form's one-time key makes a double submit find the first booking instead of booking twice.
"""

import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from models import (
    AdmissionKind,
    Booking,
    BookingChannel,
    BookingKind,
    BookingStatus,
    Role,
    School,
    Session,
    User,
    Venue,
    VisitorGroup,
    WaitlistEntry,
    db,
)
from models.booking import ACTIVE_STATUSES, HOLDING_STATUSES
from webapp.services import availability, capacity, holds, real_names
from webapp.services import booking_states as states
from webapp.services import text as text_rules
from webapp.services.booking_states import BookingError, StateConflict
from webapp.services.errors import Busy, NotFound, PermissionDenied, ServiceError
from webapp.services.outbox import booking_link, send_message
from webapp.services.permissions import can
from webapp.services.sessions import (
    get_settings,
    local_date,
    session_problem,
    setting,
    to_local,
)
from webapp.services.transactions import is_busy, unit_of_work

#: easy to read aloud: no 0/O, 1/I/L
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_COUNT = 1000


class SessionFull(BookingError):
    status_code = 409


def new_code() -> str:
    """A short unguessable booking code (8 of 31 symbols: about 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed or read aloud, as stored: upper case, no spaces or dashes."""
    return re.sub(r"[\s\-]", "", (text or "")).upper()[:12]


# ---------------------------------------------------------------- what a booking asks for


STAGE_FIELDS = ("preschool", "primary_pupils", "junior", "senior")
GREEN_FIELDS = ("left_behind", "disabled", "orphaned", "special_family")
COUNT_FIELDS = (*STAGE_FIELDS, "adults", "teachers", *GREEN_FIELDS)
GROUP_OF_FIELD = {
    "preschool": VisitorGroup.PRESCHOOL,
    "primary_pupils": VisitorGroup.PRIMARY,
    "junior": VisitorGroup.JUNIOR,
    "senior": VisitorGroup.SENIOR,
    "adults": VisitorGroup.ADULT,
    "teachers": VisitorGroup.TEACHER,
}
RATIO_OF_FIELD = {
    "preschool": "preschool_per_teacher",
    "primary_pupils": "primary_per_teacher",
    "junior": "junior_per_teacher",
    "senior": "senior_per_teacher",
}


@dataclass
class Party:
    """Who comes: counts by stage, adults, teachers, and green-channel categories."""

    preschool: int = 0
    primary_pupils: int = 0
    junior: int = 0
    senior: int = 0
    adults: int = 0
    teachers: int = 0
    left_behind: int = 0
    disabled: int = 0
    orphaned: int = 0
    special_family: int = 0

    @property
    def children(self) -> int:
        return sum(getattr(self, f) for f in STAGE_FIELDS)

    @property
    def places(self) -> int:
        return self.children + self.adults + self.teachers

    @property
    def green_children(self) -> int:
        return sum(getattr(self, f) for f in GREEN_FIELDS)


@dataclass
class BookingRequest:
    kind: BookingKind
    channel: BookingChannel
    party: Party
    contact_name: str
    contact_phone: str
    #: the form's one-time token
    idempotency_key: str
    school: School | None = None
    group_name: str = ""
    lead_teacher: str = ""
    #: adults' real-name entries (real_names.VisitorEntry), where the venue requires them
    visitors: list = field(default_factory=list)


@dataclass
class PriceLine:
    group: VisitorGroup
    count: int
    kind: AdmissionKind | None
    unit_yuan: int

    @property
    def total_yuan(self) -> int:
        return self.count * self.unit_yuan


@dataclass
class Quote:
    lines: list[PriceLine] = field(default_factory=list)
    is_green: bool = False

    @property
    def total_yuan(self) -> int:
        return sum(line.total_yuan for line in self.lines)


def quote_price(venue: Venue, party: Party, channel: BookingChannel) -> Quote:
    """The price per visitor group from the venue's admission policy.

    Rules: green-channel bookings are free; a group the policy leaves out, or a free group,
    costs nothing here (the venue states any other charge at the door).
    """
    quote = Quote(is_green=channel is BookingChannel.GREEN)
    for name, group in GROUP_OF_FIELD.items():
        count = getattr(party, name)
        if not count:
            continue
        rule = venue.admission_for(group)
        kind = rule.kind if rule else None
        unit = 0
        if not quote.is_green and rule is not None and not rule.is_free:
            unit = rule.price_yuan or 0
        quote.lines.append(
            PriceLine(group, count, AdmissionKind.FREE if quote.is_green else kind, unit)
        )
    return quote


def teachers_needed(party: Party, settings) -> int:
    """Teachers a school group must bring: per stage, pupils divided by the ratio, rounded up."""
    return sum(
        math.ceil(getattr(party, name) / getattr(settings, RATIO_OF_FIELD[name]))
        for name in STAGE_FIELDS
    )


def check_request(session: Session, request: BookingRequest, *, by: User) -> None:
    """Every rule about the request itself (not about places left).

    Rules: the booker may book at all (families and approved school staff, see
    permissions ``booking.create``); then the counts, the kind's rules and the contact.
    Raises: BookingError naming the field at fault; PermissionDenied for someone who may not
    book, or for a school group booked by someone who does not act for the school.
    """
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
        _check_family(request, party, get_settings(session.venue_id))
    else:
        _check_school_group(session, request, party, by=by)
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


def require_booker(user: User) -> None:
    """Raises PermissionDenied unless the user may book visits (families and school staff)."""
    if not can(user, "booking.create"):
        raise PermissionDenied(_("Visits are booked from a family or school account."))


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
    if request.channel is BookingChannel.GREEN:
        if party.green_children == 0:
            raise BookingError(
                _("The green channel is for children in one of the listed groups: give how many."),
                field="left_behind",
            )
        if party.green_children > party.children:
            raise BookingError(
                _("More green-channel children than children in the party."), field="left_behind"
            )
    elif party.green_children:
        raise BookingError(
            _("Green-channel children are booked through the green channel."), field="channel"
        )


def _check_school_group(session, request: BookingRequest, party: Party, *, by: User) -> None:
    if request.channel is not BookingChannel.GREEN:
        raise BookingError(_("School groups book through the green channel."), field="channel")
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
    needed = teachers_needed(party, get_settings(session.venue_id))
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
    limit = setting("BOOKING_NO_SHOW_LIMIT")
    window = timedelta(days=setting("BOOKING_NO_SHOW_WINDOW_DAYS"))
    block = timedelta(days=setting("BOOKING_NO_SHOW_BLOCK_DAYS"))
    recent = db.session.scalars(
        sa.select(Session.starts_at)
        .join(Booking, Booking.session_id == Session.id)
        .where(Booking.booker_id == user.id, Booking.status == BookingStatus.NO_SHOW)
        .order_by(Session.starts_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit or recent[0] - recent[-1] > window:
        return None
    until = local_date(recent[0] + block)
    return until if local_date(now) < until else None


def _check_not_blocked(user: User, *, now: datetime) -> None:
    until = get_booking_block(user, now=now)
    if until is not None:
        raise BookingError(
            _(
                "You missed %(k)d visits without cancelling, so you cannot book until %(until)s.",
                k=setting("BOOKING_NO_SHOW_LIMIT"),
                until=until.isoformat(),
            ),
            field="account",
        )


def _check_daily_limit(user: User, session: Session, visit_on: date) -> None:
    limit = setting("BOOKING_MAX_ACTIVE_PER_DAY")
    active = db.session.scalar(
        sa.select(sa.func.count(Booking.id))
        .join(Session, Session.id == Booking.session_id)
        .where(
            Booking.booker_id == user.id,
            Booking.kind == BookingKind.FAMILY,
            Booking.visit_on == visit_on,
            Booking.status.in_(ACTIVE_STATUSES),
            Session.venue_id == session.venue_id,
        )
    )
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
    """Serialise one person's bookings (PostgreSQL row lock; SQLite's writer lock already does)."""
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())


def _find_by_key(user: User, key: str) -> Booking | None:
    return db.session.scalar(
        sa.select(Booking).where(Booking.booker_id == user.id, Booking.idempotency_key == key)
    )


# ---------------------------------------------------------------- creating


def preview_booking(session: Session, request: BookingRequest, *, by: User, now: datetime) -> Quote:
    """The price of a request, after every check that does not need places (shown before
    the person confirms).

    Raises: BookingError, SessionFull (when the places are plainly not there now),
    PermissionDenied.
    """
    check_request(session, request, by=by)
    settings = get_settings(session.venue_id)
    real_names.check_request_entries(request, settings)
    problem = session_problem(session, settings, now=now)
    if problem:
        raise BookingError(problem, field="session")
    _check_not_blocked(by, now=now)
    left = availability.get_availability([session.id], now=now)[session.id]
    can_have = left.green_left if request.channel is BookingChannel.GREEN else left.general_left
    can_have += holds.live_hold(session, by, request.channel, now=now)
    if request.party.places > can_have:
        raise SessionFull(_full_message(can_have, request.party.places), field="places")
    return quote_price(db.session.get(Venue, session.venue_id), request.party, request.channel)


def _full_message(left: int, places: int) -> str:
    return _(
        "Not enough places left: %(left)d left, you asked for %(places)d. "
        "You can join the waiting list.",
        left=left,
        places=places,
    )


def create_booking(session: Session, request: BookingRequest, *, by: User, now: datetime):
    """Book places in a session for a family, a school group or the green channel.

    Rules: the request passes `check_request`; the session is bookable now (not past, called
    off, on a closed date or before booking opens); the booker is not blocked for no-shows
    and holds at most BOOKING_MAX_ACTIVE_PER_DAY active family bookings per venue per day;
    the places are there (general bookings leave the unreleased green quota alone); a school
    group larger than the venue's approval size waits for approval (its places are held);
    everything else is confirmed at once; the price comes from the venue's admission policy.
    A repeat of the same form (same idempotency key) returns the first booking.
    Messages the booker. Commits.
    Raises: BookingError, SessionFull, PermissionDenied, Busy.
    """
    key = request.idempotency_key or ""
    try:
        existing = _find_by_key(by, key) if key else None
        if existing is not None:
            return existing
        check_request(session, request, by=by)
        settings = get_settings(session.venue_id)
        visitors = real_names.check_request_entries(request, settings)
        problem = session_problem(session, settings, now=now)
        if problem:
            raise BookingError(problem, field="session")
        _check_not_blocked(by, now=now)
        party = request.party
        venue = db.session.get(Venue, session.venue_id)
        quote = quote_price(venue, party, request.channel)
        needs_approval = (
            request.kind is BookingKind.SCHOOL_GROUP and party.places > settings.approval_above
        )
        visit_on = local_date(session.starts_at)

        # Lapsed waiting-list holds go back first (same transaction), then the booker's own
        # live hold is used before any free place.
        holds.release_expired([session.id], now=now)
        from_hold = holds.consume_hold(session, by, party.places, request.channel, now=now)
        if not capacity.take_places(
            session, party.places, request.channel, now=now, from_hold=from_hold
        ):
            db.session.rollback()
            left = availability.get_availability([session.id], now=now)[session.id]
            can_have = (
                left.green_left if request.channel is BookingChannel.GREEN else left.general_left
            ) + holds.live_hold(session, by, request.channel, now=now)
            raise SessionFull(_full_message(can_have, party.places), field="places")
        # From here this transaction holds the session's write lock.
        _lock_user(by)
        existing = _find_by_key(by, key)
        if existing is not None:
            db.session.rollback()
            return _find_by_key(by, key)
        if request.kind is BookingKind.FAMILY:
            _check_daily_limit(by, session, visit_on)
        booking = Booking(
            code=new_code(),
            session_id=session.id,
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
            **{name: getattr(party, name) for name in COUNT_FIELDS},
        )
        db.session.add(booking)
        db.session.flush()
        real_names.add_visitors(booking, visitors)
        _notify_created(booking, venue, by=by, now=now)
        db.session.commit()
        return booking
    except IntegrityError:
        db.session.rollback()
        # A double submit that raced past the check above: the first one stands.
        existing = _find_by_key(by, key)
        if existing is not None:
            return existing
        raise Busy(_("Busy, try again.")) from None
    except OperationalError as error:
        db.session.rollback()
        if is_busy(error):
            raise Busy(_("Busy, try again.")) from None
        raise
    except ServiceError:
        db.session.rollback()
        raise


def _when(session: Session) -> str:
    return to_local(session.starts_at).strftime("%Y-%m-%d %H:%M")


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
        when=_when(booking.session),
        places=booking.places,
        code=booking.display_code,
    )
    send_message(booking.booker, subject, body, now=now, link=booking_link(booking))
    if booking.status is BookingStatus.PENDING:
        from webapp.services.desk_notices import tell_staff_approval_waiting

        tell_staff_approval_waiting(booking, venue, now=now)


# ---------------------------------------------------------------- reading


def get_booking_by_code(code: str) -> Booking | None:
    return db.session.scalar(
        sa.select(Booking)
        .options(joinedload(Booking.session).joinedload(Session.venue))
        .where(Booking.code == normalise_code(code))
    )


def can_see_booking(user, booking: Booking) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if booking.booker_id == user.id:
        return True
    if booking.school is not None and can(user, "school.act", booking.school):
        return True
    return can(user, "venue.view_bookings", booking.session.venue)


def is_booker_of(user, booking: Booking) -> bool:
    """Whether the user booked it, or acts for the school it was booked for."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return booking.booker_id == user.id or (
        booking.school is not None and can(user, "school.act", booking.school)
    )


def get_booking_for(code: str, *, user) -> Booking:
    """The booking with this code, if the user booked it, acts for its school or staffs its
    venue.

    Raises: NotFound, the same for an unknown code and for someone else's.
    """
    booking = get_booking_by_code(code)
    if booking is None or not can_see_booking(user, booking):
        raise NotFound(_("No booking with that code."))
    return booking


def list_user_bookings(user: User) -> list[Booking]:
    """The person's own bookings, newest visit first (history included)."""
    return db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.session).joinedload(Session.venue))
        .join(Session, Session.id == Booking.session_id)
        .where(Booking.booker_id == user.id)
        .order_by(Session.starts_at.desc())
    ).all()


def schools_of(user: User) -> list[School]:
    """The schools the user acts for (approved school-staff grants)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [g.school for g in user.active_grants(Role.SCHOOL_STAFF) if g.school is not None]


def list_school_trips(school: School) -> list[Booking]:
    """A school's group bookings, newest visit first (history included)."""
    return db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.session).joinedload(Session.venue))
        .join(Session, Session.id == Booking.session_id)
        .where(Booking.school_id == school.id)
        .order_by(Session.starts_at.desc())
    ).all()


def list_pending_approvals(venue: Venue) -> list[Booking]:
    return db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.session))
        .join(Session, Session.id == Booking.session_id)
        .where(Session.venue_id == venue.id, Booking.status == BookingStatus.PENDING)
        .order_by(Session.starts_at)
    ).all()


def list_session_bookings(session: Session) -> list[Booking]:
    return db.session.scalars(
        sa.select(Booking).where(Booking.session_id == session.id).order_by(Booking.created_at)
    ).all()


# ---------------------------------------------------------------- changing


_writing = unit_of_work


def cancel_booking(booking: Booking, *, by: User, now: datetime, reason: str = "") -> Booking:
    """Cancel a booking and give its places back.

    Rules: the booker (or someone acting for the booking's school) may cancel a pending or
    confirmed booking up to the venue's cut-off before the session; the venue's staff may
    cancel one at any time before the session with a reason, and the booker is told. The
    freed places are offered to the first waiting-list entry that fits. The move is a
    compare-and-set (`booking_states.transition`): of simultaneous cancels one wins.
    Raises: NotFound for someone who may not see it; PermissionDenied for someone who may
    see it but not cancel it (bureau staff); StateConflict (already cancelled, checked in
    …); BookingError, Busy.
    """
    is_booker = is_booker_of(by, booking)
    is_staff = can(by, "venue.manage_sessions", booking.session.venue)
    if not (is_booker or is_staff):
        if can_see_booking(by, booking):  # the bureau over the venue may look, not cancel
            raise PermissionDenied(_("You may look at this booking but not cancel it."))
        raise NotFound(_("No booking with that code."))
    states.require_move(booking, BookingStatus.CANCELLED)
    session = booking.session
    if session.starts_at <= now:
        raise BookingError(_("The session has already started."), field="status")
    reason = (reason or "").strip()
    by_staff = is_staff and not is_booker
    if by_staff:
        if not reason:
            raise BookingError(_("Give the reason: the booker will be told."), field="reason")
    else:
        cutoff = get_settings(session.venue_id).cancel_cutoff_hours
        if now > session.starts_at - timedelta(hours=cutoff):
            raise BookingError(
                _(
                    "Bookings can be cancelled online until %(hours)d hours before the "
                    "session. Please call the venue.",
                    hours=cutoff,
                ),
                field="status",
            )
    with _writing():
        # lapsed holds first: entries before the session row, as a booking locks them
        holds.release_expired([booking.session_id], now=now)
        states.transition(
            booking, BookingStatus.CANCELLED, now=now, cancelled_at=now, reason=reason[:300]
        )
        if by_staff:
            tell_cancelled_by_venue(booking, now=now)
        _offer_waitlist(session, now=now)
    return booking


def tell_cancelled_by_venue(booking: Booking, *, now: datetime) -> None:
    """The booker hears that the venue cancelled the booking, and why (flushes)."""
    send_message(
        booking.booker,
        _l("Booking %(code)s cancelled by the venue", code=booking.display_code),
        _l(
            "%(venue)s has cancelled your booking for %(when)s. Reason: %(reason)s",
            venue=booking.session.venue.name,
            when=_when(booking.session),
            reason=booking.reason,
        ),
        now=now,
        link=booking_link(booking),
    )


def _require_venue_staff(venue: Venue, user: User) -> None:
    if not can(user, "venue.manage_sessions", venue):
        raise PermissionDenied(_("Only the venue's staff can do that."))


def approve_booking(booking: Booking, *, by: User, now: datetime) -> Booking:
    """Approve a school group waiting for approval; the school is told.

    Rules: venue staff only; a compare-and-set from pending, so a second click, or a cancel
    or refusal at the same moment, leaves one decision standing.
    Raises: PermissionDenied, StateConflict.
    """
    _require_venue_staff(booking.session.venue, by)
    states.require_move(booking, BookingStatus.CONFIRMED)
    with _writing():
        states.transition(booking, BookingStatus.CONFIRMED, now=now, decided_at=now)
        send_message(
            booking.booker,
            _l("Booking %(code)s approved", code=booking.display_code),
            _l(
                "%(venue)s has approved your group visit on %(when)s.",
                venue=booking.session.venue.name,
                when=_when(booking.session),
            ),
            now=now,
            link=booking_link(booking),
        )
    return booking


def refuse_booking(booking: Booking, *, by: User, reason: str, now: datetime) -> Booking:
    """Refuse a school group waiting for approval, with a reason; its places are freed.

    Raises: PermissionDenied, StateConflict, BookingError.
    """
    _require_venue_staff(booking.session.venue, by)
    states.require_move(booking, BookingStatus.REFUSED)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Give the reason: the school will see it."), field="reason")
    with _writing():
        # lapsed holds first: entries before the session row, as a booking locks them
        holds.release_expired([booking.session_id], now=now)
        states.transition(
            booking, BookingStatus.REFUSED, now=now, reason=reason[:300], decided_at=now
        )
        send_message(
            booking.booker,
            _l("Booking %(code)s not approved", code=booking.display_code),
            _l(
                "%(venue)s could not accept your group visit on %(when)s. Reason: %(reason)s",
                venue=booking.session.venue.name,
                when=_when(booking.session),
                reason=booking.reason,
            ),
            now=now,
            link=booking_link(booking),
        )
        _offer_waitlist(booking.session, now=now)
    return booking


def check_in_booking(venue: Venue, code: str, *, by: User, now: datetime) -> Booking:
    """Check a party in at the door by its code.

    Rules: venue staff only; the code must belong to this venue; the booking must be
    confirmed and for today. Of simultaneous check-ins of one code one wins; the others
    are told when it was checked in.
    Raises: PermissionDenied, NotFound, StateConflict, BookingError.
    """
    _require_venue_staff(venue, by)
    booking = get_booking_by_code(code)
    if booking is None or booking.session.venue_id != venue.id:
        raise NotFound(_("No booking with that code at this venue."))
    states.require_move(booking, BookingStatus.CHECKED_IN, field="code")
    if local_date(booking.session.starts_at) != local_date(now):
        raise BookingError(
            _(
                "This booking is for %(day)s.",
                day=local_date(booking.session.starts_at).isoformat(),
            ),
            field="code",
        )
    with _writing():
        states.transition(
            booking, BookingStatus.CHECKED_IN, now=now, field="code", checked_in_at=now
        )
    return booking


def mark_no_shows(session: Session, *, by: User, now: datetime) -> int:
    """Mark every confirmed booking of a finished session that nobody checked in as a no-show.

    Rules: venue staff only, once the session is over; each booking moves by compare-and-set,
    so one checked in at the same moment stays checked in. The places go back (nobody can
    book a past session, so nobody gets them). Returns how many were marked.
    Raises: PermissionDenied, BookingError (session not over yet).
    """
    _require_venue_staff(session.venue, by)
    if now < session.ends_at:
        raise BookingError(_("The session is not over yet."))
    marked = 0
    with _writing():
        waiting = db.session.scalars(
            sa.select(Booking)
            .where(Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Booking.id)
        ).all()
        for booking in waiting:
            try:
                states.transition(booking, BookingStatus.NO_SHOW, now=now)
            except StateConflict:
                continue  # checked in (or cancelled) meanwhile: that move stands
            marked += 1
    return marked


def undo_no_show(booking: Booking, *, by: User, now: datetime) -> Booking:
    """Staff put back a booking marked as a no-show by mistake: it is confirmed again.

    Rules: venue staff only; a compare-and-set from no-show; the places are taken again.
    Raises: PermissionDenied, StateConflict.
    """
    _require_venue_staff(booking.session.venue, by)
    states.require_move(booking, BookingStatus.CONFIRMED)
    with _writing():
        states.transition(booking, BookingStatus.CONFIRMED, now=now)
    return booking


# ---------------------------------------------------------------- waiting list


def join_waitlist(
    session: Session, *, by: User, places: int, channel: BookingChannel, now: datetime
) -> WaitlistEntry:
    """Wait for `places` in a full session; you are told when a cancellation frees them.

    Rules: only those who may book (``booking.create``); at least one place and no more than
    the session holds; the session must still be ahead; when the places are free now, book
    instead; one entry per person and session.
    Raises: PermissionDenied, BookingError.
    """
    require_booker(by)
    if not isinstance(places, int) or places <= 0:
        raise BookingError(_("Wait for at least one place."), field="places")
    if places > session.capacity:
        raise BookingError(_("More places than this session holds."), field="places")
    if session.is_cancelled or session.starts_at <= now:
        raise BookingError(_("This session has already started or is over."), field="session")
    left = availability.get_availability([session.id], now=now)[session.id]
    free = left.green_left if channel is BookingChannel.GREEN else left.general_left
    if free >= places:
        raise BookingError(_("There are places left: book them now."), field="places")
    entry = WaitlistEntry(
        session_id=session.id, user_id=by.id, channel=channel, places=places, created_at=now
    )
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BookingError(_("You are already on the waiting list."), field="places") from None
    return entry


def _offer_waitlist(session: Session, *, now: datetime) -> list[WaitlistEntry]:
    """Offer freed places to the first waiting entries they fit, held for a while (flushes)."""
    return holds.offer_places(session, now=now)


leave_waitlist = holds.leave_waitlist
release_expired_holds = holds.release_expired_holds


# ---------------------------------------------------------------- reminders


def send_reminders(*, now: datetime) -> int:
    """Remind everyone with a confirmed booking for tomorrow (local date), once each.

    Safe when two hosts run it at the same minute: each booking is claimed by a conditional
    UPDATE (`reminded_at IS NULL`, row count checked) before its reminder is stored, and on
    PostgreSQL rows another run is claiming are skipped (FOR UPDATE SKIP LOCKED) rather than
    waited for. Returns how many reminders this run stored in the outbox. Commits.
    """
    tomorrow = local_date(now) + timedelta(days=1)
    due = (
        sa.select(Booking.id)
        .where(
            Booking.visit_on == tomorrow,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminded_at.is_(None),
        )
        .order_by(Booking.id)
        .with_for_update(skip_locked=True)
    )
    sent = 0
    with _writing():
        for booking_id in db.session.scalars(due).all():
            claimed = db.session.execute(
                sa.update(Booking)
                .where(
                    Booking.id == booking_id,
                    Booking.status == BookingStatus.CONFIRMED,
                    Booking.reminded_at.is_(None),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue  # another run reminded it, or it was cancelled meanwhile
            booking = db.session.get(Booking, booking_id)
            send_message(
                booking.booker,
                _l("Reminder: your visit tomorrow (%(code)s)", code=booking.display_code),
                _l(
                    "%(venue)s, %(when)s, %(places)d people. Show the code %(code)s at the door. "
                    "Cannot come? Please cancel so others can go.",
                    venue=booking.session.venue.name,
                    when=_when(booking.session),
                    places=booking.places,
                    code=booking.display_code,
                ),
                now=now,
                link=booking_link(booking),
            )
            sent += 1
    return sent


__all__ = [
    "HOLDING_STATUSES",
    "BookingError",
    "BookingRequest",
    "Party",
    "SessionFull",
    "StateConflict",
    "approve_booking",
    "cancel_booking",
    "check_in_booking",
    "create_booking",
    "get_booking_block",
    "get_booking_for",
    "join_waitlist",
    "leave_waitlist",
    "mark_no_shows",
    "undo_no_show",
    "quote_price",
    "refuse_booking",
    "release_expired_holds",
    "send_reminders",
]


# ---------------------------------------------------------------- account deletion


def forget_bookings_of(user: User, *, now: datetime) -> int:
    """Remove a person's bookings and waiting-list entries, for the deletion of their account.

    Rules: places held by their bookings for sessions still to come go back and are offered
    to the waiting list; every booking (with the adult's name and phone) and waiting-list
    entry of theirs is deleted, past ones included. Flushes; the caller commits.
    Returns how many bookings were removed.
    """
    booked = db.session.scalars(
        sa.select(Booking).options(joinedload(Booking.session)).where(Booking.booker_id == user.id)
    ).all()
    freed_sessions = []
    for booking in booked:
        if states.remove(booking, now=now):
            freed_sessions.append(booking.session)
    db.session.execute(sa.delete(WaitlistEntry).where(WaitlistEntry.user_id == user.id))
    db.session.flush()
    for session in {s.id: s for s in freed_sessions}.values():
        _offer_waitlist(session, now=now)
    return len(booked)

"""At the door: looking a booking code up, recording who arrived (a party may come in parts
during the day), and no-shows once a session is over, with staff's undo.

Rules: a code is only good at its own venue, on its own day, within the check-in window
(CHECK_IN_OPENS_MINUTES before the start to CHECK_IN_CLOSES_MINUTES after the end). Recording
an arrival is a compare-and-set on the booking row: the first arrival moves it from confirmed
to checked in, later ones add people only if the count is still the one staff saw, so two
scans of the same code at the same moment record one arrival. Status moves go through
`states.transition`.
"""

import time as time_module
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from models import Booking, BookingStatus, Slot, User, Venue, db
from webapp.services.audit import record_change
from webapp.services.booking import real_names, states
from webapp.services.booking import settings as settings_service
from webapp.services.booking.access import require_venue_staff
from webapp.services.booking.party import GREEN_FIELDS, STAGE_FIELDS
from webapp.services.booking.queries import normalise_code
from webapp.services.booking.states import BookingError
from webapp.services.clock import local_date, to_local
from webapp.services.errors import NotFound
from webapp.services.transactions import unit_of_work

#: Only the race test's control run turns this off, to show the harness can see a race.
_guard = True

DEFAULTS = {
    "CHECK_IN_OPENS_MINUTES": 60,
    "CHECK_IN_CLOSES_MINUTES": 0,
    "NO_SHOW_GRACE_MINUTES": 60,
}


def door_setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def check_in_window(session: Slot) -> tuple[datetime, datetime]:
    """[opens, closes] in naive UTC for checking a session's visitors in."""
    opens = session.starts_at - timedelta(minutes=door_setting("CHECK_IN_OPENS_MINUTES"))
    closes = session.ends_at + timedelta(minutes=door_setting("CHECK_IN_CLOSES_MINUTES"))
    return opens, closes


def _hhmm(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M")


@dataclass(frozen=True)
class Party:
    """What staff check at the door: counts by visitor group and green-channel category."""

    booking: Booking

    @property
    def by_group(self) -> list[tuple[str, int]]:
        b = self.booking
        return [(name, getattr(b, name)) for name in (*STAGE_FIELDS, "adults", "teachers")]

    @property
    def by_green_category(self) -> list[tuple[str, int]]:
        return [(name, getattr(self.booking, name)) for name in GREEN_FIELDS]

    @property
    def still_to_come(self) -> int:
        return self.booking.places - self.booking.arrived

    @property
    def visitors(self) -> list:
        """The adults' real-name entries (name, masked number), where the booking has them."""
        return sorted(self.booking.visitors, key=lambda v: v.id)

    @property
    def checks_ids(self) -> bool:
        """The venue requires real names and this party gave them: staff check an ID."""
        return (
            bool(self.visitors)
            and settings_service.get_settings(self.booking.slot.venue_id).requires_real_name
        )


def check_documents(party: Party, presented: dict[int, str]) -> list:
    """At a real-name venue, the IDs staff typed from the documents shown, by visitor id.

    Rules: nothing to check when the party gave no names or the venue no longer asks; else at
    least one adult's document is typed (the whole number or its last characters as the
    masked form shows them) and every one typed matches that visitor's stored HMAC. The
    numbers typed are compared, never kept. Returns the visitors confirmed.
    Raises: BookingError (field "documents") naming the adult whose ID does not match.
    """
    if not party.checks_ids:
        return []
    by_id = {v.id: v for v in party.visitors}
    typed = {key: value for key, value in presented.items() if (value or "").strip()}
    if not typed:
        raise BookingError(
            _("This venue checks real names: type the ID number shown by an adult of the party."),
            field="documents",
        )
    confirmed = []
    for key, value in typed.items():
        visitor = by_id.get(key)
        if visitor is None:
            raise BookingError(_("That visitor is not on this booking."), field="documents")
        if not real_names.presented_matches(visitor, value):
            raise BookingError(
                _(
                    "%(name)s: the ID shown does not match the one booked (%(masked)s). Nothing "
                    "was recorded: check the document, or type the whole number or its last "
                    "%(n)d characters.",
                    name=visitor.name,
                    masked=visitor.masked_number,
                    n=real_names.visible_tail(visitor),
                ),
                field="documents",
            )
        confirmed.append(visitor)
    return confirmed


def _already_in_message(booking: Booking) -> str:
    return _(
        "Already checked in at %(when)s (%(n)d people).",
        when=_hhmm(booking.checked_in_at),
        n=booking.arrived,
    )


def look_up(venue: Venue, code: str, *, by: User, now: datetime) -> Party:
    """The party behind a code shown at the door, if it may come in now.

    Rules: venue staff only; the code must be this venue's; the booking confirmed (or
    checked in with people still to come); for today (local) and within the check-in window.
    Raises: PermissionDenied, NotFound (unknown or another venue's code), BookingError with
    what is wrong: waiting for approval, cancelled or refused, not come, all already in
    ("already checked in at HH:MM (n people)"), another day, too early or too late.
    """
    require_venue_staff(venue, by)
    normal = normalise_code(code)
    booking = None
    if normal:
        booking = db.session.scalar(
            sa.select(Booking).options(joinedload(Booking.slot)).where(Booking.code == normal)
        )
    if booking is None:
        raise NotFound(_("No booking with that code at this venue."))
    if booking.slot.venue_id != venue.id:
        raise NotFound(_("This code is for another venue."))
    status = booking.status
    if status is BookingStatus.CHECKED_IN and booking.arrived >= booking.places:
        raise BookingError(_already_in_message(booking), field="code")
    if status is BookingStatus.PENDING:
        raise BookingError(_("This booking is still waiting for approval."), field="code")
    if status is BookingStatus.NO_SHOW:
        raise BookingError(_("This booking was marked as not come."), field="code")
    if status not in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        raise BookingError(_("This booking was cancelled or refused."), field="code")
    session = booking.slot
    if session.is_cancelled:
        raise BookingError(_("This session has been called off."), field="code")
    if local_date(session.starts_at) != local_date(now):
        raise BookingError(
            _("This booking is for %(day)s.", day=local_date(session.starts_at).isoformat()),
            field="code",
        )
    opens, closes = check_in_window(session)
    if now < opens:
        raise BookingError(
            _(
                "Too early: check-in for the %(start)s session opens at %(opens)s.",
                start=_hhmm(session.starts_at),
                opens=_hhmm(opens),
            ),
            field="code",
        )
    if now > closes:
        raise BookingError(
            _("Too late: check-in for this session closed at %(closes)s.", closes=_hhmm(closes)),
            field="code",
        )
    return Party(booking)


def record_arrival(
    venue: Venue,
    code: str,
    *,
    people: int,
    seen_arrived: int,
    by: User,
    now: datetime,
    documents: dict[int, str] | None = None,
) -> Booking:
    """Record `people` of a party as arrived; the rest may come later that day.

    Rules: everything `look_up` checks; at least one person and no more than are still to
    come; at a real-name venue, the IDs typed from the documents shown (`documents`, by
    visitor id) pass `check_documents`; `seen_arrived` is the count staff saw on screen, so
    a second scan of the same code at the same moment finds the row changed and records
    nothing.
    Raises: as `look_up`, and BookingError when the count is wrong, an ID does not match, or
    someone else recorded the arrival first.
    """
    party = look_up(venue, code, by=by, now=now)
    booking = party.booking
    if isinstance(people, bool) or not isinstance(people, int) or people < 1:
        raise BookingError(_("Record at least one person."), field="people")
    if people > party.still_to_come:
        raise BookingError(
            _("Only %(n)d people of this party are still to come.", n=party.still_to_come),
            field="people",
        )
    check_documents(party, documents or {})
    try:
        with unit_of_work():
            if booking.status is BookingStatus.CONFIRMED:
                states.transition(
                    booking,
                    BookingStatus.CHECKED_IN,
                    now=now,
                    field="code",
                    checked_in_at=now,
                    arrived=people,
                )
            else:
                _add_arrivals(booking, people, seen_arrived=seen_arrived)
    except states.StateConflict:
        db.session.refresh(booking)
        if booking.status is BookingStatus.CHECKED_IN:
            raise BookingError(_already_in_message(booking), field="code") from None
        raise
    db.session.refresh(booking)
    return booking


def _add_arrivals(booking: Booking, people: int, *, seen_arrived: int) -> None:
    """More of a checked-in party: a compare-and-set on the count staff saw (flushes)."""
    if not _guard:
        _add_arrivals_unguarded(booking, people)
        return
    changed = db.session.execute(
        sa.update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status == BookingStatus.CHECKED_IN,
            Booking.arrived == seen_arrived,
            Booking.arrived + people <= Booking.places,
        )
        .values(arrived=Booking.arrived + people)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise states.StateConflict(_("This booking changed meanwhile: scan it again."))


def _add_arrivals_unguarded(booking: Booking, people: int) -> None:
    """Read, check in Python, write: the lost update the compare-and-set avoids."""
    arrived = db.session.scalar(sa.select(Booking.arrived).where(Booking.id == booking.id))
    if arrived + people > booking.places:
        raise states.StateConflict(_("This booking changed meanwhile: scan it again."))
    time_module.sleep(0.05)  # widen the window between the check and the write
    db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id)
        .values(arrived=arrived + people)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- no-shows


def mark_due_no_shows(*, now: datetime) -> int:
    """Mark confirmed bookings nobody checked in as no-shows, for every session that ended
    NO_SHOW_GRACE_MINUTES or more ago (for cron). Returns how many were marked. Commits.

    Each booking moves through the state machine, so one checked in at the same moment
    stays checked in.
    """
    due = now - timedelta(minutes=door_setting("NO_SHOW_GRACE_MINUTES"))
    marked = 0
    with unit_of_work():
        found = db.session.scalars(
            sa.select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Slot.ends_at <= due,
                Slot.is_cancelled.is_(False),
            )
            .order_by(Booking.slot_id, Booking.id)
        ).all()
        for booking in found:
            try:
                states.transition(booking, BookingStatus.NO_SHOW, now=now)
            except states.StateConflict:
                continue  # checked in or cancelled meanwhile: that move stands
            marked += 1
    return marked


def undo_no_show(booking: Booking, *, reason: str, by: User, now: datetime) -> Booking:
    """Take back a no-show (the party came but was not scanned, or sent word in time).

    Rules: the venue's staff only; a reason is required and written to the audit log; the
    booking goes back to confirmed and on to checked in with all its people (through the
    state machine), so the nightly run does not mark it again and the no-show limit counts
    only what is left.
    Raises: PermissionDenied, BookingError, StateConflict (not a no-show, or changed meanwhile).
    """
    require_venue_staff(booking.slot.venue, by)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Give the reason: it is kept in the audit log."), field="reason")
    if booking.status is not BookingStatus.NO_SHOW:
        raise states.StateConflict(_("This booking is not marked as not come."), field="status")
    with unit_of_work():
        states.transition(booking, BookingStatus.CONFIRMED, now=now)
        states.transition(
            booking,
            BookingStatus.CHECKED_IN,
            now=now,
            arrived=booking.places,
            checked_in_at=booking.checked_in_at or booking.slot.starts_at,
        )
        record_change(
            by,
            "booking.undo_no_show",
            booking,
            before={"status": BookingStatus.NO_SHOW.value},
            after={"status": BookingStatus.CHECKED_IN.value, "reason": reason[:300]},
            now=now,
        )
    db.session.refresh(booking)
    return booking

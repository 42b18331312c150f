"""Who may do what with bookings, as the booking services ask it: book at all, act as a
booking's booker, see a booking, run a venue's sessions. The rules themselves are the RULES
table in `services.permissions`; these name the questions and the refusals once.
"""

from flask_babel import gettext as _

from models import Booking, User, Venue
from webapp.services.errors import PermissionDenied
from webapp.services.outbox import absolute_url
from webapp.services.permissions import can


class Unconfirmed(PermissionDenied):
    """The account has not yet confirmed its mobile number or e-mail with the code sent."""


def unconfirmed_message() -> str:
    return _(
        "Confirm your mobile number or e-mail before booking: enter the code we sent you at "
        "%(link)s",
        link=absolute_url("auth.confirm"),
    )


def require_booker(user: User) -> None:
    """Raises PermissionDenied unless the user may book visits (families and school staff),
    and Unconfirmed until the account has confirmed its mobile number or e-mail."""
    if not can(user, "booking.create"):
        raise PermissionDenied(_("Visits are booked from a family or school account."))
    if not getattr(user, "is_confirmed", True):
        raise Unconfirmed(unconfirmed_message(), field="account")


def require_venue_staff(venue: Venue, user: User, action: str = "venue.manage_sessions") -> None:
    """Raises PermissionDenied unless the user is the venue's staff for `action` (by default
    running its sessions)."""
    if not can(user, action, venue):
        raise PermissionDenied(_("Only the venue's staff can do that."))


def is_booker_of(user, booking: Booking) -> bool:
    """Whether the user booked it, or acts for the school it was booked for."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return booking.booker_id == user.id or (
        booking.school is not None and can(user, "school.act", booking.school)
    )


def can_see_booking(user, booking: Booking) -> bool:
    """The booker, the booking's school and the venue's staff (or the bureau over it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if booking.booker_id == user.id:
        return True
    if booking.school is not None and can(user, "school.act", booking.school):
        return True
    return can(user, "venue.view_bookings", booking.slot.venue)

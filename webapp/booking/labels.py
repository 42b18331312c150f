"""Display names of the booking enums, translated at render time."""

from flask_babel import lazy_gettext as _l

from models import BookingChannel, BookingStatus

STATUS_LABELS = {
    BookingStatus.PENDING: _l("Waiting for approval"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.REFUSED: _l("Not approved"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.CHECKED_IN: _l("Checked in"),
    BookingStatus.NO_SHOW: _l("Did not come"),
}

CHANNEL_LABELS = {
    BookingChannel.GENERAL: _l("General booking"),
    BookingChannel.GREEN: _l("Green channel"),
}

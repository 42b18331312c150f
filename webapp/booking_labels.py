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

DAY_STATE_LABELS = {
    "available": _l("Places left"),
    "few": _l("Few left"),
    "full": _l("Full"),
    "not_released": _l("Not yet released"),
}

#: green-channel categories by Party field: each qualifies a child already counted by stage
GREEN_CATEGORY_LABELS = {
    "left_behind": _l("Left-behind children"),
    "disabled": _l("Children with disabilities"),
    "orphaned": _l("Orphaned children"),
    "special_family": _l("Children from special-hardship families"),
}

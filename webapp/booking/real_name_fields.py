"""The real-name rows of the family booking form: one per adult, read straight from the post.

Kept apart from FamilyBookingForm (and rendered by booking/_real_names.html) because the number
of rows follows the adults count, and so that the head-count form can change independently.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from models import IdentityDocument
from webapp.services.booking.real_names import NAME_MAX, NUMBER_MAX, VisitorEntry

DOCUMENT_LABELS = {
    IdentityDocument.RESIDENT_ID: _l("Resident ID card"),
    IdentityDocument.TRAVEL_PERMIT: _l("Travel permit for Hong Kong, Macao or Taiwan residents"),
    IdentityDocument.PASSPORT: _l("Passport"),
}


def _row_count(formdata, adults) -> int:
    limit = current_app.config["BOOKING_MAX_FAMILY_PARTY"]
    return max(1, min(adults if isinstance(adults, int) else 1, limit))


def _document(value: str) -> IdentityDocument | None:
    try:
        return IdentityDocument(value)
    except ValueError:
        return None


def visitor_rows(formdata, adults) -> list[VisitorEntry]:
    """The rows to show: what was typed (cut to the field sizes), one per adult."""
    rows = []
    for index in range(_row_count(formdata, adults)):
        rows.append(
            VisitorEntry(
                name=formdata.get(f"visitor-{index}-name", "")[: NAME_MAX * 2],
                document=_document(formdata.get(f"visitor-{index}-document", "")),
                number=formdata.get(f"visitor-{index}-number", "")[: NUMBER_MAX * 2],
            )
        )
    return rows


def visitor_entries(formdata, adults) -> list[VisitorEntry]:
    """The entries the service checks: the shown rows that were filled in."""
    return [row for row in visitor_rows(formdata, adults) if row.name or row.number]

"""Real-name entry: adult visitors' names and identity documents, for venues that require it.

Off by default (a venue's booking setting). When on, each adult of a family booking gives a
name and a document: a 居民身份证 (its checksum verified, GB 11643), a 港澳台居民来往内地通行证,
or a passport. Children never do: they stay counts. The number itself is never stored: the
masked form shown to staff everywhere (1401**********1234) and an HMAC keyed with the
site's SECRET_KEY, which lets the door check the document a visitor presents. Entries are
removed some days after the visit (see retention).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from models import Booking, BookingKind, BookingVisitor, IdentityDocument, db
from webapp.services.errors import ServiceError

NAME_MAX = 60
NUMBER_MAX = 20

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
#: 港澳居民来往内地通行证 H/M + 8 or 10 digits; 台湾居民来往大陆通行证 8 or 10 digits
_TRAVEL_PERMIT = re.compile(r"^([HM]\d{8}(\d{2})?|\d{8}(\d{2})?)$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RealNameError(ServiceError):
    """A real-name entry that cannot be accepted; says which visitor and why."""


@dataclass
class VisitorEntry:
    """One adult as the booking form gave it."""

    name: str
    document: IdentityDocument | None
    number: str


def resident_id_checksum_ok(number: str) -> bool:
    """True when an 18-character 居民身份证 number has a valid birth date and check character."""
    if not _RESIDENT_ID.match(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11] == number[17]


def normalise_number(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "").upper()


def mask_number(number: str) -> str:
    """Keep the first and last four characters of a long number, fewer of a short one."""
    keep = 4 if len(number) >= 12 else 2
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def number_digest(document: IdentityDocument, number: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    text = f"{document.value}:{normalise_number(number)}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _check_number(document: IdentityDocument | None, number: str, who: str) -> str:
    if document is None:
        raise RealNameError(_("%(who)s: choose the kind of identity document.", who=who))
    if not number:
        raise RealNameError(_("%(who)s: give the document number.", who=who))
    if document is IdentityDocument.RESIDENT_ID:
        if not _RESIDENT_ID.match(number):
            raise RealNameError(
                _(
                    "%(who)s: a resident ID card number has 18 characters (digits, last may be X).",
                    who=who,
                )
            )
        if not resident_id_checksum_ok(number):
            raise RealNameError(
                _(
                    "%(who)s: this resident ID card number is not valid (check digit or birth "
                    "date wrong). Please check it against the card.",
                    who=who,
                )
            )
    elif document is IdentityDocument.TRAVEL_PERMIT and not _TRAVEL_PERMIT.match(number):
        raise RealNameError(
            _(
                "%(who)s: a travel permit number is H or M and 8 or 10 digits (Taiwan: 8 or 10 "
                "digits).",
                who=who,
            )
        )
    elif document is IdentityDocument.PASSPORT and not _PASSPORT.match(number):
        raise RealNameError(
            _("%(who)s: a passport number has 5 to 17 letters and digits.", who=who)
        )
    return number


def check_entries(entries: list[VisitorEntry], *, adults: int) -> list[VisitorEntry]:
    """Validate one entry per adult; returns them cleaned (trimmed, numbers normalised).

    Rules: exactly `adults` entries; each with a name of at most 60 characters and no
    control characters, a document kind and a number valid for that kind; no document twice.
    Raises: RealNameError, naming the visitor (Adult 1, 2 …) and what to fix.
    """
    entries = [e for e in entries if e.name.strip() or e.number.strip()]
    if len(entries) != adults:
        raise RealNameError(
            _(
                "This venue asks for the name and identity document of each adult: give %(n)d.",
                n=adults,
            )
        )
    cleaned, seen = [], set()
    for index, entry in enumerate(entries, start=1):
        who = _("Adult %(n)d", n=index)
        name = _CONTROL.sub("", entry.name).strip()
        if not name:
            raise RealNameError(_("%(who)s: give the name as on the document.", who=who))
        if len(name) > NAME_MAX:
            raise RealNameError(_("%(who)s: the name is too long.", who=who))
        number = normalise_number(entry.number)
        if len(number) > NUMBER_MAX:
            raise RealNameError(_("%(who)s: the document number is too long.", who=who))
        number = _check_number(entry.document, number, who)
        if (entry.document, number) in seen:
            raise RealNameError(_("%(who)s: this document is already given above.", who=who))
        seen.add((entry.document, number))
        cleaned.append(VisitorEntry(name=name, document=entry.document, number=number))
    return cleaned


def check_request_entries(request, settings) -> list[VisitorEntry]:
    """The checked entries a booking request must carry under its venue's settings.

    Rules: only a family booking at a venue requiring real names, and only for its adults;
    otherwise nothing is kept, whatever the request carried.
    Raises: RealNameError.
    """
    if not settings.requires_real_name:
        return []
    if request.kind is not BookingKind.FAMILY or request.party.adults == 0:
        return []
    return check_entries(request.visitors, adults=request.party.adults)


def add_visitors(booking: Booking, entries: list[VisitorEntry]) -> None:
    """Store checked entries on a booking (flushes; the caller's unit of work commits)."""
    for entry in entries:
        db.session.add(
            BookingVisitor(
                booking_id=booking.id,
                name=entry.name,
                document=entry.document,
                masked_number=mask_number(entry.number),
                number_digest=number_digest(entry.document, entry.number),
            )
        )
    db.session.flush()


def find_visitor(booking: Booking, document: IdentityDocument, number: str):
    """At the door: the booking's visitor holding the document presented, or None."""
    digest = number_digest(document, number)
    for visitor in booking.visitors:
        if visitor.document is document and hmac.compare_digest(visitor.number_digest, digest):
            return visitor
    return None


def visible_tail(visitor: BookingVisitor) -> int:
    """How many last characters of the number the masked form shows (4, or 2 for short ones)."""
    masked = visitor.masked_number
    return len(masked) - len(masked.rstrip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def presented_matches(visitor: BookingVisitor, typed: str) -> bool:
    """At the door: does the number typed from the document shown match this visitor's?

    Rules: the whole number is checked against the stored HMAC; the last characters alone
    (as many as the masked form shows) against those. Anything else does not match.
    """
    number = normalise_number(typed)
    if not number:
        return False
    if len(number) == len(visitor.masked_number):
        return hmac.compare_digest(visitor.number_digest, number_digest(visitor.document, number))
    tail = visible_tail(visitor)
    return len(number) == tail and visitor.masked_number.endswith(number)

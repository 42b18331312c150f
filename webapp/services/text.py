"""Text typed by people: Unicode normalised, hostile characters refused, phone numbers checked.

Names, phone numbers and other single-line values are shown to staff, printed on lists and
matched against each other, so what is stored must look like what it is. A value is NFKC
normalised (full-width letters and digits become ordinary ones), and a single-line value may
hold no control character, line break, zero-width or other invisible character, and no
direction override that would make it read differently from how it is stored. Forms use the
WTForms wrappers in webapp/text_fields.py; services and the API call these helpers directly.
"""

import re
import unicodedata

from flask_babel import gettext as _

from webapp.services.errors import ServiceError

#: categories never typed into a one-line value: controls (incl. CR/LF/tab), format
#: characters (zero-width spaces and joiners, BOM, bidi marks and overrides), line and
#: paragraph separators, private-use, surrogates and unassigned code points
_SINGLE_LINE_REFUSED = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
#: in free text a line break or tab is fine, and emoji sequences need the zero-width joiner
_MULTI_LINE_ALLOWED = {"\n", "\r", "\t", "\u200d"}
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}", re.ASCII)
_PHONE_SEPARATORS = re.compile(r"[\s()]")


class TextError(ServiceError):
    status_code = 422


def normalise(value: str | None) -> str:
    """NFKC, with surrounding white space removed; None becomes ""."""
    return unicodedata.normalize("NFKC", value or "").strip()


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character a value of this kind may not hold, or None."""
    for char in text:
        if multiline and char in _MULTI_LINE_ALLOWED:
            continue
        if unicodedata.category(char) in _SINGLE_LINE_REFUSED:
            return char
    return None


def refusal_message(char: str) -> str:
    return _(
        "Remove the hidden or control character (U+%(code)s): only visible text is accepted.",
        code=f"{ord(char):04X}",
    )


def clean_line(value: str | None, *, field: str, max_length: int | None = None) -> str:
    """A single-line value (a name, a class, an address) fit to store.

    Rules: NFKC and trimmed; no control, invisible or direction-override character; at most
    `max_length` characters after normalising.
    Raises: TextError naming `field`.
    """
    text = normalise(value)
    char = refused_character(text)
    if char is not None:
        raise TextError(refusal_message(char), field=field)
    if max_length is not None and len(text) > max_length:
        raise TextError(_("At most %(n)s characters.", n=max_length), field=field)
    return text


def clean_phone(value: str | None, *, field: str = "phone", mobile_only: bool = False) -> str:
    """A phone number in ASCII digits: a Chinese mobile number, or a landline with its area
    code (0351-1234567).

    Rules: full-width digits are read as digits (NFKC); spaces, brackets and a leading +86
    are dropped; any other digit (Arabic-Indic, Devanagari, …) is refused.
    Raises: TextError naming `field`.
    """
    text = _PHONE_SEPARATORS.sub("", normalise(value))
    if text.startswith("+86"):
        text = text[3:]
    compact = text.replace("-", "")
    if _MOBILE.fullmatch(compact):
        return compact
    if not mobile_only and _LANDLINE.fullmatch(text):
        return text
    if mobile_only:
        raise TextError(_("Give an 11-digit mobile number."), field=field)
    raise TextError(
        _("Give an 11-digit mobile number or a landline with its area code."), field=field
    )

"""WTForms wrappers around services/text: the same rules on every form.

    name = StringField(_l("Name"), filters=[normalise], validators=[DataRequired(), SingleLine()])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Phone()])
"""

from wtforms.validators import StopValidation, ValidationError

from webapp.services import text


def normalise(value):
    """A field filter: NFKC and trimmed (non-text values pass unchanged)."""
    return text.normalise(value) if isinstance(value, str) else value


class SingleLine:
    """No control, invisible or direction-override character (and so no line break)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        char = text.refused_character(field.data or "", multiline=self.multiline)
        if char is not None:
            raise StopValidation(text.refusal_message(char))


class Phone:
    """A Chinese mobile number or a landline with area code; the field keeps the number in
    ASCII digits."""

    def __init__(self, mobile_only: bool = False):
        self.mobile_only = mobile_only

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = text.clean_phone(
                field.data, field=field.name, mobile_only=self.mobile_only
            )
        except text.TextError as error:
            raise ValidationError(error.message) from None

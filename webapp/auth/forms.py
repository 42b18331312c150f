from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from webapp.text_fields import SingleLine, normalise

LOGIN_LABEL = _l("Mobile number or e-mail")


def _password(label=None):
    return PasswordField(label or _l("Password"), validators=[DataRequired(), Length(max=200)])


def _confirm(field="password"):
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo(field, message=_l("The two passwords differ."))],
    )


class LoginForm(FlaskForm):
    login = StringField(LOGIN_LABEL, validators=[DataRequired(), Length(max=254)])
    password = _password()
    remember = BooleanField(_l("Remember me"))


class SignupForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=60), SingleLine()],
    )
    login = StringField(LOGIN_LABEL, validators=[DataRequired(), Length(max=254)])
    password = _password()
    confirm = _confirm()
    agree = BooleanField(
        _l("I have read the privacy notice"),
        validators=[DataRequired(_l("Please read and accept the privacy notice."))],
    )


class CountyForm(FlaskForm):
    """Step one of school sign-up: which county (a GET form, no CSRF needed)."""

    class Meta:
        csrf = False

    county = SelectField(_l("County"), coerce=int, validators=[InputRequired()])


class SchoolSignupForm(SignupForm):
    county = HiddenField()
    school = SelectField(
        _l("School"), coerce=int, validators=[InputRequired()], validate_choice=False
    )


class SchoolRequestForm(FlaskForm):
    """For someone already signed in who also works at a school."""

    county = HiddenField()
    school = SelectField(
        _l("School"), coerce=int, validators=[InputRequired()], validate_choice=False
    )


class ChangePasswordForm(FlaskForm):
    current = _password(_l("Current password"))
    password = _password(_l("New password"))
    confirm = _confirm()


class ResetRequestForm(FlaskForm):
    login = StringField(LOGIN_LABEL, validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    password = _password(_l("New password"))
    confirm = _confirm()


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=60), SingleLine()],
    )
    login = StringField(LOGIN_LABEL, validators=[DataRequired(), Length(max=254)])
    password = _password()
    confirm = _confirm()


class CodeForm(FlaskForm):
    """The code sent at sign-up. Anything up to 64 characters reaches the service, which
    says what is wrong with it; a longer value is refused here."""

    code = StringField(
        _l("Confirmation code"),
        validators=[DataRequired(), Length(max=64, message=_l("The code is 6 digits."))],
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


class DeleteAccountForm(FlaskForm):
    password = _password(_l("Your password, to confirm"))


class InviteForm(FlaskForm):
    recipient = StringField(
        _l("Their mobile number or e-mail"), validators=[DataRequired(), Length(max=254)]
    )
    is_manager = BooleanField(_l("May invite colleagues too (venue manager)"))

"""Venue-staff console forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class CheckInForm(FlaskForm):
    code = StringField(_l("Booking code"), validators=[DataRequired(), Length(max=20)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class OpenDayForm(FlaskForm):
    on = DateField(_l("Date"), validators=[InputRequired()])
    start = TimeField(_l("Starts"), validators=[InputRequired()])
    end = TimeField(_l("Ends"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    programme = TextAreaField(_l("Programme"), validators=[Optional(), Length(max=4000)])
    capacity = IntegerField(
        _l("Capacity"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )
    green_quota = IntegerField(
        _l("Green-channel quota"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=100000)],
    )


class EmptyForm(FlaskForm):
    pass

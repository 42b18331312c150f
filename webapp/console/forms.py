"""Venue-staff console forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from models import Stage
from webapp.labels import STAGE_LABELS


class CheckInForm(FlaskForm):
    code = StringField(_l("Booking code"), validators=[DataRequired(), Length(max=20)])


class ArrivalForm(FlaskForm):
    code = HiddenField(validators=[DataRequired(), Length(max=20)])
    people = IntegerField(
        _l("People arrived now"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    #: the count shown to staff: a second scan recorded meanwhile makes the save refuse
    seen_arrived = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=1000)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class RequiredReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


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
    audience = SelectMultipleField(
        _l("Meant for (school stages; none ticked: everyone)"),
        choices=[SelectChoice(s.value, STAGE_LABELS[s]) for s in Stage],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validators=[Optional()],
    )
    signup_note = StringField(_l("Sign-up note"), validators=[Optional(), Length(max=300)])

    def details(self):
        from webapp.services.booking.open_days import OpenDayDetails

        return OpenDayDetails(
            on=self.on.data,
            start=self.start.data,
            end=self.end.data,
            title=self.title.data or "",
            capacity=self.capacity.data,
            green_quota=self.green_quota.data or 0,
            programme=self.programme.data or "",
            audience=[Stage(v) for v in self.audience.data or []],
            signup_note=self.signup_note.data or "",
        )


class EmptyForm(FlaskForm):
    pass


class ExportForm(FlaskForm):
    """A day, a month or a chosen range, and the file type (read from the query string)."""

    span = SelectField(
        _l("Period"),
        choices=[
            SelectChoice("range", _l("Chosen range")),
            SelectChoice("day", _l("Today")),
            SelectChoice("month", _l("This month")),
        ],
        default="range",
    )
    first = DateField(_l("First day"), validators=[Optional()])
    last = DateField(_l("Last day"), validators=[Optional()])
    format = SelectField(
        _l("File"),
        choices=[SelectChoice("xlsx", "Excel (.xlsx)"), SelectChoice("csv", "CSV")],
        default="xlsx",
    )

    def range(self, today):
        """(first, last) for the chosen period; checked by the export service."""
        from webapp.services.booking.export import check_range, month_range

        if self.span.data == "day":
            return today, today
        if self.span.data == "month":
            return month_range(self.first.data or today)
        return check_range(self.first.data, self.last.data)

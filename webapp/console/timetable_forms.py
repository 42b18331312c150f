"""Forms of the console's timetable, closed-date and booking-settings pages.

The forms check types and required fields; the rules (end after start, quotas, overlaps,
ranges) live in services/booking/timetables.py and settings.py, whose errors the routes put
back on the fields.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.labels import WEEKDAY_LABELS

#: blank rows offered under the timetable for adding new ones
BLANK_ROWS = 3
#: rows read from one submitted form (a week of 14 sessions a day is 98)
MAX_ROWS = 100


def _weekday_choices():
    return [SelectChoice(day, label) for day, label in WEEKDAY_LABELS.items()]


class TimetableRowForm(Form):
    """One weekly session. A row with no times and no capacity is an unused blank row."""

    weekday = SelectField(_l("Day"), coerce=int, choices=_weekday_choices, default=1)
    start_time = TimeField(_l("Starts"), validators=[Optional()])
    end_time = TimeField(_l("Ends"), validators=[Optional()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional()])
    green_quota = IntegerField(_l("Green-channel quota"), validators=[Optional()])
    remove = BooleanField(_l("Remove this row"))

    @property
    def is_blank(self) -> bool:
        # what was typed, not the parsed data: "abc" in capacity is not a blank row
        typed = (self.start_time, self.end_time, self.capacity, self.green_quota)
        return not any("".join(f.raw_data or []).strip() for f in typed) and all(
            f.data is None for f in typed
        )


class TimetableForm(FlaskForm):
    rows = FieldList(FormField(TimetableRowForm), min_entries=0, max_entries=MAX_ROWS)

    def entries(self) -> tuple[list[dict], list[int]]:
        """The rows to keep as service input, and the form row index of each."""
        values, indexes = [], []
        for i, row in enumerate(self.rows):
            if row.form.remove.data or row.form.is_blank:
                continue
            quota = row.form.green_quota.data
            values.append(
                {
                    "weekday": row.form.weekday.data,
                    "start_time": row.form.start_time.data,
                    "end_time": row.form.end_time.data,
                    "capacity": row.form.capacity.data,
                    "green_quota": 0 if quota is None else quota,
                }
            )
            indexes.append(i)
        return values, indexes


class ClosureForm(FlaskForm):
    on = DateField(_l("Date"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=120)])
    confirm = BooleanField(_l("Cancel these bookings and tell the bookers"))


class BookingSettingsForm(FlaskForm):
    open_days_ahead = IntegerField(
        _l("Booking opens this many days ahead"),
        validators=[InputRequired(), NumberRange(min=1, max=366)],
    )
    release_time = TimeField(
        _l("New days are released at (time of day)"), validators=[InputRequired()]
    )
    green_release_hours = IntegerField(
        _l("Unused green-channel places open to everyone this many hours before a session"),
        validators=[InputRequired(), NumberRange(min=0, max=720)],
    )
    cancel_cutoff_hours = IntegerField(
        _l("Bookers may cancel until this many hours before a session"),
        validators=[InputRequired(), NumberRange(min=0, max=720)],
    )
    preschool_per_teacher = IntegerField(
        _l("Preschool children per teacher"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    primary_per_teacher = IntegerField(
        _l("Primary pupils per teacher"), validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    junior_per_teacher = IntegerField(
        _l("Junior secondary students per teacher"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    senior_per_teacher = IntegerField(
        _l("Senior secondary students per teacher"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    approval_above = IntegerField(
        _l("School groups larger than this need approval"),
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
    )
    requires_real_name = BooleanField(
        _l("Each adult visitor gives a name and an identity document (children never do)")
    )
    arrive_minutes_before = IntegerField(
        _l("Visitors arrive this many minutes before their session"),
        validators=[Optional(), NumberRange(min=0, max=240)],
    )
    what_to_bring = StringField(_l("What visitors should bring"), validators=[Length(max=200)])
    is_senior_alone_allowed = BooleanField(
        _l("Senior secondary students may come without an adult")
    )

"""Forms of the lecturer pool: the directory's filters, and the bureau's and hosts' forms."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField, FloatField, SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from models import LecturerCategory, LecturerPool, RegionLevel, Topic, db
from webapp.i18n import QueryForm, current_language
from webapp.labels import WEEKDAY_LABELS
from webapp.lecturers.labels import LECTURER_CATEGORY_LABELS
from webapp.query_fields import PagedQueryForm, RegionCodeField
from webapp.services.lecturers import candidates
from webapp.services.lecturers.directory import LecturerFilters
from webapp.text_fields import Phone, SingleLine, normalise


def _choices(pairs) -> list[SelectChoice]:
    """Choices in the shape WTForms 3.3 wants (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _category_choices(blank=None):
    choices = [(c.value, LECTURER_CATEGORY_LABELS[c]) for c in LecturerCategory]
    return _choices(([("", blank)] if blank else []) + choices)


class CandidatePageForm(PagedQueryForm):
    """Which page of a talk request's suggested lecturers, read from the query string."""

    page = IntegerField(
        _l("Page"), validators=[Optional(), NumberRange(min=1, max=candidates.MAX_PAGE)]
    )
    per_page = IntegerField(
        _l("Per page"), validators=[Optional(), NumberRange(min=1, max=candidates.MAX_PER_PAGE)]
    )


class LecturerFilterForm(PagedQueryForm):
    """The directory's filters, read from the query string by the page and the API."""

    city = RegionCodeField(_l("City"), level=RegionLevel.CITY)
    county = RegionCodeField(_l("County / district"), level=RegionLevel.COUNTY)
    pool = IntegerField(_l("Lecturer pool"), validators=[Optional(), NumberRange(min=1)])
    category = SelectField(
        _l("Category"), choices=_category_choices(_l("All categories")), default=""
    )
    topic = IntegerField(_l("Topic"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    q = StringField(_l("Name"), validators=[Optional(), Length(max=60)])

    def validate_pool(self, field):
        field.obj = None
        if field.data:
            field.obj = db.session.get(LecturerPool, field.data)
            if field.obj is None:
                raise ValidationError(_l("Unknown lecturer pool."))

    def validate_topic(self, field):
        field.obj = None
        if field.data:
            field.obj = db.session.get(Topic, field.data)
            if field.obj is None:
                raise ValidationError(_l("Unknown topic."))

    def to_filters(self) -> LecturerFilters:
        """The valid filters; a field with an error is left out."""
        ok = lambda name: not self[name].errors  # noqa: E731
        filters = LecturerFilters()
        if ok("city"):
            filters.city = self.city.region
        if ok("county"):
            filters.county = self.county.region
        if ok("pool"):
            filters.pool = getattr(self.pool, "obj", None)
        if ok("category") and self.category.data:
            filters.category = LecturerCategory(self.category.data)
        if ok("topic"):
            filters.topic = getattr(self.topic, "obj", None)
        if ok("q") and self.q.data:
            filters.q = self.q.data.strip()
        return filters


class LecturerForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[normalise], validators=[DataRequired(), Length(max=60), SingleLine()]
    )
    pool_region = SelectField(_l("Lecturer pool"), coerce=int, validators=[InputRequired()])
    category = SelectField(_l("Category"), choices=_category_choices())
    topics = MultiCheckboxField(_l("Topics"), coerce=int)
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=2000)])
    term_starts_on = DateField(_l("Term starts"), validators=[Optional()])
    term_ends_on = DateField(_l("Term ends"), validators=[Optional()])
    free_weekdays = MultiCheckboxField(
        _l("Usually free on"),
        coerce=int,
        choices=_choices((d, WEEKDAY_LABELS[d]) for d in range(1, 8)),
    )
    phone = StringField(
        _l("Phone (seen by bureau staff only)"),
        validators=[DataRequired(), Length(max=20), Phone()],
    )
    address = StringField(
        _l("Address (optional)"),
        filters=[normalise],
        validators=[Optional(), Length(max=200), SingleLine()],
    )
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"))
    remove_photo = BooleanField(_l("Remove the photo"))

    def validate_term_ends_on(self, field):
        if field.data and self.term_starts_on.data and field.data < self.term_starts_on.data:
            raise ValidationError(_l("The term cannot end before it starts."))


class TopicForm(FlaskForm):
    name = StringField(_l("Topic (Chinese)"), validators=[DataRequired(), Length(max=60)])
    name_en = StringField(_l("Topic (English)"), validators=[Optional(), Length(max=100)])


class StationForm(FlaskForm):
    name = StringField(
        _l("Station name"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=120), SingleLine()],
    )
    community = StringField(
        _l("Community"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=120), SingleLine()],
    )
    county = SelectField(_l("County / district"), coerce=int, validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])


class RequestForm(FlaskForm):
    host = SelectField(_l("School or station"), validators=[DataRequired()])
    topic = SelectField(_l("Topic"), coerce=int, validators=[InputRequired()])
    wanted_on = DateField(_l("Wanted date"), validators=[InputRequired()])
    wanted_alt_on = DateField(_l("Second choice of date (optional)"), validators=[Optional()])
    expected_audience = IntegerField(
        _l("Expected audience (people)"),
        validators=[InputRequired(), NumberRange(min=1, max=100000)],
    )
    audience_note = StringField(
        _l("Who will listen (optional)"),
        filters=[normalise],
        validators=[Optional(), Length(max=200), SingleLine()],
    )
    place = StringField(
        _l("Place"), filters=[normalise], validators=[Optional(), Length(max=200), SingleLine()]
    )


def topic_choices():
    lang = current_language()
    return _choices(
        (t.id, t.display_name(lang))
        for t in db.session.scalars(sa.select(Topic).order_by(Topic.name))
    )


class AssignForm(FlaskForm):
    lecturer_id = HiddenField(validators=[DataRequired()])
    on = SelectField(_l("Date"), validators=[DataRequired()])


class DeliveryForm(FlaskForm):
    delivered_on = DateField(_l("Date of the talk"), validators=[InputRequired()])
    audience_reached = IntegerField(
        _l("People reached"), validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
    feedback_score = SelectField(
        _l("Score (1 to 5)"),
        coerce=int,
        choices=_choices((n, str(n)) for n in (5, 4, 3, 2, 1)),
        validators=[InputRequired()],
    )
    feedback_comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])


class EmptyForm(FlaskForm):
    """A POST with nothing but the CSRF token."""


class FiguresForm(QueryForm):
    region = StringField(_l("Region"))
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

"""The venue page form: what venue staff and bureau staff can say about a venue."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from models import AdmissionKind, Region, Stage, VenueCategory, VenueLevel, VisitorGroup
from webapp.bureau.forms import MultiCheckboxField
from webapp.labels import ADMISSION_LABELS, CATEGORY_LABELS, LEVEL_LABELS, STAGE_LABELS
from webapp.services.catalogue.venue_values import (
    MAX_COURSE_MINUTES,
    MAX_PRICE_YUAN,
    MAX_TEXT,
    AdmissionValue,
    ClosureValue,
    CourseValue,
    HoursValue,
    VenueValues,
)
from webapp.text_fields import Phone, SingleLine, normalise

#: blank rows offered under the existing ones for adding closed dates and courses
BLANK_CLOSURES = 2
BLANK_COURSES = 1


def _stage_choices():
    return [SelectChoice(s.value, STAGE_LABELS[s]) for s in Stage]


class HoursRowForm(Form):
    is_open = BooleanField(_l("Open"))
    opens = TimeField(_l("Opens"), validators=[Optional()])
    closes = TimeField(_l("Closes"), validators=[Optional()])

    def validate_is_open(self, field):
        if not field.data and (self.opens.data or self.closes.data):
            raise ValidationError(_l("Tick “Open” for this day, or clear its times."))


class AdmissionRowForm(Form):
    kind = SelectField(
        _l("Admission"),
        choices=[SelectChoice("", _l("Ask the venue"))]
        + [SelectChoice(k.value, ADMISSION_LABELS[k]) for k in AdmissionKind],
        validators=[Optional()],
    )
    price = IntegerField(
        _l("Price (yuan)"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE_YUAN)]
    )


class ClosureRowForm(Form):
    closed_on = DateField(_l("Closed on"), validators=[Optional()])
    reason = StringField(
        _l("Reason"), filters=[normalise], validators=[Optional(), Length(max=120), SingleLine()]
    )
    remove = BooleanField(_l("Remove"))


class CourseRowForm(Form):
    title = StringField(
        _l("Course title"),
        filters=[normalise],
        validators=[Optional(), Length(max=120), SingleLine()],
    )
    minutes = IntegerField(
        _l("Minutes"), validators=[Optional(), NumberRange(min=1, max=MAX_COURSE_MINUTES)]
    )
    stages = MultiCheckboxField(_l("Suited to"), choices=_stage_choices())
    # not "description": a FormField row has an attribute of that name itself
    about = TextAreaField(_l("About the course"), validators=[Optional(), Length(max=MAX_TEXT)])
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self) -> bool:
        return not (self.title.data or "").strip() and not (self.about.data or "").strip()


class VenueForm(FlaskForm):
    name = StringField(
        _l("Venue name"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=120), SingleLine()],
    )
    name_en = StringField(
        _l("Name in English"),
        filters=[normalise],
        validators=[Optional(), Length(max=160), SingleLine()],
    )
    categories = MultiCheckboxField(
        _l("Categories"),
        choices=[SelectChoice(c.value, CATEGORY_LABELS[c]) for c in VenueCategory],
        validators=[DataRequired(_l("Choose at least one category."))],
    )
    level = SelectField(
        _l("Level"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(v.value, LEVEL_LABELS[v]) for v in VenueLevel],
        validators=[DataRequired(_l("Choose the level of the base."))],
    )
    stages = MultiCheckboxField(_l("Suited to"), choices=_stage_choices())
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    address = StringField(
        _l("Address"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=200), SingleLine()],
    )
    county = SelectField(_l("County"), coerce=int, validators=[Optional()])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), Phone()])
    transport = TextAreaField(_l("How to get there"), validators=[Optional(), Length(max=MAX_TEXT)])
    is_accessible = BooleanField(_l("Barrier-free access"))
    accessibility = TextAreaField(
        _l("Accessibility details"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    hours = FieldList(FormField(HoursRowForm), min_entries=7, max_entries=7)
    admission = FieldList(
        FormField(AdmissionRowForm), min_entries=len(VisitorGroup), max_entries=len(VisitorGroup)
    )
    closures = FieldList(FormField(ClosureRowForm), max_entries=400)
    courses = FieldList(FormField(CourseRowForm), max_entries=100)

    #: form row index of each value passed on, so a service error lands on its row
    closure_rows: list[int]
    course_rows: list[int]

    @classmethod
    def data_from(cls, values: VenueValues | None) -> dict:
        """Initial data for a GET: the venue's values (or none), with blank rows to add."""
        if values is None:
            return {
                "hours": [{} for _ in range(7)],
                "admission": [{} for _ in VisitorGroup],
                "closures": [{} for _ in range(BLANK_CLOSURES)],
                "courses": [{} for _ in range(BLANK_COURSES)],
            }
        hours = {h.weekday: h for h in values.hours}
        admission = {a.group: a for a in values.admission}
        return {
            "name": values.name,
            "name_en": values.name_en,
            "categories": [c.value for c in values.categories],
            "level": values.level.value if values.level else "",
            "stages": [s.value for s in values.stages],
            "description": values.description,
            "address": values.address,
            "county": values.county.id if values.county else 0,
            "lat": values.lat,
            "lng": values.lng,
            "phone": values.phone,
            "transport": values.transport,
            "is_accessible": values.is_accessible,
            "accessibility": values.accessibility,
            "hours": [
                {"is_open": True, "opens": hours[d].opens, "closes": hours[d].closes}
                if d in hours
                else {}
                for d in range(1, 8)
            ],
            "admission": [
                {"kind": admission[g].kind.value, "price": admission[g].price}
                if g in admission
                else {}
                for g in VisitorGroup
            ],
            "closures": [{"closed_on": c.closed_on, "reason": c.reason} for c in values.closures]
            + [{} for _ in range(BLANK_CLOSURES)],
            "courses": [
                {
                    "title": c.title,
                    "minutes": c.minutes,
                    "stages": [s.value for s in c.stages],
                    "about": c.description,
                }
                for c in values.courses
            ]
            + [{} for _ in range(BLANK_COURSES)],
        }

    def to_values(self, county: Region | None) -> VenueValues:
        """The submitted values; blank and removed rows of dates and courses are left out."""
        self.closure_rows, closures = [], []
        for index, row in enumerate(self.closures):
            if row.remove.data or (not row.closed_on.data and not (row.reason.data or "").strip()):
                continue
            self.closure_rows.append(index)
            closures.append(ClosureValue(row.closed_on.data, row.reason.data or ""))
        self.course_rows, courses = [], []
        for index, row in enumerate(self.courses):
            if row.remove.data or row.is_blank:
                continue
            self.course_rows.append(index)
            courses.append(
                CourseValue(
                    row.title.data or "",
                    row.minutes.data,
                    [Stage(s) for s in row.stages.data or []],
                    row.about.data or "",
                )
            )
        return VenueValues(
            name=self.name.data or "",
            name_en=self.name_en.data or "",
            address=self.address.data or "",
            categories=[VenueCategory(c) for c in self.categories.data or []],
            level=VenueLevel(self.level.data) if self.level.data else None,
            county=county,
            lat=self.lat.data,
            lng=self.lng.data,
            phone=self.phone.data or "",
            description=self.description.data or "",
            transport=self.transport.data or "",
            is_accessible=bool(self.is_accessible.data),
            accessibility=self.accessibility.data or "",
            stages=[Stage(s) for s in self.stages.data or []],
            hours=[
                HoursValue(day, row.opens.data, row.closes.data)
                for day, row in enumerate(self.hours, start=1)
                if row.is_open.data
            ],
            admission=[
                AdmissionValue(group, AdmissionKind(row.kind.data), row.price.data)
                for group, row in zip(VisitorGroup, self.admission, strict=True)
                if row.kind.data
            ],
            closures=closures,
            courses=courses,
        )

    def field_for(self, path: str | None):
        """The form field a service error's `field` names ('hours.3', 'admission.primary' …)."""
        if not path:
            return None
        head, _, tail = path.partition(".")
        try:
            if head == "hours" and tail:
                return self.hours[int(tail) - 1].opens
            if head == "admission" and tail:
                return self.admission[[g.value for g in VisitorGroup].index(tail)].price
            if head == "closures" and tail:
                return self.closures[self.closure_rows[int(tail)]].closed_on
            if head == "courses" and tail:
                return self.courses[self.course_rows[int(tail)]].title
        except (ValueError, IndexError, AttributeError):
            return None
        field = getattr(self, head, None)
        return field if hasattr(field, "errors") and not isinstance(field, FieldList) else None


class VenuePhotoForm(FlaskForm):
    photo = FileField(
        _l("Add a photo (JPEG, PNG or WebP)"),
        validators=[FileRequired(_l("Choose a photo to upload."))],
    )

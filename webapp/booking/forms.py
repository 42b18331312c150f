"""Booking forms: a family visit (general or green channel), a school group, the waiting list."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from models import BookingKind
from webapp.booking_labels import GREEN_CATEGORY_LABELS
from webapp.services.booking.party import BookingRequest, Party
from webapp.text_fields import Phone, SingleLine, normalise

COUNT_RANGE = NumberRange(min=0, max=999, message=_l("Enter a number from 0 to 999."))
NAME = {"filters": [normalise], "validators": [DataRequired(), Length(max=60), SingleLine()]}


def _count(label):
    return IntegerField(label, default=0, validators=[InputRequired(), COUNT_RANGE])


class _BookingForm(FlaskForm):
    preschool = _count(_l("Preschool children"))
    primary_pupils = _count(_l("Primary pupils"))
    junior = _count(_l("Junior secondary students"))
    senior = _count(_l("Senior secondary students"))
    contact_name = StringField(_l("Contact name"), **NAME)
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(), Phone()])
    #: a one-time token: a second click on "confirm" finds the first booking
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=8, max=64)])
    #: "1" once the person has seen the price and confirms
    confirm = HiddenField()

    def fresh_key(self):
        if not self.idempotency_key.data:
            self.idempotency_key.data = uuid.uuid4().hex

    def party_values(self) -> dict:
        return {name: self[name].data or 0 for name in Party.__dataclass_fields__ if name in self}


class FamilyBookingForm(_BookingForm):
    adults = _count(_l("Accompanying adults"))
    left_behind = _count(GREEN_CATEGORY_LABELS["left_behind"])
    disabled = _count(GREEN_CATEGORY_LABELS["disabled"])
    orphaned = _count(GREEN_CATEGORY_LABELS["orphaned"])
    special_family = _count(GREEN_CATEGORY_LABELS["special_family"])

    def fill_contact(self, user) -> None:
        """Start from the account's name and mobile number; the person may change them."""
        if not self.contact_name.data:
            self.contact_name.data = getattr(user, "name", "") or ""
        if not self.contact_phone.data:
            self.contact_phone.data = getattr(user, "phone", "") or ""

    def to_request(self) -> BookingRequest:
        return BookingRequest(
            kind=BookingKind.FAMILY,
            party=Party(**self.party_values()),
            contact_name=self.contact_name.data or "",
            contact_phone=(self.contact_phone.data or "").strip(),
            idempotency_key=self.idempotency_key.data or "",
        )


class SchoolGroupForm(_BookingForm):
    school = SelectField(_l("School"), coerce=int, validate_choice=True)
    group_name = StringField(_l("Class or grade"), **NAME)
    teachers = _count(_l("Accompanying teachers"))
    lead_teacher = StringField(_l("Lead teacher"), **NAME)

    def to_request(self, school) -> BookingRequest:
        return BookingRequest(
            kind=BookingKind.SCHOOL_GROUP,
            party=Party(**self.party_values()),
            contact_name=self.contact_name.data or "",
            contact_phone=(self.contact_phone.data or "").strip(),
            idempotency_key=self.idempotency_key.data or "",
            school=school,
            group_name=self.group_name.data or "",
            lead_teacher=self.lead_teacher.data or "",
        )


class WaitlistForm(FlaskForm):
    places = IntegerField(
        _l("Places wanted"),
        validators=[
            InputRequired(),
            NumberRange(min=1, max=999, message=_l("At least one place.")),
        ],
    )


class CancelForm(FlaskForm):
    pass

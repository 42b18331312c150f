from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models import Stage
from webapp.labels import STAGE_LABELS
from webapp.text_fields import SingleLine, normalise


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SchoolForm(FlaskForm):
    name = StringField(
        _l("School name"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=120), SingleLine()],
    )
    county = SelectField(_l("County"), coerce=int, validators=[InputRequired()])
    stages = MultiCheckboxField(
        _l("Stages taught"),
        choices=[SelectChoice(s.value, STAGE_LABELS[s]) for s in Stage],
        validators=[DataRequired(_l("Choose at least one stage taught."))],
    )
    address = StringField(
        _l("Address"), filters=[normalise], validators=[Optional(), Length(max=200), SingleLine()]
    )
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])


class SchoolFilterForm(FlaskForm):
    class Meta:
        csrf = False

    county = SelectField(_l("County"), coerce=int, validators=[Optional()])
    q = StringField(_l("Name contains"), validators=[Optional(), Length(max=60)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who (login contains)"), validators=[Optional(), Length(max=100)])
    action = SelectField(_l("What"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

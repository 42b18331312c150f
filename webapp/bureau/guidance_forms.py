from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from models import GuidanceKind

KIND_LABELS = {
    GuidanceKind.PARENT_SCHOOL: _l("Parent school session"),
    GuidanceKind.PARENTS_MEETING: _l("Parents' meeting"),
    GuidanceKind.OPEN_DAY: _l("Open day for parents"),
    GuidanceKind.CONSULTATION: _l("Family-education consultation"),
    GuidanceKind.OTHER: _l("Other guidance activity"),
}


class ActivityForm(FlaskForm):
    host = SelectField(_l("School or station"), validators=[InputRequired()])
    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=120)])
    parents = IntegerField(
        _l("Parents who took part"),
        validators=[InputRequired(), NumberRange(min=0, max=100_000,
                                                 message=_l("Give a number from 0 to 100,000."))],
    )

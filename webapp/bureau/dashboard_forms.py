from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional, Regexp

from webapp.i18n import QueryForm

_MONTH = Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Give a month as YYYY-MM."))


class DashboardForm(QueryForm):
    region = StringField(_l("Region"), validators=[Optional()])
    start = StringField(_l("From month"), validators=[Optional(), _MONTH])
    end = StringField(_l("To month"), validators=[Optional(), _MONTH])

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired


class VenueImportForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired(message=_l("Choose the spreadsheet to import."))],
    )


class ConfirmImportForm(FlaskForm):
    #: what the preview showed; confirming something else is refused
    digest = HiddenField(validators=[DataRequired()])

"""Pieces shared by the forms read from a query string: region codes and paging."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from models import RegionLevel
from webapp.i18n import QueryForm

UNKNOWN = {
    RegionLevel.CITY: _l("Unknown city."),
    RegionLevel.COUNTY: _l("Unknown county or district."),
}


class RegionCodeField(StringField):
    """A six-digit adcode, read as the Region of that level it names (`.region`, or None)."""

    def __init__(self, label=None, *, level: RegionLevel, **kwargs):
        super().__init__(label, **kwargs)
        self.level = level
        self.region = None

    def pre_validate(self, form):
        from webapp.services.catalogue.search import get_region

        self.region = None
        if self.data:
            self.region = get_region(self.data.strip(), self.level)
            if self.region is None:
                raise ValidationError(UNKNOWN[self.level])


class PagedQueryForm(QueryForm):
    """A query form with `page` and `per_page`, read leniently: a bad value means the default."""

    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100000)])
    per_page = IntegerField(_l("Per page"), validators=[Optional(), NumberRange(min=1, max=100)])

    @property
    def page_number(self) -> int:
        return self.page.data if not self.page.errors and self.page.data else 1

    def per_page_number(self, default: int) -> int:
        return self.per_page.data if not self.per_page.errors and self.per_page.data else default

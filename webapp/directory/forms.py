"""The catalogue's filters, read from the query string by the list, the map and the API."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields import DateField, FloatField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from models import RegionLevel, Stage, VenueCategory
from webapp.labels import CATEGORY_LABELS, STAGE_LABELS
from webapp.query_fields import PagedQueryForm, RegionCodeField
from webapp.services.catalogue.search import VenueFilters

TRUE_VALUES = ("1", "true", "on", "yes")
FALSE_VALUES = ("0", "false", "off", "no", "")


class FlagField(StringField):
    """A yes/no switch in a query string: 1/true/on or 0/false/off."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip().lower()
        if raw in TRUE_VALUES:
            self.data = True
        elif raw in FALSE_VALUES:
            self.data = False
        else:
            self.data = False
            raise ValueError(_l("Use 1 or 0."))


class ChoiceListField(SelectMultipleField):
    """Several choices from a query string; an empty value ("all") is no choice, not a bad one."""

    def process_formdata(self, valuelist):
        super().process_formdata([v for v in valuelist if v.strip()])


class VenueFilterForm(PagedQueryForm):
    q = StringField(_l("Keyword"))
    category = ChoiceListField(
        _l("Category"), choices=[SelectChoice(c.value, CATEGORY_LABELS[c]) for c in VenueCategory]
    )
    city = RegionCodeField(_l("City"), level=RegionLevel.CITY)
    county = RegionCodeField(_l("County / district"), level=RegionLevel.COUNTY)
    stage = SelectField(
        _l("School stage"),
        choices=[SelectChoice("", _l("Any stage"))]
        + [SelectChoice(s.value, STAGE_LABELS[s]) for s in Stage],
        default="",
    )
    free = FlagField(_l("Free for children"))
    accessible = FlagField(_l("Barrier-free access"))
    open_on = DateField(_l("Open on"), validators=[Optional()], format="%Y-%m-%d")
    places_on = DateField(_l("Places left on"), validators=[Optional()], format="%Y-%m-%d")
    near = StringField(_l("Near"))
    near_county = RegionCodeField(_l("Near a county or district"), level=RegionLevel.COUNTY)
    radius_km = FloatField(
        _l("Within (km)"), validators=[Optional(), NumberRange(min=0.5, max=500)], default=20
    )

    def validate_q(self, field):
        if field.data and len(field.data) > 60:
            raise ValidationError(_l("At most 60 characters."))

    def validate_county(self, field):
        city = self.city.region if not self.city.errors else None
        if field.region is not None and city is not None and field.region.parent_id != city.id:
            raise ValidationError(_l("That county is not in the chosen city."))

    def validate_near(self, field):
        field.point = None
        if not field.data:
            return
        try:
            lat_text, lng_text = field.data.split(",")
            lat, lng = float(lat_text), float(lng_text)
        except ValueError:
            raise ValidationError(_l("Give the position as latitude,longitude.")) from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:
            raise ValidationError(_l("Latitude or longitude out of range."))
        field.point = (lat, lng)

    def to_filters(self) -> VenueFilters:
        """The valid filters; a field with an error is left out."""
        ok = lambda name: not self[name].errors  # noqa: E731
        filters = VenueFilters()
        if ok("q") and self.q.data:
            filters.q = self.q.data.strip()
        if ok("category"):
            filters.categories = [VenueCategory(v) for v in self.category.data or []]
        if ok("city"):
            filters.city = self.city.region
        if ok("county"):
            filters.county = self.county.region
        if ok("stage") and self.stage.data:
            filters.stage = Stage(self.stage.data)
        filters.is_free = ok("free") and bool(self.free.data)
        filters.is_accessible = ok("accessible") and bool(self.accessible.data)
        if ok("open_on"):
            filters.open_on = self.open_on.data
        if ok("places_on"):
            filters.places_on = self.places_on.data
        if ok("radius_km") and self.radius_km.data:
            filters.radius_km = self.radius_km.data
        if ok("near") and getattr(self.near, "point", None):
            filters.near = self.near.point
        elif ok("near_county") and self.near_county.region:
            region = self.near_county.region
            filters.near = (region.lat, region.lng)
        return filters

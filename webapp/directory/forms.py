"""The catalogue's filters, read from the query string by the list, the map and the API."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields import DateField, FloatField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from models import RegionLevel, Stage, VenueCategory
from webapp.i18n import QueryForm
from webapp.labels import CATEGORY_LABELS, STAGE_LABELS
from webapp.query_fields import PagedQueryForm, RegionCodeField
from webapp.services.catalogue.maps import MAX_ZOOM, MIN_ZOOM, PROVINCE_BOUNDS, MapView
from webapp.services.catalogue.search import VenueFilters

#: pages past this are refused: a deep OFFSET makes the database walk every row before it
MAX_PAGE = 500

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
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])
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


class MapViewForm(QueryForm):
    """The map's viewport: bbox=west,south,east,north (WGS-84 degrees) and zoom.

    Rules: both are optional (the whole province at zoom 7); a box must not be inverted, must
    lie within valid coordinates and be no larger than the province; the zoom is the map's.
    """

    bbox = StringField(_l("Map area"))
    zoom = IntegerField(
        _l("Zoom"), validators=[Optional(), NumberRange(min=MIN_ZOOM, max=MAX_ZOOM)], default=7
    )

    def validate_bbox(self, field):
        field.box = None
        if not field.data:
            return
        try:
            west, south, east, north = (float(part) for part in field.data.split(","))
        except ValueError:
            raise ValidationError(_l("Give the map area as west,south,east,north.")) from None
        if not all(-180 <= x <= 180 for x in (west, east)) or not all(
            -90 <= y <= 90 for y in (south, north)
        ):
            raise ValidationError(_l("Latitude or longitude out of range."))
        if west >= east or south >= north:
            raise ValidationError(
                _l(
                    "The map area is inverted: west must be less than east "
                    "and south less than north."
                )
            )
        p_west, p_south, p_east, p_north = PROVINCE_BOUNDS
        if east - west > p_east - p_west + 1e-9 or north - south > p_north - p_south + 1e-9:
            raise ValidationError(_l("The map area is larger than the province."))
        field.box = (west, south, east, north)

    def to_view(self) -> MapView:
        zoom = self.zoom.data or 7
        box = getattr(self.bbox, "box", None)
        return MapView(*box, zoom) if box else MapView.province(zoom)

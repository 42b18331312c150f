"""The catalogue of practice bases: searching, filtering and near-me.

Every entry point (list page, map, JSON API) narrows venues through `search_venues` with a
`VenueFilters`, so a filter means the same thing everywhere.
"""

import math
import time
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from pypinyin import lazy_pinyin
from sqlalchemy.orm import joinedload, selectinload

from models import (
    OpeningHours,
    Region,
    RegionLevel,
    Stage,
    Venue,
    VenueCategory,
    VenueClosure,
    db,
)
from models.venue import category_bits, stage_bit
from webapp.services import like
from webapp.services.booking.availability import has_places_on_clause
from webapp.services.geo import EARTH_KM_PER_DEGREE, bounding_box, distance_km

#: how long a result filtered by "places left on a date" may be served from the cache
PLACES_LEFT_FRESH_SECONDS = 30


@dataclass
class VenueFilters:
    q: str = ""
    categories: list[VenueCategory] = field(default_factory=list)
    city: Region | None = None
    county: Region | None = None
    stage: Stage | None = None
    is_free: bool = False
    is_accessible: bool = False
    open_on: date | None = None
    near: tuple[float, float] | None = None
    radius_km: float = 20.0
    #: booking: a session with places left on this local date
    places_on: date | None = None

    def cache_key(self) -> str:
        """A stable text naming exactly these filters."""
        return repr(
            (
                self.q,
                sorted(c.value for c in self.categories),
                self.city.adcode if self.city else None,
                self.county.adcode if self.county else None,
                self.stage.value if self.stage else None,
                self.is_free,
                self.is_accessible,
                self.open_on.isoformat() if self.open_on else None,
                self.near,
                self.radius_km if self.near else None,
                self.places_on.isoformat() if self.places_on else None,
                # places left change with every booking, which does not move the catalogue
                # version: such results are kept for half a minute at most
                int(time.time() // PLACES_LEFT_FRESH_SECONDS) if self.places_on else None,
            )
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.q
            or self.categories
            or self.city
            or self.county
            or self.stage
            or self.is_free
            or self.is_accessible
            or self.open_on
            or self.near
            or self.places_on
        )


@dataclass
class VenueHit:
    venue: Venue
    distance_km: float | None = None


@dataclass
class VenuePage:
    hits: list[VenueHit]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _planar_km2(origin: tuple[float, float]):
    """Squared distance in km² on a local flat projection: exact enough to rank and cut.

    Within a few hundred kilometres it differs from the great circle by well under 1 %,
    and it lets the database sort and count without a distance function of its own.
    """
    lat, lng = origin
    kx = EARTH_KM_PER_DEGREE * math.cos(math.radians(lat))
    dy = (Venue.lat - lat) * EARTH_KM_PER_DEGREE
    dx = (Venue.lng - lng) * kx
    return dy * dy + dx * dx


def _has_bits(column, bits: int):
    """`column & bits <> 0` with both numbers written into the SQL, not bound: PostgreSQL
    uses a partial index (ix_venues_stage_*) only when it can see the query implies its
    predicate, which a parameter hides once psycopg prepares the statement."""
    return column.op("&")(sa.literal_column(str(int(bits)))) != sa.literal_column("0")


def filtered_venue_ids(filters: VenueFilters) -> sa.Select:
    """A SELECT of venue id, lat, lng narrowed by every filter except the distance itself."""
    stmt = sa.select(Venue.id, Venue.lat, Venue.lng)
    if filters.q:
        text = filters.q.lower().strip()
        # 'jin ci' typed with a space still finds 'jinci'
        variants = {text, "".join(text.split())}
        stmt = stmt.where(
            sa.or_(*(like.contains(Venue.search_text, v) for v in variants))
        )
    if filters.categories:
        stmt = stmt.where(_has_bits(Venue.category_mask, category_bits(filters.categories)))
    if filters.county is not None:
        stmt = stmt.where(Venue.county_id == filters.county.id)
    elif filters.city is not None:
        stmt = stmt.where(Venue.city_id == filters.city.id)
    if filters.stage is not None:
        stmt = stmt.where(_has_bits(Venue.stage_mask, stage_bit(filters.stage)))
    if filters.is_free:
        # "= true", not "IS true": the form an index on the column can serve
        stmt = stmt.where(Venue.is_free_for_children == sa.true())
    if filters.is_accessible:
        stmt = stmt.where(Venue.is_accessible == sa.true())
    if filters.open_on is not None:
        stmt = stmt.where(
            sa.exists().where(
                OpeningHours.venue_id == Venue.id,
                OpeningHours.weekday == filters.open_on.isoweekday(),
            ),
            ~sa.exists().where(
                VenueClosure.venue_id == Venue.id, VenueClosure.closed_on == filters.open_on
            ),
        )
    if filters.places_on is not None:
        stmt = stmt.where(has_places_on_clause(filters.places_on))
    if filters.near is not None:
        min_lat, max_lat, min_lng, max_lng = bounding_box(*filters.near, filters.radius_km)
        stmt = stmt.where(
            Venue.lat.between(min_lat, max_lat),
            Venue.lng.between(min_lng, max_lng),
            _planar_km2(filters.near) <= filters.radius_km**2,
        )
    return stmt


def _load_venues(ids: list[int]) -> dict[int, Venue]:
    if not ids:
        return {}
    venues = db.session.scalars(
        sa.select(Venue)
        .where(Venue.id.in_(ids))
        .options(joinedload(Venue.county), joinedload(Venue.city), selectinload(Venue.photos))
    ).all()
    return {v.id: v for v in venues}


def search_venues(filters: VenueFilters, *, page: int = 1, per_page: int = 20) -> VenuePage:
    """One page of the venues that match `filters`.

    Rules: with `near`, only venues within `radius_km` count, nearest first, and each hit
    carries its distance. The database cuts by a bounding box, then ranks and counts by a
    planar distance; geopy measures the distance shown, for the page's venues only.
    Without `near`, venues are ordered by pinyin name.
    """
    ids_stmt = filtered_venue_ids(filters)
    if filters.near is not None:
        order = (_planar_km2(filters.near), Venue.id)
    else:
        order = (Venue.name_pinyin, Venue.id)
    total = db.session.scalar(ids_stmt.with_only_columns(sa.func.count(Venue.id)).order_by(None))
    page_rows = db.session.execute(
        ids_stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    venues = _load_venues([row.id for row in page_rows])
    hits = []
    for row in page_rows:
        if row.id not in venues:
            continue
        distance = None
        if filters.near is not None:
            distance = round(distance_km(filters.near, (row.lat, row.lng)), 2)
        hits.append(VenueHit(venues[row.id], distance))
    return VenuePage(hits, total, page, per_page)


def search_terms(venue: Venue) -> tuple[str, str]:
    """(pinyin sort key, search text) for a venue: name, address, pinyin and pinyin initials."""
    syllables = lazy_pinyin(venue.name, errors="default")
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    text = " ".join([venue.name, venue.address, full, initials, venue.name_en.lower()])
    return full, text.lower()


def index_venue(venue: Venue) -> None:
    """Refresh the stored pinyin and search text after a name or address change."""
    venue.name_pinyin, venue.search_text = search_terms(venue)


def get_venue(venue_id: int) -> Venue | None:
    return db.session.get(
        Venue,
        venue_id,
        options=[
            joinedload(Venue.county),
            joinedload(Venue.city),
            selectinload(Venue.admission_rules),
            selectinload(Venue.opening_hours),
            selectinload(Venue.closures),
            selectinload(Venue.courses),
            selectinload(Venue.photos),
        ],
    )


def list_cities() -> list[Region]:
    return db.session.scalars(
        sa.select(Region).where(Region.level == RegionLevel.CITY).order_by(Region.adcode)
    ).all()


def list_counties(city: Region | None = None) -> list[Region]:
    stmt = sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
    if city is not None:
        stmt = stmt.where(Region.parent_id == city.id)
    return db.session.scalars(stmt).all()


@dataclass(frozen=True)
class RegionOption:
    adcode: str
    name: str
    city_adcode: str
    city_name: str


#: Regions change only when the seed is loaded at deployment, so every filter menu can share
#: one read of them; the time limit bounds how long a worker shows a changed name.
_REGION_MENU_SECONDS = 300
_region_menus: dict[str, tuple[float, tuple[list[RegionOption], list[RegionOption]]]] = {}


def list_region_options(lang: str) -> tuple[list[RegionOption], list[RegionOption]]:
    """(cities, counties) as plain labels for the filter menus."""
    cached = _region_menus.get(lang)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    rows = db.session.execute(
        sa.select(
            Region.id, Region.adcode, Region.name, Region.name_en, Region.level, Region.parent_id
        )
        .where(Region.level.in_([RegionLevel.CITY, RegionLevel.COUNTY]))
        .order_by(Region.adcode)
    ).all()
    label = {r.id: (r.name_en if lang == "en" and r.name_en else r.name) for r in rows}
    adcode = {r.id: r.adcode for r in rows}
    cities, counties = [], []
    for r in rows:
        if r.level is RegionLevel.CITY:
            cities.append(RegionOption(r.adcode, label[r.id], r.adcode, label[r.id]))
        else:
            parent = r.parent_id
            counties.append(
                RegionOption(r.adcode, label[r.id], adcode.get(parent, ""), label.get(parent, ""))
            )
    _region_menus[lang] = (time.monotonic() + _REGION_MENU_SECONDS, (cities, counties))
    return cities, counties


def forget_region_menus() -> None:
    _region_menus.clear()


def get_region(adcode: str, level: RegionLevel) -> Region | None:
    if not (len(adcode) == 6 and adcode.isascii() and adcode.isdigit()):
        return None
    return db.session.scalar(
        sa.select(Region).where(Region.adcode == adcode, Region.level == level)
    )

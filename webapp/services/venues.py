"""The catalogue of practice bases: searching, filtering and near-me.

Every entry point (list page, map, JSON API) narrows venues through `search_venues` with a
`VenueFilters`, so a filter means the same thing everywhere.
"""

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
from models.venue import venue_categories, venue_stages
from webapp.services.geo import bounding_box, distance_km


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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_venue_ids(filters: VenueFilters) -> sa.Select:
    """A SELECT of venue id, lat, lng narrowed by every filter except the distance itself."""
    stmt = sa.select(Venue.id, Venue.lat, Venue.lng)
    if filters.q:
        text = filters.q.lower().strip()
        # 'jin ci' typed with a space still finds 'jinci'
        variants = {text, "".join(text.split())}
        stmt = stmt.where(
            sa.or_(*(Venue.search_text.like(f"%{_escape_like(v)}%", escape="\\") for v in variants))
        )
    if filters.categories:
        stmt = stmt.where(
            sa.exists().where(
                venue_categories.c.venue_id == Venue.id,
                venue_categories.c.category.in_(filters.categories),
            )
        )
    if filters.county is not None:
        stmt = stmt.where(Venue.county_id == filters.county.id)
    elif filters.city is not None:
        stmt = stmt.where(Venue.city_id == filters.city.id)
    if filters.stage is not None:
        stmt = stmt.where(
            sa.exists().where(
                venue_stages.c.venue_id == Venue.id, venue_stages.c.stage == filters.stage
            )
        )
    if filters.is_free:
        stmt = stmt.where(Venue.is_free_for_children.is_(True))
    if filters.is_accessible:
        stmt = stmt.where(Venue.is_accessible.is_(True))
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
        from webapp.services.availability import has_places_on_clause

        stmt = stmt.where(has_places_on_clause(filters.places_on))
    if filters.near is not None:
        min_lat, max_lat, min_lng, max_lng = bounding_box(*filters.near, filters.radius_km)
        stmt = stmt.where(Venue.lat.between(min_lat, max_lat), Venue.lng.between(min_lng, max_lng))
    return stmt


def _load_venues(ids: list[int]) -> dict[int, Venue]:
    if not ids:
        return {}
    venues = db.session.scalars(
        sa.select(Venue)
        .where(Venue.id.in_(ids))
        .options(
            joinedload(Venue.county),
            joinedload(Venue.city),
            selectinload(Venue.admission_rules),
        )
    ).all()
    return {v.id: v for v in venues}


def search_venues(filters: VenueFilters, *, page: int = 1, per_page: int = 20) -> VenuePage:
    """One page of the venues that match `filters`.

    Rules: with `near`, only venues within `radius_km` count, nearest first, and each hit
    carries its distance; the bounding box is applied in SQL first so distances are computed
    for the few venues inside it. Without `near`, venues are ordered by pinyin name.
    """
    ids_stmt = filtered_venue_ids(filters)
    if filters.near is not None:
        rows = db.session.execute(ids_stmt).all()
        ranked = sorted((distance_km(filters.near, (lat, lng)), vid) for vid, lat, lng in rows)
        ranked = [(d, vid) for d, vid in ranked if d <= filters.radius_km]
        total = len(ranked)
        window = ranked[(page - 1) * per_page : page * per_page]
        venues = _load_venues([vid for _, vid in window])
        hits = [VenueHit(venues[vid], round(d, 2)) for d, vid in window if vid in venues]
        return VenuePage(hits, total, page, per_page)

    sub = ids_stmt.subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(sub))
    page_ids = db.session.scalars(
        sa.select(Venue.id)
        .where(Venue.id.in_(sa.select(sub.c.id)))
        .order_by(Venue.name_pinyin, Venue.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    venues = _load_venues(list(page_ids))
    return VenuePage([VenueHit(venues[i]) for i in page_ids if i in venues], total, page, per_page)


def list_map_points(filters: VenueFilters) -> list[tuple[int, float, float, str]]:
    """(id, lat, lng, first category) of every matching venue, for client-side clustering."""
    sub = filtered_venue_ids(filters).subquery()
    first_category = (
        sa.select(sa.func.min(venue_categories.c.category))
        .where(venue_categories.c.venue_id == sub.c.id)
        .scalar_subquery()
    )
    rows = db.session.execute(sa.select(sub.c.id, sub.c.lat, sub.c.lng, first_category)).all()
    if filters.near is not None:
        rows = [r for r in rows if distance_km(filters.near, (r[1], r[2])) <= filters.radius_km]
    return [(vid, lat, lng, category or "") for vid, lat, lng, category in rows]


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


def get_region(adcode: str, level: RegionLevel) -> Region | None:
    return db.session.scalar(
        sa.select(Region).where(Region.adcode == adcode, Region.level == level)
    )

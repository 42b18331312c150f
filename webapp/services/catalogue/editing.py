"""Keeping the catalogue true: venue staff edit their venue's page, bureau staff add venues to
their region and edit them.

The values and their rules are `venue_values`; this module decides who may write them, gives a
new venue its slug, keeps closed dates and calls off the days newly closed. Every change is
audited, and every flush bumps the catalogue cache version, so the list page shows the change
at once.
"""

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from pypinyin import lazy_pinyin

from models import Region, User, Venue, VenueClosure, db
from models.user import utcnow
from webapp.i18n import region_label
from webapp.services import like, permissions
from webapp.services.audit import record_change
from webapp.services.booking import closures
from webapp.services.catalogue.venue_values import (
    AdmissionValue,
    ClosureValue,
    CourseValue,
    HoursValue,
    VenueValues,
    apply_venue_values,
    check_venue_values,
)
from webapp.services.clock import local_date
from webapp.services.errors import PermissionDenied
from webapp.services.transactions import unit_of_work


def get_venue_values(venue: Venue) -> VenueValues:
    """A venue's current values, as an edit form starts from them.

    Approximate coordinates (a county centroid) are left out, so saving the form unchanged
    places the venue from its address again instead of marking the centroid exact.
    """
    exact = not venue.is_location_approximate
    return VenueValues(
        name=venue.name,
        name_en=venue.name_en,
        address=venue.address,
        categories=list(venue.categories),
        level=venue.level,
        county=venue.county,
        lat=venue.lat if exact else None,
        lng=venue.lng if exact else None,
        phone=venue.phone,
        description=venue.description,
        transport=venue.transport,
        is_accessible=venue.is_accessible,
        accessibility=venue.accessibility,
        stages=list(venue.stages),
        hours=[HoursValue(h.weekday, h.opens_at, h.closes_at) for h in venue.opening_hours],
        admission=[
            AdmissionValue(r.visitor_group, r.kind, r.price_yuan) for r in venue.admission_rules
        ],
        closures=[ClosureValue(c.closed_on, c.reason) for c in venue.closures],
        courses=[CourseValue(c.title, c.minutes, c.stages, c.description) for c in venue.courses],
    )


# ---------------------------------------------------------------- writing


def slug_for(name: str) -> str:
    """A free slug from the name's pinyin: 晋祠博物馆 → 'jincibowuguan' (then '-2', '-3' …)."""
    spelled = "".join(lazy_pinyin(name, errors="default")).lower()
    base = re.sub(r"[^a-z0-9]+", "-", spelled).strip("-")[:100] or "venue"
    taken = set(
        db.session.scalars(
            sa.select(Venue.slug).where(
                sa.or_(Venue.slug == base, like.starts_with(Venue.slug, f"{base}-"))
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def write_venue(venue: Venue, values: dict) -> None:
    closures = values.pop("closures")
    # No autoflush: a half-written new venue must not be flushed while its city is looked up.
    with db.session.no_autoflush:
        apply_venue_values(venue, values)
        by_day = {c.closed_on: c for c in venue.closures}
        kept = []
        for day, reason in closures:
            # kept rows are updated in place: deleting and re-adding a date in one flush
            # would trip the unique constraint, as inserts run before deletes
            row = by_day.get(day) or VenueClosure(closed_on=day)
            row.reason = reason
            kept.append(row)
        venue.closures = kept


def venue_snapshot(venue: Venue) -> dict:
    return {
        "name": venue.name,
        "name_en": venue.name_en,
        "address": venue.address,
        "county": venue.county.name if venue.county else None,
        "lat": venue.lat,
        "lng": venue.lng,
        "approximate": venue.is_location_approximate,
        "level": venue.level.value if venue.level else None,
        "categories": ",".join(c.value for c in venue.categories),
        "stages": ",".join(s.value for s in venue.stages),
        "phone": venue.phone,
        "accessible": venue.is_accessible,
        "hours": "; ".join(
            f"{h.weekday} {h.opens_at:%H:%M}-{h.closes_at:%H:%M}" for h in venue.opening_hours
        ),
        "admission": "; ".join(
            f"{r.visitor_group.value} {r.kind.value} {r.price_yuan}"
            for r in sorted(venue.admission_rules, key=lambda r: r.visitor_group.value)
        ),
        "closures": ", ".join(c.closed_on.isoformat() for c in venue.closures),
        "courses": " | ".join(c.title for c in venue.courses),
    }


def venue_unit_of_work():
    return unit_of_work(
        conflict_message=_("Someone else changed this venue at the same time. Please try again.")
    )


def _require_county(by: User, county: Region, venue: Venue | None) -> None:
    """Bureau staff place a venue only in a county they manage; a venue's own staff may move
    it to wherever it really is."""
    if venue is not None and venue.id in permissions.venue_ids_of(by):
        return
    if not permissions.can(by, "region.manage", county):
        raise PermissionDenied(
            _(
                "County: %(county)s is outside the region you look after.",
                county=region_label(county),
            ),
            field="county",
        )


def create_venue(values: VenueValues, *, by: User, now: datetime | None = None) -> Venue:
    """Add a venue to the catalogue; audited.

    Rules: only bureau staff (in the venue's county) and administrators add venues. The county
    is the one chosen, else matched offline from the address. Coordinates are the typed
    WGS-84 point inside Shanxi (exact), else the geocoder's answer when one is configured and
    reachable (exact), else the county centroid (approximate). The slug is made from the
    name's pinyin and is unique. At least one category; prices are whole yuan, 0 or more;
    closing after opening; closed dates not already past.

    Raises:
        PermissionDenied: `by` is not bureau staff, or the county is outside their scope.
        ServiceError: a value breaks a rule; `field` names the form field.
        Busy: the database stayed locked.
    """
    now = now or utcnow()
    with venue_unit_of_work():
        permissions.require(by, "bureau.console")
        name = (values.name or "").strip()
        checked = check_venue_values(
            values, None, slug=slug_for(name) if name else "", today=local_date(now)
        )
        _require_county(by, checked["county"], None)
        venue = Venue()
        write_venue(venue, checked)
        db.session.add(venue)
        db.session.flush()
        record_change(by, "venue.create", venue, after=venue_snapshot(venue), now=now)
    return venue


def update_venue(
    venue: Venue, values: VenueValues, *, by: User, now: datetime | None = None
) -> Venue:
    """Change a venue's page; audited.

    Rules: its venue staff and bureau staff whose scope covers it may edit it. Moving it to
    another county needs that county in a bureau user's scope (its own staff may move it).
    The county, coordinates and the other values follow the rules of `create_venue`; the
    slug stays. Closed dates already past are kept when listed, and new ones must not be past;
    a new closed date calls that day off (`closures.call_off_day`): its bookings are
    cancelled with the date's reason and the bookers and people waiting are told.

    Raises:
        PermissionDenied: `by` may not edit this venue or move it to that county.
        ServiceError: a value breaks a rule; `field` names the form field.
        Busy: the database stayed locked.
    """
    now = now or utcnow()
    with venue_unit_of_work():
        permissions.require(by, "venue.edit", venue)
        before = venue_snapshot(venue)
        checked = check_venue_values(values, venue, slug=venue.slug, today=local_date(now))
        if checked["county"].id != venue.county_id:
            _require_county(by, checked["county"], venue)
        was_closed = {c.closed_on for c in venue.closures}
        write_venue(venue, checked)
        db.session.flush()
        closures.call_off_new_closures(
            venue, {c.closed_on for c in venue.closures} - was_closed, now=now
        )
        record_change(
            by, "venue.update", venue, before=before, after=venue_snapshot(venue), now=now
        )
    return venue


def search_managed_venues(
    *, by: User, county_id: int | None = None, text: str = "", page: int = 1, per_page: int = 50
):
    """Venues in `by`'s bureau scope, optionally in one county or matching a name fragment.

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    permissions.require(by, "bureau.console")
    query = (
        sa.select(Venue)
        .where(permissions.scope_clause(by, Venue.county_id))
        .order_by(Venue.county_id, Venue.name_pinyin, Venue.id)
    )
    if county_id:
        query = query.where(Venue.county_id == county_id)
    if text.strip():
        query = query.where(like.contains(Venue.search_text, text.strip().lower()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

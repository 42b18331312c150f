"""Reading the rows of a venue import into the values venue pages save, with every problem.

Each row becomes a `venue_values.VenueValues` (starting from the matched venue's own values,
so an empty cell keeps what the venue has) and is checked by `venue_admin`'s rules; what is
wrong is reported as (line, column key, message) in the user's language.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Region, RegionLevel, Stage, Venue, db
from webapp.i18n import region_label
from webapp.labels import VISITOR_GROUP_LABELS
from webapp.services import permissions
from webapp.services.catalogue import editing as venue_admin
from webapp.services.catalogue import venue_import_sheet as sheet
from webapp.services.catalogue import venue_values
from webapp.services.catalogue.venue_values import check_venue_values
from webapp.services.errors import ServiceError
from webapp.services.geo import match_county

#: (line, column key or "", message)
RowProblem = tuple[int, str, str]


@dataclass
class ParsedRow:
    line: int
    #: the existing venue of the same name and county, or None for a new one
    venue: Venue | None
    #: what `venue_admin` writes (its checked values)
    checked: dict
    #: (field label, before, after) for an existing venue
    changes: list[tuple[str, str, str]] = field(default_factory=list)


class _Counties:
    """Counties by the names bureaus write: 小店区, 小店, 太原市小店区."""

    def __init__(self):
        counties = db.session.scalars(
            sa.select(Region).where(Region.level == RegionLevel.COUNTY)
        ).all()
        self.names: dict[str, list[Region]] = {}
        for county in counties:
            own = _short(county.name)
            names = set(own)
            if county.parent is not None:
                names.update(city + n for city in _short(county.parent.name) for n in own)
            for name in names:
                self.names.setdefault(name, []).append(county)

    def find(self, county: str, city: str) -> list[Region]:
        found = self.names.get(county.replace(" ", ""), [])
        if len(found) > 1 and city:
            in_city = [c for c in found if c.parent and city in _short(c.parent.name)]
            found = in_city or found
        return found


def _short(name: str) -> list[str]:
    for suffix in ("自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return [name, name[: -len(suffix)]]
    return [name]


def _find_header(rows) -> tuple[int, dict[str, int]] | None:
    wanted = {sheet.cell_text(c.header): c.key for c in sheet.READ_COLUMNS}
    for line, cells in rows:
        headers = [sheet.cell_text(v).rstrip("*").strip() for v in cells]
        if sheet.cell_text("名称") in headers:
            return line, {wanted[h]: i for i, h in enumerate(headers) if h in wanted}
    return None


def _facts(values: dict) -> dict[str, str]:
    """The comparable, readable form of a venue's values, for the preview's changes."""
    admission = values["admission"]
    return {
        _("Venue name"): values["name"],
        _("Name in English"): values["name_en"],
        _("Categories"): "、".join(sorted(c.value for c in values["categories"])),
        _("Level"): values["level"].value,
        _("County"): region_label(values["county"]),
        _("Address"): values["address"],
        _("Coordinates"): f"{values['lat']:.6f}, {values['lng']:.6f}"
        + (" ~" if values["is_location_approximate"] else ""),
        _("Phone"): values["phone"],
        _("Suited to"): "、".join(s.value for s in Stage if s in values["stages"]),
        _("Admission"): "；".join(
            f"{VISITOR_GROUP_LABELS[g]} {k.value} {p if p is not None else ''}".strip()
            for g, (k, p) in sorted(admission.items(), key=lambda item: item[0].value)
        ),
        _("Opening hours"): "；".join(
            f"{d} {o:%H:%M}-{c:%H:%M}" for d, o, c in sorted(values["hours"])
        ),
        _("Courses"): "、".join(c[0] for c in values["courses"]),
        _("Barrier-free access"): _("yes") if values["is_accessible"] else _("no"),
        _("Accessibility"): values["accessibility"],
        _("Description"): values["description"],
        _("How to get there"): values["transport"],
    }


def _current(venue: Venue) -> dict:
    """A venue's stored values in the shape `venue_admin` checks them into."""
    return {
        "name": venue.name,
        "name_en": venue.name_en,
        "categories": venue.categories,
        "level": venue.level,
        "county": venue.county,
        "address": venue.address,
        "lat": venue.lat,
        "lng": venue.lng,
        "is_location_approximate": venue.is_location_approximate,
        "phone": venue.phone,
        "stages": venue.stages,
        "admission": {r.visitor_group: (r.kind, r.price_yuan) for r in venue.admission_rules},
        "hours": [(h.weekday, h.opens_at, h.closes_at) for h in venue.opening_hours],
        "courses": [(c.title,) for c in venue.courses],
        "is_accessible": venue.is_accessible,
        "accessibility": venue.accessibility,
        "description": venue.description,
        "transport": venue.transport,
    }


class _RowReader:
    """Turns one line into VenueValues, noting each problem against its column."""

    def __init__(self, positions: dict[str, int], counties: _Counties, by):
        self.positions, self.counties, self.by = positions, counties, by
        self.categories = sheet.category_words()
        self.levels = sheet.level_words()
        self.stages = sheet.stage_words()

    def read(self, line: int, cells: list, venues: dict, problems: list) -> tuple:
        def cell(key: str) -> str:
            index = self.positions.get(key)
            return sheet.cell_text(cells[index]) if index is not None and index < len(cells) else ""

        def problem(key: str, message: str) -> None:
            problems.append((line, key, message))

        name, address = cell("name"), cell("address")
        for key in ("name", "categories", "level", "address"):
            if not cell(key):
                problem(key, _("Please fill in: %(field)s.", field=sheet.BY_KEY[key].header))
        county = self._county(cell("county"), cell("city"), address, problem)
        venue = venues.get((name, county.id)) if county is not None and name else None
        values = venue_admin.get_venue_values(venue) if venue else self._blank(name, address)
        values.name, values.county = name or values.name, county
        values.address = address or values.address
        self._choices(cell, problem, values)
        self._admission(cell, problem, values)
        self._details(cell, problem, values, venue)
        return county, venue, values

    def _county(self, text: str, city: str, address: str, problem) -> Region | None:
        if not text:
            county = match_county(address) if address else None
            if county is None:
                problem("county", _("Write the county (区、县、市): the address names none."))
        else:
            found = self.counties.find(text, city)
            if not found:
                problem("county", _("Unknown county: “%(name)s”.", name=text))
                return None
            if len(found) > 1:
                problem(
                    "county",
                    _("“%(name)s” is the name of several counties: write the city too.", name=text),
                )
                return None
            county = found[0]
        if county is not None and not permissions.can(self.by, "region.manage", county):
            problem(
                "county",
                _("“%(name)s” is outside the region you look after.", name=region_label(county)),
            )
            return None
        return county

    @staticmethod
    def _blank(name: str, address: str) -> venue_values.VenueValues:
        return venue_values.VenueValues(name=name, address=address, categories=[], level=None)

    def _choices(self, cell, problem, values) -> None:
        for key, known, message in (
            ("categories", self.categories, _("Unknown category: “%(name)s”.")),
            ("stages", self.stages, _("Unknown stage: “%(name)s”.")),
        ):
            if cell(key):
                found, bad = sheet.parse_choices(cell(key), known, message)
                setattr(values, key, found)
                for text in bad:
                    problem(key, text)
        if cell("level"):
            level = self.levels.get(cell("level"))
            if level is None:
                problem("level", _("Unknown level: “%(name)s”.", name=cell("level")))
            values.level = level or values.level
        if cell("courses"):
            kept = {c.title: c for c in values.courses}
            values.courses = [
                kept.get(title) or venue_values.CourseValue(title)
                for title in sheet.words(cell("courses"))
            ]

    def _admission(self, cell, problem, values) -> None:
        rules = {a.group: a for a in values.admission}
        if cell("admission"):
            try:
                policy = sheet.parse_admission_policy(cell("admission"))
            except ValueError:
                example = "小学生：免费；陪同成人：全价 60元"
                problem(
                    "admission",
                    _("Write the admission policy as the list does: %(example)s.", example=example),
                )
            else:
                # the list's cell is the whole policy: a group it leaves out has no rule
                rules = {
                    group: venue_values.AdmissionValue(group, *rule)
                    for group, rule in (policy or {}).items()
                }
        # a column of its own for a group says more than the list's one cell
        for group in VISITOR_GROUP_LABELS:
            key = f"admission.{group.value}"
            if not cell(key):
                continue
            try:
                parsed = sheet.parse_admission(cell(key))
            except ValueError:
                problem(key, _("Write 免费, 优惠 10 or 全价 60 (yuan)."))
                continue
            rules[group] = venue_values.AdmissionValue(group, *parsed)
        values.admission = list(rules.values())

    def _details(self, cell, problem, values, venue) -> None:
        if cell("hours"):
            try:
                hours = sheet.parse_hours(cell("hours"))
            except ValueError:
                problem("hours", _("Write the opening hours as 周二至周日 09:00-17:00."))
            else:
                values.hours = [venue_values.HoursValue(d, o, c) for d, o, c in hours]
        if cell("accessible"):
            try:
                values.is_accessible, details = sheet.parse_yes_no(cell("accessible"))
            except ValueError:
                problem("accessible", _("Write 是 (yes) or 否 (no)."))
            else:
                values.accessibility = details or values.accessibility
        for key in ("phone", "name_en", "description", "transport", "accessibility"):
            if cell(key):
                setattr(values, key, cell(key))
        coordinates = {}
        for key in ("lat", "lng"):
            if cell(key):
                try:
                    coordinates[key] = sheet.parse_number(cell(key))
                except ValueError:
                    problem(key, _("“%(text)s” is not a number.", text=cell(key)))
        if coordinates:
            values.lat, values.lng = coordinates.get("lat"), coordinates.get("lng")
        elif venue is not None and values.address != venue.address:
            # the old point was for the old address
            values.lat = values.lng = None


def _existing(names: set[str]) -> dict[tuple[str, int], Venue]:
    found = {}
    for venue in db.session.scalars(sa.select(Venue).where(Venue.name.in_(names))):
        found.setdefault((venue.name, venue.county_id), venue)
    return found


def _check_row(line, county, venue, values, *, today, problems) -> ParsedRow | None:
    placed_offline = values.lat is None and values.lng is None
    if placed_offline and county is not None:
        # the county's centre, marked approximate below: no online geocoder is asked
        values.lat, values.lng = county.lat, county.lng
    try:
        checked = check_venue_values(values, venue, slug=venue.slug if venue else "", today=today)
    except ServiceError as error:
        problems.append((line, sheet.field_column(error), error.message))
        return None
    if placed_offline:
        checked["is_location_approximate"] = True
    changes = []
    if venue is not None:
        before, after = _facts(_current(venue)), _facts(checked)
        changes = [
            (label, before[label], after[label]) for label in after if before[label] != after[label]
        ]
    return ParsedRow(line, venue, checked, changes)


def parse_rows(rows, *, by, today: date, max_rows: int, max_header_line: int):
    """(parsed rows, problems, header positions) for the rows of an import file.

    A row with any problem is not parsed; the caller rejects the file when problems exist.
    """
    header = _find_header(rows[:max_header_line])
    if header is None:
        return [], [(1, "name", _("No header row with a “名称” (name) column was found."))], {}
    header_line, positions = header
    problems: list[RowProblem] = [
        (header_line, c.key, _("The column is missing."))
        for c in sheet.COLUMNS
        if c.key in ("name", "categories", "level", "address") and c.key not in positions
    ]
    data = [(n, r) for n, r in rows if n > header_line and any(sheet.cell_text(v) for v in r)]
    if problems or not data:
        return [], problems or [(header_line, "", _("The file has no venues in it."))], positions
    if len(data) > max_rows:
        return (
            [],
            [(header_line, "", _("At most %(n)s venues in one file.", n=max_rows))],
            positions,
        )
    reader = _RowReader(positions, _Counties(), by)
    name_index = positions["name"]
    names = {sheet.cell_text(r[name_index]) for _n, r in data if name_index < len(r)}
    venues = _existing(names - {""})
    parsed, seen = [], {}
    for line, cells in data:
        row_problems: list[RowProblem] = []
        county, venue, values = reader.read(line, cells, venues, row_problems)
        if county is not None and values.name:
            key = (values.name, county.id)
            if key in seen:
                row_problems.append(
                    (line, "name", _("This venue is already on line %(line)s.", line=seen[key]))
                )
            seen.setdefault(key, line)
        if not row_problems:
            row = _check_row(line, county, venue, values, today=today, problems=row_problems)
            if row is not None:
                parsed.append(row)
        problems.extend(row_problems)
    return parsed, problems, positions

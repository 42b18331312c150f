"""Open data in the Open Referral layout (HSDS 3.0), so other directories can take it in.

Each venue is one HSDS service, shaped as HSDS 3.0's API returns a full service: its
organization (the venue as the body that runs it), one service-at-location with the venue's
location (address, WGS-84 point, accessibility, opening hours as weekly schedules), the bookable
sessions of the weekly timetable as the service's schedules, eligibility by school stage and
age, the admission policy as cost options, and the language spoken. The file is HSDS's paged
list with every service on its one page, written a batch at a time (see `open_data`).

Identifiers are UUIDs derived from the venue's id, so a venue keeps its ids from one export to
the next and a directory taking the file in can update instead of duplicating.
"""

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import force_locale

from models import Region, Stage, TimetableEntry, Venue, db
from webapp.labels import (
    ADMISSION_LABELS,
    CATEGORY_LABELS,
    STAGE_LABELS,
    VISITOR_GROUP_LABELS,
    WEEKDAY_LABELS,
)
from webapp.services.catalogue.export import admission_text
from webapp.services.catalogue.open_data import VenueUrl, count_venues, iter_venues

#: fixed, so ids stay the same from one export to the next
NAMESPACE = uuid.UUID("5f0c6f0e-4a59-4f4e-9a57-0b1d3c5e7a11")
#: the venues' zone (Asia/Shanghai) as the UTC offset HSDS schedules take
UTC_OFFSET = 8
ICAL_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
#: the ages a school stage covers, for HSDS's minimum and maximum age
STAGE_AGES = {
    Stage.PRESCHOOL: (3, 6),
    Stage.PRIMARY: (6, 12),
    Stage.JUNIOR: (12, 15),
    Stage.SENIOR: (15, 18),
}


#: the site's venue categories as an HSDS taxonomy, one term a category
TAXONOMY = {
    "id": str(uuid.uuid5(NAMESPACE, "taxonomy:venue-category")),
    "name": "社会实践教育基地类别",
    "description": "山西省社会实践教育基地资源目录的场馆类别（博物馆、纪念馆、科技馆等）。",
    "version": "1",
}
#: a postal code the address writes after 邮编 or 邮政编码, or a Shanxi one (03xxxx, 04xxxx)
#: standing alone (not part of a longer number such as a phone)
_MARKED_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})(?!\d)")
_SHANXI_POSTCODE = re.compile(r"(?<!\d)(0[34]\d{4})(?!\d)")


def postal_code(address: str) -> str:
    """The postal code an address writes, else "" (HSDS requires the key, not a value)."""
    found = _MARKED_POSTCODE.search(address or "") or _SHANXI_POSTCODE.search(address or "")
    return found.group(1) if found else ""


def _attributes(venue: Venue, service_id: str) -> list[dict]:
    attributes = []
    for category in venue.categories:
        term_id = _id("category", category.value)
        attributes.append(
            {
                "id": _id("attribute", venue.id, category.value),
                "link_id": service_id,
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term_id": term_id,
                "taxonomy_term": {
                    "id": term_id,
                    "code": category.value,
                    "name": str(CATEGORY_LABELS[category]),
                    "description": f"场馆类别：{CATEGORY_LABELS[category]}",
                    "taxonomy": TAXONOMY["name"],
                    "taxonomy_id": TAXONOMY["id"],
                    "taxonomy_detail": TAXONOMY,
                    "language": "zh",
                },
            }
        )
    return attributes


def _id(kind: str, *key) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *map(str, key)])))


def _time(value) -> str:
    return f"{value:%H:%M}+{UTC_OFFSET:02d}:00"


def _weekly(id_: str, owner: dict, weekday: int, opens, closes, description: str) -> dict:
    return {
        "id": id_,
        **owner,
        "freq": "WEEKLY",
        "interval": 1,
        "wkst": "MO",
        "byday": ICAL_DAYS[weekday],
        "opens_at": _time(opens),
        "closes_at": _time(closes),
        "timezone": UTC_OFFSET,
        "description": description,
    }


def _language(kind: str, venue: Venue, owner: dict) -> dict:
    return {"id": _id(kind, venue.id), **owner, "name": "中文（普通话）", "code": "zh"}


def _location(venue: Venue, location_id: str, organization_id: str) -> dict:
    owner = {"location_id": location_id}
    accessible = "有无障碍设施" if venue.is_accessible else "未说明无障碍设施"
    return {
        "id": location_id,
        "location_type": "physical",
        "organization_id": organization_id,
        "name": venue.name,
        **({"alternate_name": venue.name_en} if venue.name_en else {}),
        "transportation": venue.transport,
        "latitude": round(venue.lat, 6),
        "longitude": round(venue.lng, 6),
        "external_identifier": venue.county.adcode,
        "external_identifier_type": "GB/T 2260 county code",
        "addresses": [
            {
                "id": _id("address", venue.id),
                **owner,
                "address_1": venue.address,
                "city": venue.city.name,
                "region": venue.county.name,
                "state_province": "山西省",
                "postal_code": postal_code(venue.address),
                "country": "CN",
                "address_type": "physical",
            }
        ],
        "accessibility": [
            {
                "id": _id("accessibility", venue.id),
                **owner,
                "description": accessible,
                "details": venue.accessibility,
            }
        ],
        "schedules": [
            _weekly(
                _id("opening", venue.id, h.id),
                owner,
                h.weekday,
                h.opens_at,
                h.closes_at,
                f"开放时间：{WEEKDAY_LABELS[h.weekday]} {h.opens_at:%H:%M}–{h.closes_at:%H:%M}",
            )
            for h in venue.opening_hours
        ],
        "languages": [_language("location-language", venue, owner)],
    }


def _eligibility(venue: Venue) -> dict:
    stages = venue.stages
    if not stages:
        return {"eligibility_description": "面向各学段学生及家庭"}
    ages = [STAGE_AGES[s] for s in stages]
    return {
        "eligibility_description": "适合学段：" + "、".join(str(STAGE_LABELS[s]) for s in stages),
        "minimum_age": min(a for a, _b in ages),
        "maximum_age": max(b for _a, b in ages),
    }


def service_of(venue: Venue, timetable: list[TimetableEntry], *, venue_url: VenueUrl) -> dict:
    """One venue as a full HSDS 3.0 service."""
    service_id = _id("service", venue.id)
    organization_id = _id("organization", venue.id)
    location_id = _id("location", venue.id)
    owner = {"service_id": service_id}
    categories = "、".join(str(CATEGORY_LABELS[c]) for c in venue.categories)
    courses = "、".join(c.title for c in venue.courses)
    description = "；".join(
        part
        for part in (venue.description, f"类别：{categories}", courses and f"课程：{courses}")
        if part
    )
    url = venue_url(venue)
    return {
        "id": service_id,
        "organization_id": organization_id,
        "name": venue.name,
        **({"alternate_name": venue.name_en} if venue.name_en else {}),
        "description": description,
        "url": url,
        "status": "active",
        "application_process": f"在网上预约参观：{url}",
        "fees_description": admission_text(venue),
        **_eligibility(venue),
        "phones": [{"id": _id("phone", venue.id), **owner, "number": venue.phone, "type": "voice"}]
        if venue.phone
        else [],
        "schedules": [
            _weekly(
                _id("session", venue.id, e.id),
                owner,
                e.weekday,
                e.start_time,
                e.end_time,
                f"每周{WEEKDAY_LABELS[e.weekday]}参观场次，限 {e.capacity} 人，"
                f"其中绿色通道 {e.green_quota} 人",
            )
            for e in timetable
        ],
        "languages": [_language("service-language", venue, owner)],
        "attributes": _attributes(venue, service_id),
        "cost_options": [
            {
                "id": _id("cost", venue.id, rule.visitor_group.value),
                **owner,
                "option": str(VISITOR_GROUP_LABELS[rule.visitor_group]),
                "currency": "CNY",
                "amount": 0 if rule.is_free else rule.price_yuan or 0,
                "amount_description": str(ADMISSION_LABELS[rule.kind]),
            }
            for rule in sorted(
                venue.admission_rules,
                key=lambda r: list(VISITOR_GROUP_LABELS).index(r.visitor_group),
            )
        ],
        "service_at_locations": [
            {
                "id": _id("service-at-location", venue.id),
                "service_id": service_id,
                "location_id": location_id,
                "location": _location(venue, location_id, organization_id),
            }
        ],
        "organization": {
            "id": organization_id,
            "name": venue.name,
            "description": venue.description or f"{venue.name}（{categories}）",
            "website": url,
        },
    }


def _timetables(venues: list[Venue]) -> dict[int, list[TimetableEntry]]:
    found = defaultdict(list)
    rows = db.session.scalars(
        sa.select(TimetableEntry)
        .where(TimetableEntry.venue_id.in_([v.id for v in venues]))
        .order_by(TimetableEntry.weekday, TimetableEntry.start_time)
    )
    for entry in rows:
        found[entry.venue_id].append(entry)
    return found


def iter_hsds(region: Region | None, *, venue_url: VenueUrl) -> Iterator[str]:
    """The HSDS paged list of `region`'s services (all of Shanxi when None), in pieces."""
    total = count_venues(region)
    head = {
        "total_items": total,
        "total_pages": 1,
        "page_number": 1,
        "size": total,
        "first_page": True,
        "last_page": True,
        "empty": total == 0,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',"contents":['
    first = True
    with force_locale("zh"):
        for venues in iter_venues(region):
            timetable = _timetables(venues)
            parts = [
                json.dumps(
                    service_of(v, timetable.get(v.id, []), venue_url=venue_url),
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for v in venues
            ]
            if parts:
                yield ("" if first else ",") + ",".join(parts)
                first = False
            for entries in timetable.values():
                for entry in entries:
                    db.session.expunge(entry)
    yield "]}"

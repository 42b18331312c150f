"""Keeping the pool: adding and changing lecturers (their photo included) and retiring them."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from models import Lecturer, LecturerCategory, Region, RegionLevel, Topic, db
from webapp.services import images
from webapp.services import text as text_rules
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.geo import place_address
from webapp.services.lecturers.pools import ensure_pool, pool_name
from webapp.services.permissions import can
from webapp.services.transactions import unit_of_work

PHOTO_MAX_BYTES = images.MAX_UPLOAD_BYTES
#: a portrait on a lecturer's page is never shown larger
PHOTO_MAX_SIDE = 800


@dataclass
class LecturerValues:
    name: str
    pool_region: Region
    category: LecturerCategory
    phone: str
    topics: list[Topic] = field(default_factory=list)
    bio: str = ""
    term_starts_on: date | None = None
    term_ends_on: date | None = None
    free_weekdays: list[int] = field(default_factory=list)
    address: str = ""
    #: the uploaded file, as sent, to replace the photo; None keeps it
    photo: bytes | None = None
    remove_photo: bool = False


def prepare_photo(data: bytes) -> images.StoredImage:
    """An uploaded photo made fit to store and show publicly.

    Rules: JPEG, PNG or WebP by content, not by file name; not empty; within the pixel and
    size bounds of services/images; re-encoded at most PHOTO_MAX_SIDE pixels on its longest
    side, without its metadata.
    Raises: ServiceError naming the field `photo`.
    """
    return images.prepare_image(data, field="photo", max_side=PHOTO_MAX_SIDE)


def _check_values(values: LecturerValues) -> None:
    if not text_rules.normalise(values.name):
        raise ServiceError(_("Give the lecturer's name."), field="name")
    if not text_rules.normalise(values.phone):
        raise ServiceError(_("Give the lecturer's phone number."), field="phone")
    text_rules.clean_line(values.name, field="name", max_length=60)
    text_rules.clean_line(values.address, field="address", max_length=200)
    text_rules.clean_phone(values.phone, field="phone")
    if (
        values.term_starts_on
        and values.term_ends_on
        and values.term_ends_on < values.term_starts_on
    ):
        raise ServiceError(_("The term cannot end before it starts."), field="term_ends_on")
    if any(d not in range(1, 8) for d in values.free_weekdays):
        raise ServiceError(_("Weekdays run from Monday to Sunday."), field="free_weekdays")


def apply_values(
    lecturer: Lecturer, values: LecturerValues, photo: images.StoredImage | None = None
) -> None:
    """Set a lecturer from checked values, in the pool of `values.pool_region` (made on first
    use), placed at the address when it can be placed, else at the region's centre. Flushes
    only: for callers' units of work (saving one lecturer, importing a roster)."""
    # half-filled rows must not be flushed by the lookups below
    with db.session.no_autoflush:
        _set_values(lecturer, values, photo)


def _set_values(
    lecturer: Lecturer, values: LecturerValues, photo: images.StoredImage | None
) -> None:
    pool = ensure_pool(values.pool_region)
    lecturer.pool = pool
    lecturer.name = text_rules.normalise(values.name)
    lecturer.category = values.category
    lecturer.phone = text_rules.clean_phone(values.phone)
    lecturer.topics = list(values.topics)
    lecturer.bio = values.bio.strip()
    lecturer.term_starts_on, lecturer.term_ends_on = values.term_starts_on, values.term_ends_on
    lecturer.free_weekdays = values.free_weekdays
    lecturer.address = text_rules.normalise(values.address)
    county = values.pool_region if values.pool_region.level is RegionLevel.COUNTY else None
    if lecturer.address:
        placed = place_address(lecturer.address, county)
        if placed.county is not None or not placed.is_approximate:
            lecturer.lat, lecturer.lng = placed.lat, placed.lng
        else:
            lecturer.lat, lecturer.lng = values.pool_region.lat, values.pool_region.lng
    else:
        lecturer.lat, lecturer.lng = values.pool_region.lat, values.pool_region.lng
    if values.remove_photo:
        lecturer.photo, lecturer.photo_type = None, ""
    if photo is not None:
        lecturer.photo, lecturer.photo_type = photo.data, photo.mime_type


def _duplicate_message(values: LecturerValues) -> str:
    return _(
        "%(name)s with this phone number is already in the %(pool)s.",
        name=values.name.strip(),
        pool=pool_name(values.pool_region),
    )


def save_lecturer(lecturer: Lecturer | None, values: LecturerValues, *, by) -> Lecturer:
    """Add a lecturer to a pool, or change one.

    Rules: the user must manage the region of the lecturer's pool (the old one and the new one
    when moving); a pool is made for the region on first use; the same name with the same
    phone cannot appear twice in one pool; coordinates come from the address when it can be
    placed, else from the pool's region.
    Raises: PermissionDenied; ServiceError naming the field at fault.
    """
    if lecturer is not None and not can(by, "lecturer.manage", lecturer):
        raise PermissionDenied(_("You cannot change lecturers of this pool."))
    if not can(by, "lecturer.manage", values.pool_region):
        raise PermissionDenied(_("You cannot add lecturers to this pool."))
    # decoded before the transaction opens: it takes CPU time, not the database
    photo = prepare_photo(values.photo) if values.photo is not None else None
    _check_values(values)
    with unit_of_work(conflict_message=_duplicate_message(values), conflict_field="name"):
        ensure_pool(values.pool_region)
        if lecturer is None:
            lecturer = Lecturer()
            db.session.add(lecturer)
        apply_values(lecturer, values, photo)
        db.session.flush()
    return lecturer


def retire_lecturer(lecturer: Lecturer, *, by, is_retired: bool = True) -> Lecturer:
    """Take a lecturer off the active list (or bring them back).

    Rules: bureau staff of the pool's region; a retired lecturer leaves the public directory
    and cannot be assigned; talks already assigned to them stay as they are for the bureau to
    reassign.
    Raises: PermissionDenied.
    """
    if not can(by, "lecturer.manage", lecturer):
        raise PermissionDenied(_("You cannot change lecturers of this pool."))
    with unit_of_work():
        lecturer.is_retired = is_retired
    return lecturer

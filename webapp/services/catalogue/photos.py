"""Venue photos: uploaded by the venue's staff (or bureau staff in scope), checked and re-encoded
by services/images, kept as files outside the database and listed in `venue_photos`.

A file is named by the SHA-256 of its stored bytes and lives in VENUE_PHOTO_DIR/<venue id>/:
two workers (or hosts sharing the directory) storing the same picture write the same name, a
name never changes its content (so browsers may cache it for good), and deleting a venue's
photo never touches another venue's file. The file is written before the row is committed
(atomically, through a temporary name) and removed only after the row's deletion commits, so
a row never points at a missing file; at worst an unlisted file stays behind.
"""

import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from models import User, Venue, VenuePhoto, db
from models.user import utcnow
from webapp.services import images, permissions
from webapp.services.audit import record_change
from webapp.services.catalogue.cache import note_catalogue_change
from webapp.services.errors import NotFound
from webapp.services.transactions import unit_of_work

#: photos one venue may keep
MAX_PHOTOS = 12
#: the longest side of a stored photo (a phone screen at twice its density, and a desk page)
PHOTO_MAX_SIDE = 1600
PHOTO_MAX_BYTES = images.MAX_UPLOAD_BYTES
_SUFFIXES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
FILE_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")


def upload_limit_bytes() -> int:
    """The largest photo file an upload may carry: the image and the request bounds both."""
    return min(PHOTO_MAX_BYTES, current_app.config["UPLOAD_MAX_CONTENT_LENGTH"])


def mime_type_of(file_name: str) -> str:
    suffix = file_name.rsplit(".", 1)[-1]
    return next(mime for mime, known in _SUFFIXES.items() if known == suffix)


def photo_dir(venue_id: int) -> Path:
    return Path(current_app.config["VENUE_PHOTO_DIR"]) / str(int(venue_id))


def photo_path(photo: VenuePhoto) -> Path:
    return photo_dir(photo.venue_id) / photo.file_name


def _photo_unit_of_work():
    return unit_of_work(
        conflict_message=_("This photo is already among the venue's photos."),
        conflict_field="photo",
    )


def _write_file(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` as directory/name atomically; the same name always holds the same bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.exists():
        return target
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _remove_unlisted(venue_id: int, name: str) -> None:
    """Remove a file no row of its venue lists any more (after a deletion or a failed add)."""
    listed = db.session.scalar(
        sa.select(sa.func.count(VenuePhoto.id)).where(
            VenuePhoto.venue_id == venue_id, VenuePhoto.file_name == name
        )
    )
    if not listed:
        (photo_dir(venue_id) / name).unlink(missing_ok=True)


def add_photo(venue: Venue, data: bytes, *, by: User, now: datetime | None = None) -> VenuePhoto:
    """Add an uploaded photo at the end of the venue's photos; audited.

    Rules: `by` may edit the venue (`venue.edit`). The upload must pass services/images
    (JPEG, PNG or WebP by content, within its byte and pixel bounds); only the re-encoded
    copy, at most PHOTO_MAX_SIDE on its longest side, is kept. At most MAX_PHOTOS per venue;
    the same picture twice is refused.
    Raises:
        PermissionDenied: `by` may not edit this venue.
        ImageError: the upload is not an image we take (field `photo`).
        ServiceError: too many photos, or this one is there already (field `photo`).
        Busy: the database stayed locked.
    """
    now = now or utcnow()
    permissions.require(by, "venue.edit", venue)
    stored = images.prepare_image(data, field="photo", max_side=PHOTO_MAX_SIDE)
    name = hashlib.sha256(stored.data).hexdigest() + "." + _SUFFIXES[stored.mime_type]
    _write_file(photo_dir(venue.id), name, stored.data)
    try:
        with _photo_unit_of_work():
            count, last = db.session.execute(
                sa.select(sa.func.count(VenuePhoto.id), sa.func.max(VenuePhoto.position)).where(
                    VenuePhoto.venue_id == venue.id
                )
            ).one()
            if count >= MAX_PHOTOS:
                raise images.ImageError(
                    _(
                        "A venue keeps at most %(n)d photos: delete one before adding another.",
                        n=MAX_PHOTOS,
                    ),
                    field="photo",
                )
            photo = VenuePhoto(
                venue_id=venue.id,
                file_name=name,
                position=(last + 1) if last is not None else 0,
                width=stored.width,
                height=stored.height,
                uploaded_by_id=by.id,
                uploaded_at=now,
            )
            db.session.add(photo)
            db.session.flush()
            record_change(
                by, "venue.photo_add", venue, after={"photo": name, "photos": count + 1}, now=now
            )
    except BaseException:
        _remove_unlisted(venue.id, name)
        raise
    # a concurrent failed add or a deletion of the same picture may have removed the file
    # between its writing and this commit: the committed row must find it
    _write_file(photo_dir(venue.id), name, stored.data)
    return photo


def _not_found() -> NotFound:
    return NotFound(_("This photo is not among the venue's photos (it may have been deleted)."))


def get_photo(venue: Venue, photo_id: int) -> VenuePhoto:
    """One of this venue's photos. Raises: NotFound (none, or another venue's)."""
    photo = db.session.get(VenuePhoto, photo_id)
    if photo is None or photo.venue_id != venue.id:
        raise _not_found()
    return photo


def delete_photo(venue: Venue, photo_id: int, *, by: User, now: datetime | None = None) -> None:
    """Delete one of the venue's photos, its file too; audited.

    Rules: `by` may edit the venue; the photo must be this venue's. The next photo becomes the
    first when the first is deleted.
    Raises: PermissionDenied, NotFound (not this venue's photo, or already deleted), Busy.
    """
    now = now or utcnow()
    permissions.require(by, "venue.edit", venue)
    with _photo_unit_of_work():
        photo = get_photo(venue, photo_id)
        name = photo.file_name
        deleted = db.session.execute(
            sa.delete(VenuePhoto).where(VenuePhoto.id == photo.id, VenuePhoto.venue_id == venue.id)
        )
        if deleted.rowcount != 1:
            raise _not_found()
        note_catalogue_change()
        record_change(by, "venue.photo_delete", venue, before={"photo": name}, now=now)
    db.session.expire(venue, ["photos"])
    _remove_unlisted(venue.id, name)


def make_photo_first(
    venue: Venue, photo_id: int, *, by: User, now: datetime | None = None
) -> VenuePhoto:
    """Put one of the venue's photos first (on the list, the map and its page); audited.

    Rules: `by` may edit the venue; the photo must be this venue's. It takes a position
    below every other photo of the venue, in one UPDATE.
    Raises: PermissionDenied, NotFound, Busy.
    """
    now = now or utcnow()
    permissions.require(by, "venue.edit", venue)
    with _photo_unit_of_work():
        photo = get_photo(venue, photo_id)
        lowest = (
            sa.select(sa.func.min(VenuePhoto.position))
            .where(VenuePhoto.venue_id == venue.id)
            .scalar_subquery()
        )
        moved = db.session.execute(
            sa.update(VenuePhoto)
            .where(VenuePhoto.id == photo.id, VenuePhoto.venue_id == venue.id)
            .values(position=lowest - 1)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise _not_found()
        note_catalogue_change()
        record_change(by, "venue.photo_first", venue, after={"photo": photo.file_name}, now=now)
    db.session.expire(venue, ["photos"])
    db.session.expire(photo)
    return photo


def find_public_photo(venue_id: int, file_name: str) -> Path | None:
    """The file of a photo a venue lists, for anyone to see; None when there is none."""
    if not FILE_NAME.match(file_name):
        return None
    listed = db.session.scalar(
        sa.select(VenuePhoto.id).where(
            VenuePhoto.venue_id == venue_id, VenuePhoto.file_name == file_name
        )
    )
    if listed is None:
        return None
    path = photo_dir(venue_id) / file_name
    return path if path.is_file() else None

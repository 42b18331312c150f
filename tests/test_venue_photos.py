"""Venue photos: checked and re-encoded on upload, kept as files named by their content outside
the database, served to anyone with long cache headers, kept by the venue's own staff (and
bureau staff in scope), the first shown on the list, the map's popup and the venue's page."""

import hashlib
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import AuditEntry, VenuePhoto, db
from tests.factories import picture, png_declaring
from tests.world import login_as
from webapp.services.catalogue import photos
from webapp.services.errors import NotFound, PermissionDenied, ServiceError
from webapp.services.images import ImageError

NOW = datetime(2026, 5, 1, 4, 0)


@pytest.fixture(autouse=True)
def photo_dir(app, tmp_path) -> Path:
    app.config["VENUE_PHOTO_DIR"] = str(tmp_path / "photos")
    return tmp_path / "photos"


def files_of(photo_dir: Path, venue) -> list[str]:
    folder = photo_dir / str(venue.id)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def rows_of(venue) -> list[VenuePhoto]:
    return db.session.scalars(
        sa.select(VenuePhoto)
        .where(VenuePhoto.venue_id == venue.id)
        .order_by(VenuePhoto.position, VenuePhoto.id)
    ).all()


# ------------------------------------------------------------------ the service


@pytest.fixture
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.usefixtures("english")
class TestService:
    def test_a_photo_is_stored_resized_under_its_content_hash(self, world, photo_dir):
        venue, staff = world.venues["a"], world.users["venue_a"]
        photo = photos.add_photo(venue, picture("JPEG", size=(4000, 2000)), by=staff, now=NOW)
        stored = (photo_dir / str(venue.id) / photo.file_name).read_bytes()
        assert photo.file_name == hashlib.sha256(stored).hexdigest() + ".jpg"
        assert Image.open(BytesIO(stored)).size == (photo.width, photo.height) == (1600, 800)
        assert (photo.uploaded_by_id, photo.uploaded_at) == (staff.id, NOW)
        assert db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.action == "venue.photo_add")
        )

    def test_photos_come_in_upload_order_and_any_can_be_made_first(self, world):
        venue, staff = world.venues["a"], world.users["venue_a"]
        first, second, third = (
            photos.add_photo(venue, picture(kind, size=(60, 40)), by=staff, now=NOW)
            for kind in ("PNG", "JPEG", "WEBP")
        )
        assert [p.id for p in rows_of(venue)] == [first.id, second.id, third.id]
        photos.make_photo_first(venue, third.id, by=staff, now=NOW)
        assert [p.id for p in rows_of(venue)] == [third.id, first.id, second.id]
        assert venue.first_photo.id == third.id

    def test_deleting_a_photo_removes_its_file_and_the_next_comes_first(self, world, photo_dir):
        venue, staff = world.venues["a"], world.users["venue_a"]
        first = photos.add_photo(venue, picture("PNG", size=(60, 40)), by=staff, now=NOW)
        second = photos.add_photo(venue, picture("JPEG", size=(60, 40)), by=staff, now=NOW)
        photos.delete_photo(venue, first.id, by=staff, now=NOW)
        assert [p.id for p in rows_of(venue)] == [second.id]
        assert files_of(photo_dir, venue) == [second.file_name]
        with pytest.raises(NotFound):
            photos.delete_photo(venue, first.id, by=staff, now=NOW)

    def test_the_same_picture_twice_is_refused_and_its_file_kept(self, world, photo_dir):
        venue, staff = world.venues["a"], world.users["venue_a"]
        data = picture("PNG", size=(60, 40))
        kept = photos.add_photo(venue, data, by=staff, now=NOW)
        with pytest.raises(ServiceError, match="already"):
            photos.add_photo(venue, data, by=staff, now=NOW)
        assert len(rows_of(venue)) == 1
        assert files_of(photo_dir, venue) == [kept.file_name]

    def test_the_same_picture_at_two_venues_is_two_files(self, world, photo_dir):
        data = picture("PNG", size=(60, 40))
        a = photos.add_photo(world.venues["a"], data, by=world.users["venue_a"], now=NOW)
        photos.add_photo(world.venues["b"], data, by=world.users["venue_b"], now=NOW)
        photos.delete_photo(world.venues["b"], rows_of(world.venues["b"])[0].id,
                            by=world.users["venue_b"], now=NOW)  # fmt: skip
        assert files_of(photo_dir, world.venues["a"]) == [a.file_name]

    @pytest.mark.parametrize(
        ("data", "words"),
        [
            (b"%PDF-1.4 not a picture", "JPEG, PNG or WebP"),
            (b"GIF89a" + b"\x00" * 40, "JPEG, PNG or WebP"),
            (png_declaring(30_000, 30_000), "million pixels"),
            (png_declaring(6000, 5000), "6000 × 5000"),
            (picture("PNG")[:60], "damaged"),
            (b"", "empty"),
        ],
        ids=["pdf", "gif", "bomb", "too-many-pixels", "truncated", "empty"],
    )
    def test_what_is_not_a_picture_we_take_is_refused_and_nothing_is_kept(
        self, world, photo_dir, data, words
    ):
        venue = world.venues["a"]
        with pytest.raises(ImageError) as caught:
            photos.add_photo(venue, data, by=world.users["venue_a"], now=NOW)
        assert words in caught.value.message and caught.value.field == "photo"
        assert rows_of(venue) == [] and files_of(photo_dir, venue) == []

    def test_only_those_who_may_edit_the_venue_keep_its_photos(self, world):
        venue = world.venues["a"]
        for role in ("family", "venue_b", "school"):
            with pytest.raises(PermissionDenied):
                photos.add_photo(venue, picture(), by=world.users[role], now=NOW)
        photo = photos.add_photo(venue, picture(), by=world.users["county"], now=NOW)
        with pytest.raises(PermissionDenied):
            photos.delete_photo(venue, photo.id, by=world.users["venue_b"], now=NOW)
        assert len(rows_of(venue)) == 1

    def test_a_photo_of_another_venue_is_not_found_through_this_one(self, world):
        b_photo = photos.add_photo(world.venues["b"], picture(), by=world.users["venue_b"], now=NOW)
        for action in (photos.delete_photo, photos.make_photo_first):
            with pytest.raises(NotFound):
                action(world.venues["a"], b_photo.id, by=world.users["venue_a"], now=NOW)
        assert len(rows_of(world.venues["b"])) == 1

    def test_a_venue_keeps_at_most_so_many_photos(self, world, monkeypatch):
        monkeypatch.setattr(photos, "MAX_PHOTOS", 2)
        venue, staff = world.venues["a"], world.users["venue_a"]
        for colour in (1, 2):
            photos.add_photo(venue, picture("PNG", size=(40 + colour, 30)), by=staff, now=NOW)
        with pytest.raises(ServiceError, match="at most 2"):
            photos.add_photo(venue, picture("PNG", size=(50, 30)), by=staff, now=NOW)
        assert len(rows_of(venue)) == 2


# ------------------------------------------------------------------ the pages


def upload(client, venue, data: bytes, *, name="photo.jpg", lang="en"):
    boundary, body = encode_multipart({"photo": FileStorage(BytesIO(data), name)})
    return client.post(
        f"/console/venues/{venue.id}/photos?lang={lang}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.fixture
def staff_client(client, world):
    login_as(client, world.users["venue_a"])
    return client


def test_staff_upload_a_photo_and_it_shows_on_the_list_the_venue_page_and_the_api(
    staff_client, world
):
    venue = world.venues["a"]
    response = upload(staff_client, venue, picture("JPEG", size=(2000, 1000)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/console/venues/{venue.id}/edit")
    url = f"/venues/{venue.id}/photos/{rows_of(venue)[0].file_name}"
    edit = staff_client.get(f"/console/venues/{venue.id}/edit?lang=en").get_data(as_text=True)
    assert url in edit and "The photo was added." in edit
    page = staff_client.get(f"/venues/{venue.id}?lang=en").get_data(as_text=True)
    assert f'src="{url}"' in page and 'alt="Photo of ' in page
    listing = staff_client.get("/?lang=en").get_data(as_text=True)
    assert f'src="{url}"' in listing and 'loading="lazy"' in listing
    detail = staff_client.get(f"/api/v1/venues/{venue.id}").json["properties"]
    assert detail["photo_url"] == url and detail["photo_alt"]


def test_a_photo_is_served_with_long_cache_headers_and_answers_304(client, world):
    with client.application.test_request_context():
        photo = photos.add_photo(
            world.venues["a"], picture("PNG"), by=world.users["venue_a"], now=NOW
        )
    response = client.get(f"/venues/{photo.venue_id}/photos/{photo.file_name}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(BytesIO(response.get_data())).format == "PNG"
    response.close()
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.public and response.cache_control.immutable
    etag = response.headers["ETag"]
    again = client.get(
        f"/venues/{photo.venue_id}/photos/{photo.file_name}", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    again.close()
    assert client.get(f"/venues/{photo.venue_id + 1}/photos/{photo.file_name}").status_code == 404
    assert client.get(f"/venues/{photo.venue_id}/photos/..%2Fsecret.png").status_code == 404


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html>not a picture</html>", "The image must be a JPEG, PNG or WebP picture."),
        (png_declaring(30_000, 30_000), "million pixels"),
    ],
    ids=["not-an-image", "bomb"],
)
def test_a_bad_upload_gets_the_page_back_with_the_reason_and_nothing_is_kept(
    staff_client, world, photo_dir, data, words
):
    venue = world.venues["a"]
    response = upload(staff_client, venue, data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert words in text and 'aria-invalid="true"' in text
    assert 'name="name"' in text, "the venue's form is still there, filled in"
    assert rows_of(venue) == [] and files_of(photo_dir, venue) == []


def test_an_upload_without_a_file_is_asked_for(staff_client, world):
    response = staff_client.post(f"/console/venues/{world.venues['a'].id}/photos?lang=en")
    assert response.status_code == 422
    assert "Choose a photo to upload." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "words"), [("zh", "超过"), ("en", "larger than")], ids=["zh", "en"]
)
def test_too_large_a_file_gets_a_413_page_in_the_users_language(
    app, staff_client, world, lang, words
):
    app.config["UPLOAD_MAX_CONTENT_LENGTH"] = 100_000
    response = upload(staff_client, world.venues["a"], b"\xff\xd8" + b"x" * 200_000, lang=lang)
    assert response.status_code == 413
    assert words in response.get_data(as_text=True)
    assert rows_of(world.venues["a"]) == []


def test_staff_delete_a_photo_and_choose_the_first(staff_client, world, photo_dir):
    venue = world.venues["a"]
    upload(staff_client, venue, picture("PNG", size=(60, 40)))
    upload(staff_client, venue, picture("JPEG", size=(60, 40)))
    first, second = rows_of(venue)
    second_name = second.file_name
    response = staff_client.post(f"/console/venues/{venue.id}/photos/{second.id}/first?lang=en")
    assert response.status_code == 302
    assert [p.id for p in rows_of(venue)] == [second.id, first.id]
    page = staff_client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert second.file_name in page and first.file_name not in page
    response = staff_client.post(f"/console/venues/{venue.id}/photos/{second.id}/delete?lang=en")
    assert response.status_code == 302
    assert [p.id for p in rows_of(venue)] == [first.id]
    assert files_of(photo_dir, venue) == [first.file_name]
    gone = staff_client.get(f"/venues/{venue.id}/photos/{second_name}")
    assert gone.status_code == 404


def test_a_foreign_venues_photo_cannot_be_touched(client, world):
    with client.application.test_request_context():
        b_photo = photos.add_photo(world.venues["b"], picture(), by=world.users["venue_b"], now=NOW)
    login_as(client, world.users["venue_a"])
    a, b = world.venues["a"].id, world.venues["b"].id
    # through its own venue's address: that venue is not theirs
    assert client.post(f"/console/venues/{b}/photos/{b_photo.id}/delete").status_code == 403
    assert upload(client, world.venues["b"], picture()).status_code == 403
    # through their own venue's address: no such photo there
    response = client.post(f"/console/venues/{a}/photos/{b_photo.id}/delete?lang=en")
    assert response.status_code == 404
    assert "it may have been deleted" in response.get_data(as_text=True)
    assert client.post(f"/console/venues/{a}/photos/{b_photo.id}/first").status_code == 404
    assert len(rows_of(world.venues["b"])) == 1

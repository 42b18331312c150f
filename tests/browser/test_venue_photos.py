"""Venue staff add a photo of their venue on a phone (390 px): a file that is not a picture is
refused with the reason beside the field, a real photo is added, and the public venue page
shows it first, with its alt text. Checked with axe."""

import re
import uuid
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from models import Role, db
from tests.browser import conftest as harness
from tests.browser.conftest import assert_accessible, open_map, zoom_until_pins_show
from tests.factories import PASSWORD, make_user, make_venue

PHONE_390 = {"width": 390, "height": 844}


def jpeg(size=(1200, 800)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (40, 120, 180)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def staffed_venue(live_app):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(name=f"照片测试馆{tag}", slug=f"photo-test-{tag}")
        staff = make_user(
            role=Role.VENUE_STAFF, venue=venue, is_manager=True, email=f"photo-{tag}@example.cn"
        )
        db.session.commit()
        data = {"venue_id": venue.id, "login": staff.email, "name": venue.name}
        db.session.remove()
    return data


@pytest.fixture
def phone_390(browser, live_server):
    context, page = harness._new_page(
        browser, live_server, viewport=PHONE_390, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


def _fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def _sign_in(page, login):
    page.goto("/auth/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_venue_staff_add_a_photo_on_a_phone_and_the_public_page_shows_it(phone_390, staffed_venue):
    page = phone_390
    venue_id = staffed_venue["venue_id"]
    _sign_in(page, staffed_venue["login"])
    page.goto(f"/console/venues/{venue_id}/edit")
    expect(page.get_by_role("heading", name="照片", exact=True)).to_be_visible()
    expect(page.get_by_text("还没有照片。")).to_be_visible()
    assert _fits_the_screen(page)
    assert_accessible(page)

    # not a picture: refused beside the field, nothing added
    page.get_by_label("添加照片（JPEG、PNG 或 WebP）").set_input_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture at all"}
    )
    page.get_by_role("button", name="上传照片").click()
    expect(page.locator("#photo-errors")).to_contain_text("JPEG、PNG 或 WebP")
    expect(page.get_by_text("还没有照片。")).to_be_visible()
    assert _fits_the_screen(page)
    assert_accessible(page)

    page.get_by_label("添加照片（JPEG、PNG 或 WebP）").set_input_files(
        {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    page.get_by_role("button", name="上传照片").click()
    expect(page).to_have_url(re.compile(rf"/console/venues/{venue_id}/edit$"))
    expect(page.get_by_text("照片已添加。")).to_be_visible()
    expect(page.get_by_text("首张照片", exact=True)).to_be_visible()
    assert _fits_the_screen(page)
    assert_accessible(page)

    page.goto(f"/venues/{venue_id}")
    photo = page.get_by_role("img", name=f"{staffed_venue['name']}的照片")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1200
    box = photo.bounding_box()
    assert box["width"] <= PHONE_390["width"], "sized for the phone"
    assert _fits_the_screen(page)
    assert_accessible(page)

    # the list's card and the map's popup show it too
    page.goto(f"/?q={staffed_venue['name']}")
    card_photo = page.locator(".venue-card-photo")
    expect(card_photo).to_have_attribute("loading", "lazy")
    expect(card_photo).to_have_attribute("alt", f"{staffed_venue['name']}的照片")
    assert_accessible(page)
    open_map(page, f"/map?q={staffed_venue['name']}")
    zoom_until_pins_show(page)
    pin = page.locator(".venue-pin")
    pin.first.click()
    expect(page.locator(".leaflet-popup .venue-popup-photo")).to_be_visible()
    assert page.csp_errors == []


def test_the_venue_edit_page_in_english_at_390_px(phone_390, staffed_venue, tmp_path):
    """The page as staff see it in English on a phone, photos included (a screenshot is
    kept for a person to look at); nothing is wider than the screen."""
    page = phone_390
    venue_id = staffed_venue["venue_id"]
    _sign_in(page, staffed_venue["login"])
    page.goto(f"/console/venues/{venue_id}/edit?lang=en")
    page.get_by_label("Add a photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg((900, 600))}
    )
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.get_by_text("The photo was added.")).to_be_visible()
    page.get_by_label("Add a photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "hall.jpg", "mimeType": "image/jpeg", "buffer": jpeg((600, 900))}
    )
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.get_by_role("button", name="Make first: photo 2")).to_be_visible()
    page.get_by_role("button", name="Make first: photo 2").click()
    expect(page.get_by_text("The photo now comes first on the list and the map.")).to_be_visible()
    assert _fits_the_screen(page)
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "venue-edit-390-en.png"), full_page=True)

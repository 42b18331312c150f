"""A visitor's journeys through the map, the filtered list and the language switch."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, open_map, zoom_until_pins_show

pytestmark = pytest.mark.browser




def test_map_shows_clusters_then_markers_and_a_popup_leads_to_the_venue_page(page):
    open_map(page)
    expect(page.locator(".marker-cluster").first).to_be_visible()
    expect(page.locator("#map-status")).to_contain_text(re.compile(r"\d+"))
    expect(page.locator("#map-legend li").first).to_be_visible()
    assert_accessible(page)

    zoom_until_pins_show(page)
    page.locator(".venue-pin").first.click()
    link = page.locator(".leaflet-popup .venue-popup-link")
    expect(link).to_be_visible()
    name = page.locator(".leaflet-popup .venue-popup-name").inner_text()
    assert name.strip()
    expect(page.locator(".leaflet-popup .venue-popup-address")).not_to_be_empty()
    assert re.fullmatch(r"/venues/\d+", link.get_attribute("href"))
    assert_accessible(page)

    link.click()
    expect(page).to_have_url(re.compile(r"/venues/\d+$"))
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".venue-map .leaflet-marker-icon")).to_be_visible()
    assert_accessible(page)
    assert page.csp_errors == []


def test_map_counts_every_seeded_venue_and_asks_no_other_site_but_the_tiles(page, live_server):
    from webapp.services.catalogue.maps import TILE_PROVIDERS

    total = len(page.request.get(live_server + "/map/points.json").json()["points"])
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_map(page)
    expect(page.locator("#map-status")).to_contain_text(str(total))
    outside = [url for url in requested if not url.startswith(live_server)]
    assert outside, "the map asks for tiles"
    assert all(url.startswith(TILE_PROVIDERS["osm"].hosts) for url in outside), outside
    assert page.csp_errors == []


def test_filtered_list_shows_the_right_venues_and_the_map_keeps_the_filters(page):
    page.goto("/")
    assert_accessible(page)
    page.locator("details.filter-panel summary").click()
    page.fill("#q", "jinci")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=jinci"))
    cards = page.locator(".venue-card h2")
    expect(cards.first).to_be_visible()
    assert all("晋祠" in name for name in cards.all_inner_texts())
    assert "晋祠博物馆" in cards.all_inner_texts()
    assert_accessible(page)

    page.select_option("#category", "science_museum")
    page.fill("#q", "")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"category=science_museum"))
    names = page.locator(".venue-card h2").all_inner_texts()
    assert "山西省科学技术馆" in names
    assert "晋祠博物馆" not in names
    listed = len(names)

    page.get_by_role("link", name=re.compile("Show on the map|在地图上查看")).click()
    expect(page).to_have_url(re.compile(r"/map\?.*category=science_museum"))
    expect(page.locator("#map-status")).to_contain_text(str(listed))
    assert_accessible(page)


def test_switching_to_english_is_remembered_on_the_next_page(page):
    open_map(page)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#map-legend-heading")).to_have_text("图例")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#map-legend-heading")).to_have_text("Legend")
    expect(page.locator(".marker-cluster, .venue-pin").first).to_be_visible()
    assert_accessible(page)
    zoom_until_pins_show(page)
    page.locator(".venue-pin").first.click()
    expect(page.locator(".venue-popup-name")).to_have_text(re.compile(r"^[A-Za-z]"))
    expect(page.locator(".venue-popup-link")).to_have_text("Open the venue page")

    page.goto("/venues/1")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()
    assert_accessible(page)


def test_map_fits_a_phone_screen(phone_page):
    open_map(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    box = phone_page.locator(".folium-map").bounding_box()
    assert box["height"] >= 300
    assert_accessible(phone_page)


def test_the_browser_shifts_points_for_gcj02_tiles_as_the_server_does(page):
    from tests.test_maps import GCJ_VECTORS
    from webapp.services.catalogue.maps import wgs84_to_gcj02

    open_map(page)
    for wgs, gcj in GCJ_VECTORS + [((37.7063, 112.4368), wgs84_to_gcj02(37.7063, 112.4368))]:
        shifted = page.evaluate("([lat, lng]) => ShanxiMap.wgs84ToGcj02(lat, lng)", list(wgs))
        assert shifted == pytest.approx(list(gcj), abs=1e-9)
    assert page.evaluate("ShanxiMap.wgs84ToGcj02(39.7392, -104.9903)") == [39.7392, -104.9903]

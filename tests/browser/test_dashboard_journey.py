"""A city bureau officer signs in, lands on the dashboard, reads the charts with their tables,
changes the period and downloads the directory list. Uses the shared browser fixtures."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def officer(live_app, city_officer):
    """The city officer, with the dashboard's figures rolled up."""
    from models import db
    from webapp.services.supervision import rollups

    with live_app.app_context(), live_app.test_request_context("/"):
        rollups.refresh_rollups()
        db.session.remove()
    return city_officer


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_city_bureau_reads_its_dashboard_changes_period_and_downloads_list(
    request, officer, viewport
):
    page = request.getfixturevalue(viewport)
    sign_in(page, officer)
    expect(page).to_have_url(re.compile(r"/bureau/dashboard$"))
    expect(page.get_by_role("heading", name="督导统计", level=1)).to_be_visible()
    expect(page.locator("#region option:checked")).to_have_text("太原市")
    # the region menu offers Taiyuan and its counties only
    expect(page.locator("#region option", has_text="大同")).to_have_count(0)
    chart = page.locator('[data-chart="chart-by_category"]')
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    table = page.get_by_role("table", name="场馆按类别统计")
    expect(table.get_by_role("row")).not_to_have_count(1)
    expect(page.locator('[data-chart="chart-map"] canvas')).to_have_count(1)
    assert page.csp_errors == []
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways, "the dashboard scrolls sideways"
    assert_accessible(page)

    page.fill("#start", "2024-09")
    page.fill("#end", "2025-01")
    page.get_by_role("button", name="显示").click()
    expect(page).to_have_url(re.compile(r"start=2024-09&end=2025-01"))
    expect(page.locator(".hint").first).to_contain_text("2024-09至2025-01")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="资源目录清单（Excel）").click()
    assert download.value.suggested_filename.startswith("资源目录清单-")
    assert download.value.suggested_filename.endswith(".xlsx")

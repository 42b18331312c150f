"""A city bureau officer signs in, lands on the dashboard, reads the charts with their tables,
changes the period and downloads the directory list. Uses the shared browser fixtures."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

OFFICER, PASSWORD = "bureau.ty.dashboard@example.cn", "correct horse battery"


@pytest.fixture(scope="module")
def officer(live_app):
    from models import Region, Role, User, db
    from tests.factories import make_user
    from webapp.services.supervision import rollups

    with live_app.app_context(), live_app.test_request_context("/"):
        taiyuan = db.session.scalar(sa.select(Region).where(Region.adcode == "140100"))
        if db.session.scalar(sa.select(User).where(User.email == OFFICER)) is None:
            make_user(role=Role.BUREAU_STAFF, region=taiyuan, email=OFFICER, password=PASSWORD)
            db.session.commit()
        rollups.refresh_rollups()
        db.session.remove()
    return OFFICER


def _sign_in(page):
    page.context.clear_cookies()
    page.goto("/auth/login")
    page.fill("#login", OFFICER)
    page.fill("#password", PASSWORD)
    page.locator("form.narrow-form button[type=submit]").click()


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_city_bureau_reads_its_dashboard_changes_period_and_downloads_list(
    request, officer, viewport
):
    page = request.getfixturevalue(viewport)
    _sign_in(page)
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

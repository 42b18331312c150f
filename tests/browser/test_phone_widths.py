"""No page scrolls sideways on a 360 px phone: every page each role may open (the GET rows of
the access matrix a role gets 200 on, and the public pages), with an axe check on each."""

import pytest

from tests.browser.conftest import _OUTSIDE as OUTSIDE
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.test_access_matrix import MATRIX
from tests.world import ROLES, build_world

NARROW = {"width": 360, "height": 740}
PUBLIC_PAGES = ["/", "/map", "/lecturers/", "/auth/login", "/auth/signup", "/auth/privacy"]
#: downloads, not pages
NOT_PAGES = (".ics", ".csv", ".xlsx", ".json", "/photo", "/export", "/template", "/account/data")


@pytest.fixture
def world_server(app, regions):
    """The access matrix's world served on its own port (its database is the test's own, so
    its fixed names do not meet the shared live server's seed)."""
    import threading

    from werkzeug.serving import make_server

    from tests.browser.conftest import _free_port

    world = build_world(regions)
    ids = world.ids()
    pages = {}
    for param in MATRIX:
        method, path, codes = param.values[0], param.values[1], param.values[2]
        if method != "GET" or any(mark in path for mark in NOT_PAGES):
            continue
        for role, code in zip(ROLES, codes, strict=True):
            if code == 200:
                pages.setdefault(role, []).append(path.format(**ids))
    for role in ROLES:
        pages.setdefault(role, []).extend([*PUBLIC_PAGES, f"/venues/{world.venues['a'].id}"])
    users = {role: world.users[role].email for role in ROLES if role != "anon"}
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", pages, users
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def test_no_page_of_any_role_scrolls_sideways_at_360_px(browser, database_url, world_server):
    if not database_url.startswith("sqlite"):
        # Pages are laid out the same on either database, and this walk (every page of every
        # role, with axe) is CI's longest test: it runs once, in the SQLite suite. The
        # PostgreSQL suite still opens every journey's pages with axe.
        pytest.skip("layout is the same on every database: checked in the SQLite suite")
    base, pages, users = world_server
    too_wide = []
    for role in ROLES:
        too_wide += _too_wide_pages(browser, base, role, pages[role], users.get(role))
    assert too_wide == [], "pages scroll sideways at 360 px"


def _too_wide_pages(browser, base, role, paths, login):
    context = browser.new_context(
        base_url=base, locale="zh-CN", viewport=NARROW, is_mobile=True, has_touch=True
    )
    context.route(OUTSIDE, lambda route: route.abort())
    page = context.new_page()
    try:
        if login:
            page.goto("/auth/login")
            page.fill("#login", login)
            page.fill("#password", PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
        found = []
        for path in paths:
            response = page.goto(path)
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            assert_accessible(page)
            width, inner = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if width > inner:
                found.append(f"{role} {path}: {width} > {inner}")
        return found
    finally:
        context.close()

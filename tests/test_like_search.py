"""Searches take % and _ literally: typing them finds the rows that hold them, not every row."""

import pytest

from models import OutboxMessage, Role, db
from models.user import utcnow
from tests.factories import make_lecturer, make_school, make_user, make_venue
from webapp.services import like, outbox
from webapp.services.accounts import schools
from webapp.services.accounts import users as accounts
from webapp.services.catalogue import editing as venue_admin
from webapp.services.catalogue import search as venues
from webapp.services.lecturers import directory as lecturers


def test_the_wildcards_and_the_escape_character_are_escaped():
    assert like.escape_like("50%_a\\b") == "50\\%\\_a\\\\b"


@pytest.fixture
def admin(app):
    return make_user(role=Role.ADMIN, email="admin@example.cn", name="管理员")


@pytest.mark.parametrize("typed", ["%", "_", "\\"])
def test_admin_user_search(admin, typed):
    make_user(name="普通用户")
    literal = make_user(name=f"张{typed}三")
    db.session.commit()
    found = accounts.search_users(typed, by=admin).items
    assert found == [literal]


def test_outbox_search(app):
    for recipient in ("a_b@example.cn", "axb@example.cn", "13800138000"):
        db.session.add(OutboxMessage(recipient=recipient, channel=outbox.channel_for(recipient),
                                     subject="s", body="b", created_at=utcnow()))  # fmt: skip
    db.session.commit()
    found = outbox.list_messages(recipient="a_b").items
    assert [m.recipient for m in found] == ["a_b@example.cn"]
    assert outbox.list_messages(recipient="%").items == []


def test_bureau_school_search(regions):
    bureau = make_user(role=Role.BUREAU_STAFF, region=regions["140100"])
    county = regions["140105"]
    make_school(county, name="迎泽小学")
    odd = make_school(county, name="100%小学")
    db.session.commit()
    assert schools.search_schools(by=bureau, text="%").items == [odd]
    assert schools.search_schools(by=bureau, text="_").items == []
    assert venue_admin.search_managed_venues(by=bureau, text="%").items == []


def test_lecturer_and_catalogue_search(regions):
    make_lecturer(regions["140105"], name="王建国")
    assert lecturers.search_lecturers(lecturers.LecturerFilters(q="%")).total == 0
    make_venue(regions["140105"], name="晋祠博物馆", search_text="晋祠博物馆 jinci")
    db.session.commit()
    assert venues.search_venues(venues.VenueFilters(q="_")).total == 0
    assert venues.search_venues(venues.VenueFilters(q="jinci")).total == 1

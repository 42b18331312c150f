"""The permission rules themselves: scopes of bureau, venue and school staff, and admin."""

import pytest
from flask_login import AnonymousUserMixin

from models import AuditEntry, Role, db
from tests.factories import make_user
from webapp.services import permissions
from webapp.services.errors import PermissionDenied


def test_a_county_bureau_manages_its_own_county_only(world):
    county = world.users["county"]
    assert permissions.can(county, "region.manage", world.regions["x"])
    assert not permissions.can(county, "region.manage", world.regions["y"])
    assert not permissions.can(county, "region.manage", world.regions["x"].parent)


def test_a_city_bureau_reaches_every_county_of_its_city_and_no_other(world):
    city = world.users["city"]
    assert permissions.can(city, "school.manage", world.schools["x"])
    assert permissions.can(city, "school.manage", world.schools["y"])
    assert not permissions.can(city, "school.manage", world.schools["z"])


def test_a_province_bureau_reaches_every_county(world, regions):
    province = make_user(Role.BUREAU_STAFF, email="prov@example.cn", region=regions["140000"])
    assert permissions.can(province, "school.manage", world.schools["z"])
    assert permissions.region_ids_in_scope(province) is None


def test_scope_ids_of_a_city_cover_the_city_and_its_counties(world):
    ids = permissions.region_ids_in_scope(world.users["city"])
    assert world.regions["x"].id in ids and world.regions["y"].id in ids
    assert world.regions["z"].id not in ids


def test_venue_staff_act_for_their_venue_only(world):
    staff_a, staff_b = world.users["venue_a"], world.users["venue_b"]
    assert permissions.can(staff_a, "venue.manage_sessions", world.venues["a"])
    assert not permissions.can(staff_a, "venue.manage_sessions", world.venues["b"])
    assert permissions.can(staff_b, "venue.edit", world.venues["b"])
    assert not permissions.can(staff_b, "venue.edit", world.venues["a"])


def test_only_venue_managers_and_bureau_staff_in_scope_invite_venue_staff(world):
    assert permissions.can(world.users["venue_a"], "venue.invite_staff", world.venues["a"])
    assert not permissions.can(world.users["venue_b"], "venue.invite_staff", world.venues["b"])
    assert permissions.can(world.users["county"], "venue.invite_staff", world.venues["a"])
    assert not permissions.can(world.users["county"], "venue.invite_staff", world.venues["b"])


def test_bureau_staff_edit_venues_in_scope_but_do_not_run_their_sessions(world):
    county = world.users["county"]
    assert permissions.can(county, "venue.edit", world.venues["a"])
    assert not permissions.can(county, "venue.manage_sessions", world.venues["a"])


def test_school_staff_act_for_their_school_only_once_approved(world):
    assert permissions.can(world.users["school"], "school.act", world.schools["x"])
    assert not permissions.can(world.users["school"], "school.act", world.schools["y"])
    waiting = world.grants["x"].user
    assert not permissions.can(waiting, "school.act", world.schools["x"])


def test_the_administrator_may_do_everything(world):
    admin = world.users["admin"]
    for action in permissions.RULES:
        assert permissions.can(admin, action, world.schools["z"])


def test_anonymous_and_disabled_users_may_do_nothing(world):
    anonymous = AnonymousUserMixin()
    assert not permissions.can(anonymous, "booking.create")
    admin = world.users["admin"]
    admin.is_enabled = False
    assert not permissions.can(admin, "admin.access")


def test_an_unknown_action_is_an_error_not_a_yes(world):
    with pytest.raises(KeyError):
        permissions.can(world.users["admin"], "venue.delete_everything")


def test_require_raises_a_readable_refusal(app, world):
    with app.test_request_context(), pytest.raises(PermissionDenied) as caught:
        permissions.require(world.users["county"], "school.manage", world.schools["z"])
    assert caught.value.status_code == 403
    assert caught.value.message


def test_families_and_school_staff_may_book_but_bureau_staff_may_not(world):
    assert permissions.can(world.users["family"], "booking.create")
    assert permissions.can(world.users["school"], "booking.create")
    assert not permissions.can(world.users["county"], "booking.create")


def test_owner_access_holds_for_the_owner_alone(world):
    class Thing:
        user_id = world.users["family"].id

    assert permissions.can(world.users["family"], "owner.access", Thing())
    assert not permissions.can(world.users["school"], "owner.access", Thing())


def test_objects_of_later_areas_are_placed_through_their_venue_or_county(world):
    class Booking:
        venue = world.venues["b"]

    class Lecturer:
        region = world.regions["y"]

    assert permissions.can(world.users["venue_b"], "venue.view_bookings", Booking())
    assert permissions.can(world.users["city"], "lecturer.manage", Lecturer())
    assert not permissions.can(world.users["county"], "lecturer.manage", Lecturer())


def test_scope_clause_narrows_a_list_to_the_bureau_scope(world):
    for key in ("x", "y", "z"):
        db.session.add(AuditEntry(action="t", object_type="t", region_id=world.regions[key].id))
    db.session.commit()
    query = db.select(AuditEntry.region_id).where(
        permissions.scope_clause(world.users["county"], AuditEntry.region_id)
    )
    assert set(db.session.scalars(query)) == {world.regions["x"].id}

"""A small world of people and places for access tests: two counties of one city, one county
of another city, a venue and a school in each, and one user for every role in the matrix."""

from dataclasses import dataclass, field
from functools import lru_cache

from flask.testing import FlaskClient

from models import Role, RoleGrant, db
from tests import factories
from tests.factories import make_school, make_venue
from webapp.services.accounts import hash_password

#: the roles of the access matrix, in the order the matrix lists them
ROLES = ["anon", "family", "school", "venue_a", "venue_b", "county", "city", "admin"]


@dataclass
class World:
    regions: dict
    users: dict = field(default_factory=dict)
    venues: dict = field(default_factory=dict)
    schools: dict = field(default_factory=dict)
    grants: dict = field(default_factory=dict)

    def ids(self) -> dict:
        """Placeholders that matrix paths may use: {venue_a}, {school_x}, {pending_y} …"""
        values = {f"venue_{k}": v.id for k, v in self.venues.items()}
        values.update({f"school_{k}": s.id for k, s in self.schools.items()})
        values.update({f"pending_{k}": g.id for k, g in self.grants.items()})
        values["missing"] = 987654
        return values


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(factories.PASSWORD)


def make_user(role, *, email, **scope):
    """Like tests.factories.make_user, with the password hashed once per run (scrypt is slow)."""
    from models import User

    user = User(email=email, name=email.split("@")[0], password_hash=_password_hash())
    if role is not None:
        user.grants.append(RoleGrant(role=role, **scope))
    db.session.add(user)
    db.session.flush()
    return user


def build_world(regions) -> World:
    xiaodian, yingze, pingcheng = regions["140105"], regions["140106"], regions["140213"]
    world = World(regions={"x": xiaodian, "y": yingze, "z": pingcheng})
    world.venues = {
        "a": make_venue(xiaodian, slug="venue-a", name="甲馆"),
        "b": make_venue(yingze, slug="venue-b", name="乙馆"),
        "c": make_venue(pingcheng, slug="venue-c", name="丙馆"),
    }
    world.schools = {
        "x": make_school(xiaodian, name="小店测试小学"),
        "y": make_school(yingze, name="迎泽测试小学"),
        "z": make_school(pingcheng, name="平城测试小学"),
    }
    u = world.users
    u["family"] = make_user(Role.FAMILY, email="family@example.cn")
    u["school"] = make_user(Role.SCHOOL_STAFF, email="school@example.cn", school=world.schools["x"])
    u["venue_a"] = make_user(
        Role.VENUE_STAFF, email="venue-a@example.cn", venue=world.venues["a"], is_manager=True
    )
    u["venue_b"] = make_user(Role.VENUE_STAFF, email="venue-b@example.cn", venue=world.venues["b"])
    u["county"] = make_user(Role.BUREAU_STAFF, email="county@example.cn", region=xiaodian)
    u["city"] = make_user(Role.BUREAU_STAFF, email="city@example.cn", region=xiaodian.parent)
    u["admin"] = make_user(Role.ADMIN, email="admin@example.cn")
    for key, school in world.schools.items():
        waiting = make_user(None, email=f"waiting-{key}@example.cn")
        grant = RoleGrant(role=Role.SCHOOL_STAFF, school=school, is_approved=False)
        waiting.grants.append(grant)
        db.session.flush()
        world.grants[key] = grant
    db.session.commit()
    return world


def login_as(client, user) -> None:
    """Sign a test client in as `user` without going through the (slow, rate-limited) form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    The `app` fixture keeps an app context pushed for the whole test, and Flask reuses it for
    requests, so `g` (where Flask-Login caches the current user) would leak from one request to
    the next. Access tests must see each request as the server would.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def fresh_client(app) -> FlaskClient:
    return FreshContextClient(app, app.response_class, use_cookies=True)


def dispose(app) -> None:
    """Close the connection pools of an extra app made inside a test (PostgreSQL warns else)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()

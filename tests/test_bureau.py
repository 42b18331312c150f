"""The bureau console: schools of its region, approvals, the audit log, and the ID-swap test."""

import pytest
import sqlalchemy as sa

from models import AuditEntry, OneTimeLink, Role, School, Stage, db
from tests.factories import make_user
from tests.world import login_as
from webapp.services import audit
from webapp.services.accounts import schools
from webapp.services.errors import PermissionDenied, ServiceError

pytestmark = pytest.mark.usefixtures("ctx")


def values(world, county="x", **overrides):
    defaults = dict(name="新建实验小学", county=world.regions[county], stages=[Stage.PRIMARY])
    return schools.SchoolValues(**{**defaults, **overrides})


# ---------------------------------------------------------------- schools service


def test_a_county_bureau_adds_a_school_and_the_change_is_audited(world):
    school = schools.create_school(values(world, address="学府路1号"), by=world.users["county"])
    assert school.is_location_approximate  # no coordinates given: the county centre
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "school.create" and entry.before is None
    assert entry.after["name"] == "新建实验小学" and entry.actor_label == "county@example.cn"


def test_a_school_edit_records_the_values_before_and_after(world):
    school = world.schools["x"]
    schools.update_school(
        school,
        values(world, name="改名小学", stages=[Stage.PRIMARY, Stage.JUNIOR], lat=37.8, lng=112.5),
        by=world.users["county"],
    )
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.before["name"] == "小店测试小学" and entry.after["name"] == "改名小学"
    assert entry.after["stages"] == "primary,junior" and not school.is_location_approximate


def test_a_county_bureau_cannot_add_a_school_to_another_county(world):
    with pytest.raises(PermissionDenied):
        schools.create_school(values(world, county="y"), by=world.users["county"])
    assert db.session.scalar(sa.select(School).where(School.name == "新建实验小学")) is None


def test_a_school_cannot_be_moved_out_of_the_bureau_scope(world):
    with pytest.raises(PermissionDenied):
        schools.update_school(
            world.schools["x"], values(world, county="y"), by=world.users["county"]
        )
    db.session.expire_all()
    assert world.schools["x"].county_id == world.regions["x"].id


def test_a_duplicate_school_name_in_a_county_gets_a_clear_message(world):
    with pytest.raises(ServiceError) as caught:
        schools.create_school(values(world, name="小店测试小学"), by=world.users["county"])
    assert caught.value.field == "name"


def test_a_school_needs_a_name_and_a_stage(world):
    with pytest.raises(ServiceError):
        schools.create_school(values(world, name="  "), by=world.users["county"])
    with pytest.raises(ServiceError):
        schools.create_school(values(world, stages=[]), by=world.users["county"])


def test_the_school_list_holds_only_the_schools_of_the_scope(world):
    county = schools.search_schools(by=world.users["county"]).items
    city = schools.search_schools(by=world.users["city"]).items
    assert {s.name for s in county} == {"小店测试小学"}
    assert {s.name for s in city} == {"小店测试小学", "迎泽测试小学"}


# ---------------------------------------------------------------- audit log


def test_bureau_staff_read_the_audit_entries_of_their_scope_and_admins_read_all(world):
    schools.create_school(values(world, county="x"), by=world.users["city"])
    schools.create_school(values(world, county="y"), by=world.users["city"])
    schools.create_school(values(world, county="z"), by=world.users["admin"])
    filters = audit.AuditFilters()
    assert len(audit.list_audit_entries(filters, by=world.users["county"]).items) == 1
    assert len(audit.list_audit_entries(filters, by=world.users["city"]).items) == 2
    assert len(audit.list_audit_entries(filters, by=world.users["admin"]).items) == 3
    with pytest.raises(PermissionDenied):
        audit.list_audit_entries(filters, by=world.users["family"])


def test_the_audit_log_filters_by_who_and_what(world):
    schools.create_school(values(world), by=world.users["county"])
    schools.update_school(world.schools["y"], values(world, "y", name="乙"), by=world.users["city"])
    admin = world.users["admin"]
    by_actor = audit.list_audit_entries(audit.AuditFilters(actor="CITY@"), by=admin).items
    assert [e.action for e in by_actor] == ["school.update"]
    by_action = audit.list_audit_entries(audit.AuditFilters(action="school.create"), by=admin)
    assert [e.actor_label for e in by_action.items] == ["county@example.cn"]


# ---------------------------------------------------------------- pages


def test_the_school_form_adds_a_school_through_the_page(app, world):
    client = app.test_client()
    login_as(client, world.users["county"])
    response = client.post(
        "/bureau/schools/new",
        data={"name": "页面小学", "county": world.regions["x"].id, "stages": ["primary"]},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(School).where(School.name == "页面小学")) is not None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "x", "county": "abc", "stages": ["nonsense"]},
        {"name": "x", "county": "987654", "stages": ["primary"]},
        {"name": "x" * 300, "county": "1", "stages": ["primary"], "lat": "north"},
    ],
)
def test_bad_school_form_input_gets_a_message_never_a_500(app, world, data):
    client = app.test_client()
    login_as(client, world.users["county"])
    assert client.post("/bureau/schools/new", data=data).status_code == 200


def test_the_audit_page_filters_and_survives_bad_dates(app, world):
    schools.create_school(values(world), by=world.users["county"])
    client = app.test_client()
    login_as(client, world.users["admin"])
    page = client.get("/bureau/audit?action=school.create&since=not-a-date&actor=county")
    assert page.status_code == 200 and "新建实验小学" in page.get_data(as_text=True)


def test_approving_through_the_console_lets_the_school_account_act(app, world):
    grant = world.grants["x"]
    bureau, teacher = app.test_client(), app.test_client()
    login_as(bureau, world.users["county"])
    login_as(teacher, grant.user)
    school_page = f"/auth/schools/{world.schools['x'].id}"
    assert teacher.get(school_page).status_code == 403
    assert "waiting-x@example.cn" in bureau.get("/bureau/approvals").get_data(as_text=True)
    assert bureau.post(f"/bureau/approvals/{grant.id}/approve").status_code == 302
    assert teacher.get(school_page).status_code == 200


def test_a_county_bureau_reaching_for_another_countys_request_gets_403(app, world):
    client = app.test_client()
    login_as(client, world.users["county"])
    response = client.post(f"/bureau/approvals/{world.grants['y'].id}/approve")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


# ---------------------------------------------------------------- ID swap


def test_swapping_ids_between_two_users_of_the_same_role_yields_nothing_of_the_other(app, world):
    """Two county bureaus, two venue managers, two school accounts: each tries the other's ids."""
    other_county = world.users["county_y"]
    other_manager = make_user(
        Role.VENUE_STAFF,
        email="venue-c@example.cn",
        venue=world.venues["c"],
        is_manager=True,
    )
    other_school = world.users["school_y"]
    db.session.commit()
    pairs = [
        (world.users["county"], other_county, "x", "y"),
        (other_county, world.users["county"], "y", "x"),
    ]
    for me, _other, mine, theirs in pairs:
        client = app.test_client()
        login_as(client, me)
        their_school = world.schools[theirs].id
        assert client.get(f"/bureau/schools/{their_school}/edit").status_code == 403
        assert (
            client.post(
                f"/bureau/schools/{their_school}/edit",
                data={"name": "抢来的", "county": world.regions[mine].id, "stages": ["primary"]},
            ).status_code
            == 403
        )
        assert (
            client.post(f"/bureau/approvals/{world.grants[theirs].id}/approve").status_code == 403
        )
        listing = client.get("/bureau/schools").get_data(as_text=True)
        assert world.schools[theirs].name not in listing and world.schools[mine].name in listing
        pending = client.get("/bureau/approvals").get_data(as_text=True)
        assert f"waiting-{theirs}@" not in pending and f"waiting-{mine}@" in pending
    for me, theirs in [(world.users["venue_a"], "c"), (other_manager, "a")]:
        client = app.test_client()
        login_as(client, me)
        url = f"/auth/venues/{world.venues[theirs].id}/staff"
        assert client.get(url).status_code == 403
        assert client.post(url, data={"recipient": "spy@example.cn"}).status_code == 403
    for me, theirs in [(world.users["school"], "y"), (other_school, "x")]:
        client = app.test_client()
        login_as(client, me)
        assert client.get(f"/auth/schools/{world.schools[theirs].id}").status_code == 403
    db.session.expire_all()
    assert {s.name for s in db.session.scalars(sa.select(School))} == {
        "小店测试小学",
        "迎泽测试小学",
        "平城测试小学",
    }
    assert db.session.scalar(sa.select(sa.func.count(OneTimeLink.id))) == 0
    assert not any(g.is_approved for g in world.grants.values())


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("name", "\u200b\u200b\u200b", "U+200B"), ("name", "新\u202e小学", "U+202E"),
     ("address", "学府路\u200b1号", "U+200B")],
)  # fmt: skip
def test_the_school_form_refuses_hidden_characters_and_saves_nothing(
    app, world, field, value, code
):
    client = app.test_client()
    login_as(client, world.users["county"])
    before = db.session.scalar(sa.select(sa.func.count(School.id)))
    data = {"name": "文字小学", "county": world.regions["x"].id, "stages": ["primary"]}
    response = client.post("/bureau/schools/new?lang=en", data={**data, field: value})
    assert response.status_code == 200 and code in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == before


def test_the_school_form_turns_full_width_digits_into_ascii(app, world):
    client = app.test_client()
    login_as(client, world.users["county"])
    response = client.post(
        "/bureau/schools/new",
        data={"name": "第１２小学", "county": world.regions["x"].id, "stages": ["primary"],
              "address": "学府路１２号"},
    )  # fmt: skip
    assert response.status_code == 302
    school = db.session.scalar(sa.select(School).where(School.name == "第12小学"))
    assert school is not None and school.address == "学府路12号"

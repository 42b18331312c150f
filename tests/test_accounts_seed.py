"""Seeded schools for every county, demo accounts for every role, and the account commands."""

import sqlalchemy as sa

from models import Region, RegionLevel, Role, School, User, db
from seed.accounts import _accounts_step, _schools_step, generate_school_rows, load_schools
from seed.loader import SeedError, SeedReport
from tests.factories import make_venue


def _seed(seed_dir):
    report = SeedReport()
    _schools_step(db.session, seed_dir, report)
    _accounts_step(db.session, seed_dir, report)
    db.session.commit()
    return report


def test_every_county_has_at_least_two_seeded_schools_with_stages_and_places(
    app, regions, seed_dir
):
    _seed(seed_dir)
    counties = db.session.scalars(sa.select(Region).where(Region.level == RegionLevel.COUNTY)).all()
    for county in counties:
        found = db.session.scalars(sa.select(School).where(School.county_id == county.id)).all()
        assert len(found) >= 2, county.name
        for school in found:
            assert school.stages and school.address
            assert abs(school.lat - county.lat) < 0.05 and abs(school.lng - county.lng) < 0.05
            assert school.is_location_approximate
    assert db.session.scalar(sa.select(School).where(School.name == "太原市小店区第一小学"))


def test_the_seed_adds_a_demo_account_for_every_role_and_prints_passwords(app, regions, seed_dir):
    make_venue(regions["140105"], slug="demo-a")
    make_venue(regions["140106"], slug="demo-b")
    report = _seed(seed_dir)
    roles = {g.role for u in db.session.scalars(sa.select(User)) for g in u.grants}
    assert roles == set(Role)
    assert sum("password:" in note for note in report.notes) == 8
    school_staff = db.session.scalar(sa.select(User).where(User.email == "demo-school@example.cn"))
    assert school_staff.has_role(Role.SCHOOL_STAFF)  # approved, so the demo can act at once


def test_seeding_twice_changes_nothing(app, regions, seed_dir):
    _seed(seed_dir)
    counts = (
        db.session.scalar(sa.select(sa.func.count(School.id))),
        db.session.scalar(sa.select(sa.func.count(User.id))),
    )
    hashes = {u.email: u.password_hash for u in db.session.scalars(sa.select(User))}
    report = _seed(seed_dir)
    assert counts == (
        db.session.scalar(sa.select(sa.func.count(School.id))),
        db.session.scalar(sa.select(sa.func.count(User.id))),
    )
    assert hashes == {u.email: u.password_hash for u in db.session.scalars(sa.select(User))}
    assert not any("password:" in note for note in report.notes)


def test_without_the_schools_file_schools_are_generated_from_the_regions(app, regions, tmp_path):
    assert load_schools(db.session, tmp_path / "schools.csv") == 4 * len(
        [r for r in regions.values() if r.level is RegionLevel.COUNTY]
    )


def test_a_broken_schools_file_names_the_line(app, regions, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text(
        "county_adcode,name,stages,address,lat,lng,approximate\n"
        "140105,好学校,primary,路1号,37.8,112.5,1\n"
        "999999,坏学校,primary,路2号,37.8,112.5,1\n",
        encoding="utf-8",
    )
    try:
        load_schools(db.session, path)
    except SeedError as error:
        assert error.line == 3 and "999999" in str(error)
    else:
        raise AssertionError("a bad county was accepted")


def test_generated_school_names_follow_the_local_pattern():
    rows = generate_school_rows(
        [
            {
                "adcode": "140100",
                "parent_adcode": "",
                "level": "city",
                "name": "太原市",
                "lat": 1,
                "lng": 1,
            },
            {
                "adcode": "140121",
                "parent_adcode": "140100",
                "level": "county",
                "name": "清徐县",
                "lat": 37.6,
                "lng": 112.3,
            },
        ]
    )
    assert [r["name"] for r in rows][:2] == ["清徐县第一小学", "清徐县实验小学"]


def test_create_admin_makes_the_first_administrator(runner, app):
    result = runner.invoke(
        args=["create-admin", "--login", "boss@example.cn", "--password", "Bright-Fen-River-22"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "boss@example.cn")).is_admin


def test_create_user_gives_a_bureau_role_scoped_to_a_region(runner, app, regions):
    result = runner.invoke(
        args=[
            "create-user",
            "--role",
            "bureau_staff",
            "--login",
            "13800138000",
            "--password",
            "Bright-Fen-River-22",
            "--region",
            "140105",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.phone == "13800138000"))
    assert user.active_grants(Role.BUREAU_STAFF)[0].region.name == "小店区"


def test_create_user_explains_a_bad_scope_or_password_without_a_traceback(runner, app, regions):
    bad_region = runner.invoke(
        args=[
            "create-user",
            "--role",
            "bureau_staff",
            "--login",
            "x@example.cn",
            "--password",
            "Bright-Fen-River-22",
            "--region",
            "000000",
        ]
    )
    weak = runner.invoke(
        args=[
            "create-user",
            "--role",
            "family",
            "--login",
            "x@example.cn",
            "--password",
            "12345678",
        ]
    )
    missing_scope = runner.invoke(
        args=[
            "create-user",
            "--role",
            "venue_staff",
            "--login",
            "x@example.cn",
            "--password",
            "Bright-Fen-River-22",
        ]
    )
    for result in (bad_region, weak, missing_scope):
        assert result.exit_code == 1 and "Error" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)

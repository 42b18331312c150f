"""Cached catalogue results never outlive a committed change, whichever worker made it."""

from datetime import date

from models import VenueClosure, db
from tests.factories import make_venue
from webapp import create_app
from webapp.services.catalogue import cache as catalogue_cache


def test_every_committed_venue_change_moves_the_version(app, regions):
    venue = make_venue(regions["140105"], name="旧名字")
    db.session.commit()
    before = catalogue_cache.current_version()
    venue.name = "新名字"
    db.session.commit()
    middle = catalogue_cache.current_version()
    db.session.add(VenueClosure(venue=venue, closed_on=date(2026, 12, 1)))
    db.session.commit()
    assert before < middle < catalogue_cache.current_version()


def test_reading_does_not_move_the_version(app, client, regions):
    make_venue(regions["140105"])
    db.session.commit()
    before = catalogue_cache.current_version()
    client.get("/")
    client.get("/api/v1/venues")
    assert catalogue_cache.current_version() == before


def test_a_change_made_by_another_worker_shows_at_once(app, client, database_url, regions):
    venue = make_venue(regions["140105"], name="甲馆")
    db.session.commit()
    venue_id = venue.id
    assert "甲馆" in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/venues").get_json()["features"][0]["properties"]["name"] == "甲馆"

    other_worker = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with other_worker.app_context():
        from models import Venue

        db.session.get(Venue, venue_id).name = "乙馆"
        db.session.commit()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()

    page = client.get("/").get_data(as_text=True)
    assert "乙馆" in page and "甲馆" not in page
    assert client.get("/api/v1/venues").get_json()["features"][0]["properties"]["name"] == "乙馆"

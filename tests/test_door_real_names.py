"""The door at a venue requiring real names: staff see each adult's name and masked ID and
type the ID shown; it is checked against the stored HMAC, and a mismatch records nothing."""

from datetime import timedelta

import pytest

from models import Booking, BookingStatus, BookingVisitor, IdentityDocument, Role, db
from models.user import utcnow
from tests.factories import family_request, make_session, make_settings, make_user, make_venue
from webapp.services.booking import door, requests
from webapp.services.booking.real_names import VisitorEntry
from webapp.services.booking.states import BookingError

WANG = "140105199003071234"
LI = "11010519491231002X"
OTHER = "110105194912310021"  # a valid number, but nobody's here
RESIDENT = IdentityDocument.RESIDENT_ID


@pytest.fixture
def setting(app):
    """A real-name venue, its staff, and a booking for today of 1 child and 2 named adults."""
    with app.test_request_context("/"):
        venue = make_venue()
        make_settings(venue, requires_real_name=True)
        staff = make_user(role=Role.VENUE_STAFF, venue=venue)
        family = make_user(role=Role.FAMILY)
        session = make_session(venue, starts_at=utcnow() + timedelta(minutes=10), capacity=40)
        db.session.commit()
        request = family_request(primary_pupils=1, adults=2)
        request.visitors = [
            VisitorEntry("王芳", RESIDENT, WANG),
            VisitorEntry("李强", RESIDENT, LI),
        ]
        booking = requests.create_booking(
            session, request, by=family, now=utcnow() - timedelta(hours=1)
        )
        wang, li = sorted(db.session.get(Booking, booking.id).visitors, key=lambda v: v.id)
        return {"venue": venue, "staff": staff, "booking": booking, "wang": wang.id, "li": li.id}


def _arrive(s, people=3, **documents):
    return door.record_arrival(
        s["venue"],
        s["booking"].code,
        people=people,
        seen_arrived=0,
        by=s["staff"],
        now=utcnow(),
        documents=documents.get("documents", {}),
    )


def test_the_party_shows_names_and_masked_ids_and_asks_for_one(app, setting):
    with app.test_request_context("/"):
        party = door.look_up(setting["venue"], setting["booking"].code, by=setting["staff"],
                             now=utcnow())  # fmt: skip
        assert [(v.name, v.masked_number) for v in party.visitors] == [
            ("王芳", "1401**********1234"),
            ("李强", "1101**********002X"),
        ]
        assert party.checks_ids


@pytest.mark.parametrize("typed", [WANG, "1401 0519 9003 0712 34", "1234"])
def test_the_whole_id_or_its_last_four_lets_the_party_in(app, setting, typed):
    with app.test_request_context("/"):
        booking = _arrive(setting, documents={setting["wang"]: typed})
        assert (booking.status, booking.arrived) == (BookingStatus.CHECKED_IN, 3)


@pytest.mark.parametrize("typed", [OTHER, "1235", "071234", LI])
def test_an_id_that_does_not_match_is_refused_and_nothing_is_recorded(app, setting, typed):
    with app.test_request_context("/"):
        with pytest.raises(BookingError) as refused:
            _arrive(setting, documents={setting["wang"]: typed})
        assert refused.value.field == "documents"
        assert refused.value.message.startswith("王芳：所出示的证件与预约时登记的不一致")
        assert "1401**********1234" in refused.value.message
        booking = db.session.get(Booking, setting["booking"].id)
        db.session.refresh(booking)
        assert (booking.status, booking.arrived) == (BookingStatus.CONFIRMED, 0)


def test_no_id_typed_is_refused_and_a_venue_no_longer_asking_checks_none(app, setting):
    with app.test_request_context("/"):
        with pytest.raises(BookingError) as refused:
            _arrive(setting)
        assert "所出示证件的号码" in refused.value.message
        door.settings_service.get_settings(setting["venue"].id).requires_real_name = False
        db.session.commit()
        assert _arrive(setting).arrived == 3


def test_the_number_typed_is_never_stored(app, setting):
    with app.test_request_context("/"):
        _arrive(setting, documents={setting["wang"]: WANG})
        rows = db.session.execute(db.select(BookingVisitor.__table__)).all()
        assert WANG not in repr(rows) and LI not in repr(rows)


# ---------------------------------------------------------------- the console page and the API


def test_the_door_page_shows_masked_ids_and_refuses_a_wrong_one_clearly(client, auth, setting):
    auth.login(setting["staff"].email)
    venue_id, booking = setting["venue"].id, setting["booking"]
    page = client.get(f"/console/venues/{venue_id}/door?code={booking.display_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "王芳" in text and "1401**********1234" in text and WANG not in text
    assert f'name="id-{setting["wang"]}"' in text
    form = {"code": booking.code, "people": "3", "seen_arrived": "0"}
    wrong = client.post(
        f"/console/venues/{venue_id}/door", data={**form, f"id-{setting['wang']}": OTHER}
    )
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "所出示的证件与预约时登记的不一致" in text
    assert OTHER not in text and "已到 0 人，共 3 人" in text  # the party is still on screen
    assert db.session.get(Booking, booking.id).arrived == 0
    right = client.post(
        f"/console/venues/{venue_id}/door", data={**form, f"id-{setting['li']}": "002x"}
    )
    assert right.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).arrived == 3


def test_in_english_the_mismatch_is_english(client, auth, setting):
    auth.login(setting["staff"].email)
    client.get("/?lang=en")
    wrong = client.post(
        f"/console/venues/{setting['venue'].id}/door?lang=en",
        data={"code": setting["booking"].code, "people": "1", "seen_arrived": "0",
              f"id-{setting['wang']}": "9999"},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert "王芳: the ID shown does not match the one booked" in wrong.get_data(as_text=True)


def test_the_desk_api_shows_masked_ids_and_checks_the_one_typed(client, auth, setting):
    auth.login(setting["staff"].email)
    venue_id, booking = setting["venue"].id, setting["booking"]
    party = client.get(f"/api/v1/desk/venues/{venue_id}/bookings/{booking.code}").get_json()
    assert party["checks_ids"] is True
    assert [v["masked_number"] for v in party["visitors"]] == [
        "1401**********1234",
        "1101**********002X",
    ]
    assert WANG not in str(party)
    url = f"/api/v1/desk/venues/{venue_id}/check-in"
    missing = client.post(url, json={"code": booking.code})
    assert missing.status_code == 422 and "documents" in missing.get_json()["errors"]
    shown = {"visitor_id": setting["wang"], "number": OTHER}
    wrong = client.post(url, json={"code": booking.code, "documents": [shown]})
    assert wrong.status_code == 422 and "不一致" in wrong.get_json()["message"]
    assert db.session.get(Booking, booking.id).arrived == 0
    shown = {"visitor_id": setting["wang"], "number": WANG}
    ok = client.post(url, json={"code": booking.code, "documents": [shown]})
    assert ok.status_code == 200 and ok.get_json()["arrived"] == 3
    bad = client.post(url, json={"code": booking.code, "documents": [{"visitor_id": "x"}]})
    assert bad.status_code in (400, 409, 422)

"""Real-name entry for adult visitors: off by default; checked IDs; masked; never children."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, BookingVisitor, IdentityDocument, Role, db
from models.user import utcnow
from tests.factories import family_request, make_session, make_settings, make_user, make_venue
from tests.test_booking_pages import FAMILY_FORM
from webapp.services.booking import real_names, requests
from webapp.services.booking import settings as settings_service
from webapp.services.booking.real_names import RealNameError, VisitorEntry

VALID_ID = "140105199003071234"
RESIDENT = IdentityDocument.RESIDENT_ID


@pytest.fixture(autouse=True)
def in_request(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def strict(app):
    """A venue requiring real names, a session in two days, a family."""
    venue = make_venue()
    make_settings(venue, requires_real_name=True)
    session = make_session(venue, starts_at=utcnow() + timedelta(days=2), capacity=20)
    family = make_user(role=Role.FAMILY)
    db.session.commit()
    return session, family


@pytest.mark.parametrize(
    "number, valid",
    [
        (VALID_ID, True),
        ("11010519491231002X", True),
        ("140105199003071235", False),  # check digit off by one
        ("140105199002301234", False),  # 30 February
        ("14010519900307123", False),  # 17 characters
        ("1401051990030712X4", False),
    ],
)
def test_resident_id_numbers_are_checked_by_their_check_digit_and_birth_date(number, valid):
    assert real_names.resident_id_checksum_ok(number) is valid


def test_numbers_are_masked_keeping_the_first_and_last_four():
    assert real_names.mask_number(VALID_ID) == "1401**********1234"
    assert real_names.mask_number("E12345678") == "E1*****78"


@pytest.mark.parametrize(
    "document, number, words",
    [
        (RESIDENT, "140105199003071235", "身份证号码无效"),
        (RESIDENT, "12345", "18 位"),
        (IdentityDocument.TRAVEL_PERMIT, "X1234567", "通行证号码"),
        (IdentityDocument.PASSPORT, "E1", "护照号码"),
        (None, VALID_ID, "证件类型"),
    ],
)
def test_a_bad_document_gets_a_message_naming_the_adult_and_the_problem(document, number, words):
    with pytest.raises(RealNameError) as error:
        real_names.check_entries([VisitorEntry("王芳", document, number)], adults=1)
    assert error.value.message.startswith("成人 1：") and words in error.value.message


def test_each_adult_gives_one_entry_and_a_document_only_once():
    entry = VisitorEntry("王芳", RESIDENT, VALID_ID)
    with pytest.raises(RealNameError):
        real_names.check_entries([entry], adults=2)
    with pytest.raises(RealNameError):
        real_names.check_entries([entry, VisitorEntry("李强", RESIDENT, VALID_ID)], adults=2)
    cleaned = real_names.check_entries(
        [VisitorEntry(" 王芳\x07 ", RESIDENT, "1401 0519 9003 0712 34")], adults=1
    )
    assert cleaned == [VisitorEntry("王芳", RESIDENT, VALID_ID)]


def test_a_booking_keeps_only_the_masked_number_and_the_door_can_check_the_document(strict):
    session, family = strict
    request = family_request(primary_pupils=2, adults=1)
    request.visitors = [VisitorEntry("王芳", RESIDENT, VALID_ID)]
    booking = requests.create_booking(session, request, by=family, now=utcnow())
    [visitor] = db.session.get(Booking, booking.id).visitors
    assert (visitor.name, visitor.masked_number) == ("王芳", "1401**********1234")
    stored = db.session.execute(sa.select(BookingVisitor.__table__)).one()
    assert VALID_ID not in " ".join(str(value) for value in stored)
    assert real_names.find_visitor(booking, RESIDENT, VALID_ID) is visitor
    assert real_names.find_visitor(booking, RESIDENT, "11010519491231002X") is None


def test_a_venue_requiring_real_names_refuses_a_booking_without_them(strict):
    session, family = strict
    with pytest.raises(RealNameError):
        requests.create_booking(
            session, family_request(primary_pupils=1, adults=1), by=family, now=utcnow()
        )
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_children_never_give_names_and_venues_ask_nothing_by_default(app):
    venue = make_venue()
    session = make_session(venue, starts_at=utcnow() + timedelta(days=2), capacity=20)
    family = make_user(role=Role.FAMILY)
    db.session.commit()
    request = family_request(primary_pupils=1, adults=1)
    request.visitors = [VisitorEntry("王芳", RESIDENT, VALID_ID)]
    booking = requests.create_booking(session, request, by=family, now=utcnow())
    assert db.session.get(Booking, booking.id).visitors == []  # off: nothing kept


# ---------------------------------------------------------------- the form


def _form(**extra):
    return {**FAMILY_FORM, **extra}


def test_a_wrong_check_digit_gets_a_clear_message_and_keeps_what_was_typed(strict, client, auth):
    session, family = strict
    auth.login(family.email)
    page = client.post(
        f"/booking/sessions/{session.id}/family",
        data=_form(
            **{
                "visitor-0-name": "王芳",
                "visitor-0-document": "resident_id",
                "visitor-0-number": "140105199003071235",
                "confirm": "1",
            }
        ),
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "身份证号码无效" in text
    assert 'value="王芳"' in text and 'value="140105199003071235"' in text
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_a_family_books_with_real_names_and_sees_them_masked(strict, client, auth):
    session, family = strict
    auth.login(family.email)
    visitor = {
        "visitor-0-name": "王芳",
        "visitor-0-document": "resident_id",
        "visitor-0-number": VALID_ID,
    }
    form_page = client.get(f"/booking/sessions/{session.id}/family").get_data(as_text=True)
    assert "成人实名信息" in form_page and 'name="visitor-0-number"' in form_page
    preview = client.post(f"/booking/sessions/{session.id}/family", data=_form(**visitor))
    assert "1401**********1234" in preview.get_data(as_text=True)
    done = client.post(f"/booking/sessions/{session.id}/family", data=_form(**visitor, confirm="1"))
    assert done.status_code == 302
    detail = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "王芳" in detail and "1401**********1234" in detail and VALID_ID not in detail


def test_in_english_the_message_is_english(app, strict):
    with app.test_request_context("/?lang=en"):
        with pytest.raises(RealNameError) as error:
            real_names.check_entries(
                [VisitorEntry("Wang", RESIDENT, "140105199003071235")], adults=1
            )
    assert error.value.message.startswith("Adult 1: this resident ID card number is not valid")


def test_venue_staff_switch_real_name_entry_on_in_the_booking_settings(app, client, auth):
    venue = make_venue()
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    auth.login(staff.email)
    url = f"/console/venues/{venue.id}/settings"
    page = client.get(url).get_data(as_text=True)
    assert "实名" in page and 'name="requires_real_name"' in page
    values = {
        "open_days_ahead": "14",
        "release_time": "08:00",
        "green_release_hours": "24",
        "cancel_cutoff_hours": "2",
        "preschool_per_teacher": "10",
        "primary_per_teacher": "20",
        "junior_per_teacher": "20",
        "senior_per_teacher": "25",
        "approval_above": "40",
    }
    client.post(url, data={**values, "requires_real_name": "y"})
    assert settings_service.get_settings(venue.id).requires_real_name is True
    client.post(url, data=values)
    db.session.expire_all()
    assert settings_service.get_settings(venue.id).requires_real_name is False

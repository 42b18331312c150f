"""Booking pages: the family and school-group forms, the confirmation, my bookings, our trips."""

from datetime import date, timedelta

import segno
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from models import BookingChannel, VisitorGroup
from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.booking import bp
from webapp.booking.forms import CancelForm, FamilyBookingForm, SchoolGroupForm, WaitlistForm
from webapp.booking.real_name_fields import DOCUMENT_LABELS, visitor_entries, visitor_rows
from webapp.booking_labels import (
    CHANNEL_LABELS,
    DAY_STATE_LABELS,
    GREEN_CATEGORY_LABELS,
    STATUS_LABELS,
)
from webapp.services import clock
from webapp.services.accounts.schools import list_schools_acted_for
from webapp.services.booking import (
    access,
    availability,
    bookings,
    queries,
    requests,
    school_trips,
    slots,
)
from webapp.services.booking import calendar as booking_calendar
from webapp.services.booking import days as booking_days
from webapp.services.booking import mine as my_bookings
from webapp.services.booking import settings as settings_service
from webapp.services.booking import waitlist as waitlist_service
from webapp.services.booking.real_names import mask_number
from webapp.services.booking.requests import SessionFull
from webapp.services.booking.venue_staff import console_venues
from webapp.services.errors import NotFound, ServiceError
from webapp.views import show_service_error


def _session_or_404(slot_id: int):
    found = slots.get_session(slot_id)
    if found is None:
        abort(404)
    return found


def _book(form, session, make_request, template, **context):
    """The two steps: check and show the price, then book on confirmation."""
    now = utcnow()
    quote = None
    waitlist_places, waitlist_channel = 0, ""
    if form.validate_on_submit():
        booking_request = make_request()
        try:
            if form.confirm.data == "1":
                booking = requests.create_booking(
                    session, booking_request, by=current_user, now=now
                )
                return redirect(url_for("booking.detail", code=booking.code))
            quote = requests.preview_booking(session, booking_request, by=current_user, now=now)
            form.confirm.data = "1"  # the next submit of this page books
        except SessionFull as error:
            form.confirm.data = ""
            waitlist_places = booking_request.party.places
            waitlist_channel = booking_request.channel.value
            show_service_error(form, error, summary=_("Please check the form."))
        except ServiceError as error:
            show_service_error(form, error, summary=_("Please check the form."))
    form.fresh_key()
    places = availability.get_availability([session.id], now=now).get(session.id)
    return render_template(
        template,
        form=form,
        session=session,
        venue=session.venue,
        quote=quote,
        places=places,
        block_until=requests.get_booking_block(current_user, now=now),
        waitlist_places=waitlist_places,
        waitlist_channel=waitlist_channel,
        **context,
    )


@bp.route("/sessions/<int:slot_id>/family", methods=["GET", "POST"])
@permission_required("booking.create")
def family(slot_id: int):
    session = _session_or_404(slot_id)
    form = FamilyBookingForm()
    if not form.is_submitted():
        form.fill_contact(current_user)
    real_name = settings_service.get_settings(session.venue_id).requires_real_name

    def to_request():
        booking_request = form.to_request()
        booking_request.visitors = visitor_entries(request.form, form.adults.data)
        return booking_request

    return _book(
        form,
        session,
        to_request,
        "booking/family.html",
        real_name_required=real_name,
        visitor_rows=visitor_rows(request.form, form.adults.data) if real_name else [],
        document_labels=DOCUMENT_LABELS,
        mask_number=mask_number,
    )


@bp.route("/sessions/<int:slot_id>/school", methods=["GET", "POST"])
@login_required
def school(slot_id: int):
    session = _session_or_404(slot_id)
    schools = list_schools_acted_for(current_user)
    if not schools:
        flash(_("Only school staff can book a class trip."), "error")
        return redirect(url_for("directory.venue", venue_id=session.venue_id))
    form = SchoolGroupForm()
    form.school.choices = [SelectChoice(s.id, s.name) for s in schools]
    by_id = {s.id: s for s in schools}
    return _book(
        form,
        session,
        lambda: form.to_request(by_id.get(form.school.data)),
        "booking/school.html",
        settings=settings_service.get_settings(session.venue_id),
    )


@bp.route("/sessions/<int:slot_id>/waitlist", methods=["POST"])
@permission_required("booking.create")
def waitlist(slot_id: int):
    session = _session_or_404(slot_id)
    form = WaitlistForm()
    if not form.validate_on_submit():
        flash(_("Give how many places you want."), "error")
    else:
        is_green = request.form.get("channel") == "green"
        channel = BookingChannel.GREEN if is_green else BookingChannel.GENERAL
        try:
            bookings.join_waitlist(
                session, by=current_user, places=form.places.data, channel=channel, now=utcnow()
            )
            flash(
                _("You are on the waiting list: we will tell you when places come free."), "success"
            )
            return redirect(url_for("booking.mine"))  # where the entry can be seen and left
        except ServiceError as error:
            show_service_error(form, error)
    return redirect(url_for("directory.venue", venue_id=session.venue_id))


@bp.route("/sessions/<int:slot_id>/waitlist/leave", methods=["POST"])
@permission_required("booking.create")
def leave_waitlist(slot_id: int):
    session = _session_or_404(slot_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            bookings.leave_waitlist(session, by=current_user, now=utcnow())
            flash(_("You have left the waiting list."), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return redirect(url_for("booking.mine"))


def _own_booking(code: str):
    try:
        return queries.get_booking_for(code, user=current_user)
    except NotFound:
        abort(404)


def booking_qr(text: str):
    """The door's QR code for a booking: always a full QR code, never a Micro QR (which
    segno.make picks for short codes and which phone cameras and jsQR cannot read)."""
    return segno.make_qr(text, error="m")


def _qr_data_uri(text: str) -> str:
    return booking_qr(text).svg_data_uri(scale=6, border=2)


@bp.route("/b/<code>")
@login_required
def detail(code: str):
    booking = _own_booking(code)
    return render_template(
        "booking/detail.html",
        booking=booking,
        qr=_qr_data_uri(booking.display_code),
        cancel_form=CancelForm(),
        can_cancel=access.is_booker_of(current_user, booking),
    )


@bp.route("/b/<code>/print")
@login_required
def print_view(code: str):
    booking = _own_booking(code)
    return render_template(
        "booking/print.html", booking=booking, qr=_qr_data_uri(booking.display_code)
    )


@bp.route("/b/<code>/calendar.ics")
@login_required
def ics(code: str):
    booking = _own_booking(code)
    response = make_response(booking_calendar.booking_ics(booking))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{booking.code}.ics"'
    return response


@bp.route("/b/<code>/cancel", methods=["GET", "POST"])
@login_required
def cancel(code: str):
    """GET asks to confirm, showing the deadline; POST cancels."""
    booking = _own_booking(code)
    if request.method == "GET":
        if not (booking.is_active and access.is_booker_of(current_user, booking)):
            return redirect(url_for("booking.detail", code=booking.code))
        return render_template(
            "booking/cancel.html",
            booking=booking,
            deadline=my_bookings.cancel_deadline(booking),
            now=utcnow(),
            cancel_form=CancelForm(),
        )
    form = CancelForm()
    if form.validate_on_submit():
        try:
            bookings.cancel_booking(booking, by=current_user, now=utcnow())
            flash(_("Booking cancelled."), "success")
        except ServiceError as error:
            if error.status_code in (403, 404):
                abort(error.status_code)
            show_service_error(form, error)
    return redirect(url_for("booking.detail", code=booking.code))


@bp.route("/mine")
@login_required
def mine():
    now = utcnow()
    return render_template(
        "booking/mine.html",
        mine=my_bookings.get_my_bookings(current_user, now=now),
        now=now,
        block_until=requests.get_booking_block(current_user, now=now),
    )


@bp.route("/trips")
@login_required
def trips():
    schools = list_schools_acted_for(current_user)
    if not schools:
        abort(403)
    return render_template(
        "booking/trips.html",
        schools=[
            (s, queries.list_school_trips(s), school_trips.list_venues_for_school(s))
            for s in schools
        ],
        now=utcnow(),
    )


@bp.app_template_global()
def coming_sessions(venue, days: int = 14):
    """(session, places) for a venue page: the next two weeks."""
    return availability.list_coming_sessions(venue, now=utcnow(), days=days)


@bp.app_template_global()
def booking_strip(venue):
    """(days, chosen day) for a venue page; the day comes from ?day=YYYY-MM-DD."""
    days = booking_days.list_booking_days(venue, now=utcnow())
    try:
        wanted = date.fromisoformat(request.args.get("day", "")[:10])
    except ValueError:
        wanted = None
    return days, booking_days.choose_day(days, wanted)


@bp.app_template_global()
def booking_rules(venue):
    return booking_days.get_booking_rules(venue)


@bp.app_template_global()
def my_holds(rows):
    """The signed-in person's live waiting-list holds among these (session, places) rows."""
    ids = [s.id for s, _places in rows]
    return waitlist_service.get_live_holds(current_user, ids, now=utcnow())


@bp.app_template_global()
def weekend_dates():
    """The coming Saturday and Sunday (local dates, today included); on a Sunday, that
    Sunday is today and the Saturday is next week's."""
    today = clock.local_date(utcnow())
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    sunday = today + timedelta(days=(6 - today.weekday()) % 7)
    return saturday, sunday


@bp.app_template_filter("local_time")
def local_time(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.to_local(moment).strftime(fmt) if moment else ""


@bp.app_template_filter("local_weekday")
def local_weekday(moment) -> int:
    return clock.to_local(moment).isoweekday()


@bp.app_context_processor
def booking_labels():
    return {
        "GREEN_CATEGORY_LABELS": GREEN_CATEGORY_LABELS,
        "DAY_STATE_LABELS": DAY_STATE_LABELS,
        "BOOKING_STATUS_LABELS": STATUS_LABELS,
        "BOOKING_CHANNEL_LABELS": CHANNEL_LABELS,
        "DOCUMENT_LABELS": DOCUMENT_LABELS,
        "VISITOR_GROUPS": VisitorGroup,
    }


@bp.app_template_global()
def booking_nav_links():
    """(url, label) of the booking links the signed-in person may use, for the main menu."""
    if not current_user.is_authenticated:
        return []
    links = [(url_for("booking.mine"), _("My bookings"))]
    if list_schools_acted_for(current_user):
        links.append((url_for("booking.trips"), _("Our trips")))
    if console_venues(current_user):
        links.append((url_for("console.index"), _("Venue console")))
    return links

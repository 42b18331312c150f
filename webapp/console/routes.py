"""Venue-staff console: sessions and open days, approvals, check-in, cancellations."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.console import bp
from webapp.console.access import booking_for_staff, session_for_staff, venue_for_staff
from webapp.console.forms import CheckInForm, EmptyForm, OpenDayForm, ReasonForm
from webapp.services.booking import availability, bookings, door, open_days, queries, slots
from webapp.services.booking import staff as staff_service
from webapp.services.booking.venue_staff import console_venues
from webapp.services.errors import ServiceError
from webapp.services.permissions import can
from webapp.views import show_service_error


@bp.route("/")
@permission_required("venue.staff_any")
def index():
    venues = console_venues(current_user)
    if not can(current_user, "admin.access"):
        return redirect(url_for("console.today"))
    return render_template("console/index.html", venues=venues)


@bp.route("/venues/<int:venue_id>")
@login_required
def venue(venue_id: int):
    venue = venue_for_staff(venue_id)
    now = utcnow()
    return render_template(
        "console/venue.html",
        venue=venue,
        rows=availability.list_coming_sessions(venue, now=now - timedelta(hours=12), days=15),
        pending=queries.list_pending_approvals(venue),
        check_in_form=CheckInForm(),
        open_day_form=OpenDayForm(),
        reason_form=ReasonForm(),
        empty_form=EmptyForm(),
    )


@bp.route("/venues/<int:venue_id>/check-in", methods=["POST"])
@login_required
def check_in(venue_id: int):
    venue = venue_for_staff(venue_id)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            now = utcnow()
            party = door.look_up(venue, form.code.data, by=current_user, now=now)
            booking = door.record_arrival(
                venue,
                form.code.data,
                people=party.still_to_come,
                seen_arrived=party.booking.arrived,
                by=current_user,
                now=now,
            )
            flash(
                _(
                    "Checked in: %(code)s, %(n)d people.",
                    code=booking.display_code,
                    n=booking.places,
                ),
                "success",
            )
        except ServiceError as error:
            show_service_error(form, error)
    else:
        flash(_("Type the booking code."), "error")
    return redirect(url_for("console.venue", venue_id=venue.id))


@bp.route("/venues/<int:venue_id>/open-days", methods=["POST"])
@login_required
def open_day(venue_id: int):
    venue = venue_for_staff(venue_id)
    form = OpenDayForm()
    if form.validate_on_submit():
        try:
            open_days.create_open_day(venue, form.details(), by=current_user, now=utcnow())
            flash(_("Open day published."), "success")
        except ServiceError as error:
            show_service_error(form, error)
    else:
        names = ", ".join(str(form[name].label.text) for name in form.errors)
        flash(_("Please check: %(names)s", names=names), "error")
    return redirect(url_for("console.venue", venue_id=venue.id))


@bp.route("/venues/<int:venue_id>/generate", methods=["POST"])
@login_required
def generate(venue_id: int):
    venue = venue_for_staff(venue_id)
    if EmptyForm().validate_on_submit():
        added = slots.generate_sessions(venue, now=utcnow())
        flash(_("%(n)d sessions added from the timetable.", n=added), "success")
    return redirect(url_for("console.venue", venue_id=venue.id))


@bp.route("/sessions/<int:slot_id>")
@login_required
def session(slot_id: int):
    found = session_for_staff(slot_id)
    venue = found.venue
    return render_template(
        "console/session.html",
        venue=venue,
        session=found,
        places=availability.get_availability([found.id], now=utcnow())[found.id],
        rows=queries.list_session_bookings(found),
        reason_form=ReasonForm(),
        empty_form=EmptyForm(),
    )


@bp.route("/sessions/<int:slot_id>/no-shows", methods=["POST"])
@login_required
def no_shows(slot_id: int):
    found = session_for_staff(slot_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            n = staff_service.mark_no_shows(found, by=current_user, now=utcnow())
            flash(_("%(n)d bookings marked as not come.", n=n), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return redirect(url_for("console.session", slot_id=found.id))


def _back(booking):
    target = request.form.get("back")
    if target == "session":
        return redirect(url_for("console.session", slot_id=booking.slot_id))
    if target == "today":
        return redirect(url_for("console.today"))
    return redirect(url_for("console.venue", venue_id=booking.slot.venue_id))


@bp.route("/bookings/<code>/approve", methods=["POST"])
@login_required
def approve(code: str):
    booking = booking_for_staff(code)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            staff_service.approve_booking(booking, by=current_user, now=utcnow())
            flash(_("Approved: the school has been told."), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return _back(booking)


@bp.route("/bookings/<code>/refuse", methods=["POST"])
@login_required
def refuse(code: str):
    booking = booking_for_staff(code)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            staff_service.refuse_booking(
                booking, by=current_user, reason=form.reason.data or "", now=utcnow()
            )
            flash(_("Refused: the school has been told."), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return _back(booking)


@bp.route("/bookings/<code>/cancel", methods=["POST"])
@login_required
def cancel(code: str):
    booking = booking_for_staff(code)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            bookings.cancel_booking(
                booking, by=current_user, reason=form.reason.data or "", now=utcnow()
            )
            flash(_("Cancelled: the booker has been told."), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return _back(booking)

"""The door, on a phone: scan or type a booking code, see the party, record who arrived;
and the undo of a no-show."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.user import utcnow
from webapp.console import bp
from webapp.console.access import booking_for_staff, venue_for_staff
from webapp.console.forms import ArrivalForm, CheckInForm, ReasonForm
from webapp.services.booking import door
from webapp.services.errors import ServiceError
from webapp.views import show_service_error


def _door_page(venue, code: str, *, problem: str | None = None, status: int = 200):
    """The door page; with a code, the party behind it (or why it cannot come in)."""
    lookup = CheckInForm(formdata=None, data={"code": code}, meta={"csrf": False})
    party = None
    arrival = ArrivalForm()
    if code:
        if lookup.validate():
            try:
                party = door.look_up(venue, lookup.code.data, by=current_user, now=utcnow())
                arrival.code.data = party.booking.code
                arrival.people.data = party.still_to_come
                arrival.seen_arrived.data = party.booking.arrived
            except ServiceError as error:
                problem, status = error.message, 422
        else:
            problem, status = _("Type the booking code."), 422
    page = render_template(
        "console/door.html",
        venue=venue,
        lookup=lookup,
        party=party,
        problem=problem,
        arrival=arrival,
    )
    # the one page that may use the camera (the site's policy turns it off elsewhere)
    return page, status, {"Permissions-Policy": "camera=(self), microphone=(), payment=()"}


@bp.route("/venues/<int:venue_id>/door")
@login_required
def door_page(venue_id: int):
    venue = venue_for_staff(venue_id)
    return _door_page(venue, request.args.get("code", ""))


def _presented_documents(form) -> dict[int, str]:
    """The ID numbers staff typed on the door page, by visitor id (fields `id-<visitor id>`)."""
    typed = {}
    for key, value in form.items():
        if key.startswith("id-") and key[3:].isdigit():
            typed[int(key[3:])] = value[:40]
    return typed


@bp.route("/venues/<int:venue_id>/door", methods=["POST"])
@login_required
def door_arrival(venue_id: int):
    venue = venue_for_staff(venue_id)
    form = ArrivalForm()
    if not form.validate_on_submit():
        flash(_("Give how many people arrived (at least 1)."), "error")
        return redirect(url_for("console.door_page", venue_id=venue.id, code=form.code.data or ""))
    try:
        booking = door.record_arrival(
            venue,
            form.code.data,
            people=form.people.data,
            seen_arrived=form.seen_arrived.data,
            by=current_user,
            now=utcnow(),
            documents=_presented_documents(request.form),
        )
    except ServiceError as error:
        if error.field == "documents":  # the party stays on screen, nothing recorded
            return _door_page(venue, form.code.data, problem=error.message, status=422)
        show_service_error(form, error)
        return redirect(url_for("console.door_page", venue_id=venue.id))
    flash(
        _(
            "Checked in: %(code)s, %(n)d of %(places)d people.",
            code=booking.display_code,
            n=booking.arrived,
            places=booking.places,
        ),
        "success",
    )
    return redirect(url_for("console.door_page", venue_id=venue.id))


@bp.route("/bookings/<code>/undo-no-show", methods=["POST"])
@login_required
def undo_no_show(code: str):
    booking = booking_for_staff(code)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            door.undo_no_show(booking, reason=form.reason.data or "", by=current_user, now=utcnow())
            flash(_("No-show taken back; the reason is in the audit log."), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return redirect(url_for("console.session", slot_id=booking.slot_id))

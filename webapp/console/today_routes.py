"""Today: the page venue staff land on; the day's sessions, approvals waiting, open days
coming, and the printable visitor list."""

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user, login_required

from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.console import bp
from webapp.console.forms import EmptyForm
from webapp.services import clock
from webapp.services.booking import desk_today, slots
from webapp.services.booking.desk_today import mask_phone
from webapp.services.booking.venue_staff import console_venues


def staff_venues():
    """The signed-in person's venues, or only the one `?venue=` names (404 if not theirs)."""
    venues = console_venues(current_user)
    chosen = request.args.get("venue", type=int)
    if chosen is not None:
        venues = [v for v in venues if v.id == chosen]
        if not venues:
            abort(404)
    return venues


def _day_arg(default: date) -> date:
    raw = request.args.get("day", "")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400)


@bp.route("/today")
@permission_required("venue.staff_any")
def today():
    venues = staff_venues()
    now = utcnow()
    day = clock.local_date(now)
    return render_template(
        "console/today.html",
        venues=venues,
        day=day,
        figures=desk_today.list_day_sessions(venues, day),
        waiting=desk_today.list_waiting_groups(venues),
        open_days=desk_today.list_open_days_ahead(venues, now=now),
        empty_form=EmptyForm(),
        chosen=request.args.get("venue", type=int),
    )


@bp.route("/venues/<int:venue_id>/visitors")
@login_required
def visitors(venue_id: int):
    from webapp.console.access import venue_for_staff

    venue = venue_for_staff(venue_id)
    day = _day_arg(clock.local_date(utcnow()))
    session = None
    slot_id = request.args.get("session", type=int)
    if slot_id is not None:
        session = slots.get_session(slot_id)
        if session is None or session.venue_id != venue.id:
            abort(404)
        day = clock.local_date(session.starts_at)
    return render_template(
        "console/visitors.html",
        venue=venue,
        day=day,
        session=session,
        rows=desk_today.list_visitors(venue, day=day, session=session),
        mask_phone=mask_phone,
    )

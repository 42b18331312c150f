"""Commands cron runs: `flask generate-sessions`, `flask send-reminders`, `flask release-holds`,
`flask mark-no-shows`; and `flask check-bookings`, which operators (and the tests) run to prove
the counters."""

import click
from flask import current_app

from models.user import utcnow
from webapp.booking import bp
from webapp.services.booking import capacity, door, slots, waitlist
from webapp.services.booking import reminders as reminders_service


@bp.cli.command("generate-sessions")
@click.option(
    "--days",
    type=click.IntRange(min=1, max=366),
    default=None,
    help="How many days ahead (default: the BOOKING_WINDOW_DAYS setting, 30).",
)
def generate_sessions_command(days):
    """Create the coming sessions from every venue's weekly timetable (safe to run twice)."""
    with current_app.test_request_context("/"):  # messages are translated (default language)
        added = slots.generate_sessions(now=utcnow(), days=days)
    click.echo(f"sessions added: {added}")


@bp.cli.command("send-reminders")
def send_reminders_command():
    """Store a reminder in the outbox for every confirmed visit tomorrow (once each)."""
    with current_app.test_request_context("/"):
        sent = reminders_service.send_reminders(now=utcnow())
    click.echo(f"reminders: {sent}")


@bp.cli.command("release-holds")
def release_holds_command():
    """Release waiting-list holds that lapsed and offer their places to the next in line."""
    with current_app.test_request_context("/"):
        released = waitlist.release_expired_holds(now=utcnow())
    click.echo(f"holds released: {released}")


@bp.cli.command("mark-no-shows")
def mark_no_shows_command():
    """Mark confirmed bookings nobody checked in as no-shows, once their session ended
    NO_SHOW_GRACE_MINUTES ago (staff can undo one with a reason)."""

    with current_app.test_request_context("/"):
        marked = door.mark_due_no_shows(now=utcnow())
    click.echo(f"no-shows marked: {marked}")


@bp.cli.command("check-bookings")
def check_bookings_command():
    """Recount every session's taken and held places from its bookings and holds; print any
    difference and exit 1 when there is one."""
    differences = capacity.recount()
    for difference in differences:
        click.echo(str(difference))
    if differences:
        raise SystemExit(1)
    click.echo("bookings: every session's counts match its bookings and holds")

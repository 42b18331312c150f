"""Command line: `flask seed`, and the commands later areas add."""

import click
from flask import Flask

from models import db


def init_app(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option(
        "--synthetic",
        type=click.IntRange(min=0),
        default=0,
        help="Also add this many generated venues.",
    )
    def seed_command(synthetic: int):
        """Load the seed data (safe to run twice)."""
        from seed.loader import SeedError, load_seed
        from seed.synthetic import add_synthetic_venues

        try:
            report = load_seed(db.session)
        except SeedError as error:
            raise click.ClickException(str(error)) from None
        for name, count in report.counts.items():
            click.echo(f"{name}: {count}")
        for note in report.notes:
            click.echo(note)
        if synthetic:
            add_synthetic_venues(db.session, synthetic)
            click.echo(f"synthetic venues: {synthetic}")

    @app.cli.command("deliver-messages")
    def deliver_messages_command():
        """Send the outbox messages that are due, retries included (cron, every minute)."""
        from webapp.services.outbox import deliver_unsent

        sent, unsent = deliver_unsent()
        click.echo(f"sent: {sent}, still unsent: {unsent}")

    @app.cli.command("purge-personal-data")
    def purge_personal_data_command():
        """Remove contact data and real-name entries past their retention (cron, daily)."""
        from models.user import utcnow
        from webapp.services.retention import purge_personal_data

        purged = purge_personal_data(now=utcnow())
        click.echo(
            f"bookings purged: {purged.bookings}, real-name entries: {purged.visitors}, "
            f"messages: {purged.messages}"
        )

    @app.cli.command("outbox-worker")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    def outbox_worker_command(burst):
        """Work the RQ queue of messages (needs REDIS_URL)."""
        from webapp.services.outbox_queue import run_worker

        if not app.config.get("REDIS_URL"):
            raise click.UsageError("REDIS_URL is not set: use the deliver-messages sweep.")
        run_worker(burst=burst)

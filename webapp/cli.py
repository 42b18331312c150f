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
        """Send again the outbox messages not delivered yet (for cron)."""
        from webapp.services.outbox import deliver_unsent

        sent, unsent = deliver_unsent()
        click.echo(f"sent: {sent}, still unsent: {unsent}")

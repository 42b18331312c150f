"""Commands cron runs: `flask refresh-dashboard` rebuilds the dashboard's monthly rollups;
`flask purge-venue-imports` removes venue imports past their day."""

import click
import sqlalchemy as sa

from webapp.bureau import bp
from webapp.services.catalogue import venue_import
from webapp.services.supervision import rollups


@bp.cli.command("refresh-dashboard")
@click.option("--check", is_flag=True, help="Afterwards, compare the rollups with a recount.")
def refresh_dashboard_command(check):
    """Rebuild the per-venue and per-school monthly sums the supervision dashboard reads."""
    made = rollups.refresh_rollups()
    rollups.vacuum_rollups()
    click.echo(f"venue-months: {made}")
    if check:
        wrong = rollups.find_rollup_mismatches(sa.true())
        for month in wrong:
            click.echo(f"mismatch: {month.isoformat()}")
        if wrong:
            raise SystemExit(1)
        click.echo("rollups equal a full recount")



@bp.cli.command("purge-venue-imports")
def purge_venue_imports_command():
    """Delete venue-import previews (and confirmed imports) older than a day, files and all."""
    click.echo(f"venue imports purged: {venue_import.purge_venue_imports()}")

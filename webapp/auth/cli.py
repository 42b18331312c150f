"""Command line: `flask create-admin` and `flask create-user` for the first account and demos."""

import click
import sqlalchemy as sa
from flask import current_app

from models import Region, Role, School, Venue, db
from webapp.auth import bp
from webapp.services.accounts.users import create_user as create_account
from webapp.services.errors import ServiceError
from webapp.services.transactions import unit_of_work

_ROLES = {role.value: role for role in Role}


def _finish(user, created: bool, role: Role) -> None:
    verb = "created" if created else "updated"
    click.echo(f"{verb} {user.login_name} ({role.value})")


@bp.cli.command("create-admin")
@click.option("--login", prompt="Mobile number or e-mail", help="The administrator's login.")
@click.option("--name", default="", help="Display name.")
@click.password_option(help="At least 8 characters, not a common password.")
def create_admin(login: str, name: str, password: str):
    """Create the first site administrator (or make an existing account one)."""
    try:
        # messages are translated per request
        with current_app.test_request_context(), unit_of_work():
            user, created = create_account(login, password, role=Role.ADMIN, name=name)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    _finish(user, created, Role.ADMIN)


@bp.cli.command("create-user")
@click.option("--role", type=click.Choice(sorted(_ROLES)), required=True)
@click.option("--login", required=True, help="Mobile number or e-mail.")
@click.option("--password", prompt=True, hide_input=True, help="At least 8 characters.")
@click.option("--name", default="")
@click.option("--region", "adcode", help="Bureau staff: adcode of their province, city or county.")
@click.option("--venue", "slug", help="Venue staff: the venue's slug.")
@click.option("--school", "school_id", type=int, help="School staff: the school's id.")
@click.option("--manager", is_flag=True, help="Venue staff who may invite colleagues.")
def create_user(login, password, name, role, adcode, slug, school_id, manager):
    """Create a user of any role for tests and demos (an existing user gains the role)."""
    region = venue = school = None
    if adcode:
        region = db.session.scalar(sa.select(Region).where(Region.adcode == adcode))
        if region is None:
            raise click.ClickException(f"no region with adcode {adcode}")
    if slug:
        venue = db.session.scalar(sa.select(Venue).where(Venue.slug == slug))
        if venue is None:
            raise click.ClickException(f"no venue with slug {slug}")
    if school_id is not None:
        school = db.session.get(School, school_id)
        if school is None:
            raise click.ClickException(f"no school with id {school_id}")
    try:
        with current_app.test_request_context(), unit_of_work():
            user, created = create_account(
                login,
                password,
                role=_ROLES[role],
                name=name,
                region=region,
                venue=venue,
                school=school,
                is_manager=manager,
            )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    _finish(user, created, _ROLES[role])

"""Preferences a person keeps between visits: for now, the language messages reach them in.

The language is the one they last chose with the switch in the header, or the one the site
was shown in when they signed in; messages to them are written in it (see outbox).
"""

import sqlalchemy as sa
from flask import current_app

from models import User, db
from webapp.services.transactions import unit_of_work


def remember_locale(user: User, code: str) -> bool:
    """Store `code` as the user's language; True when it changed. Unknown codes are ignored.

    Rules: only the site's languages are stored; an unchanged language writes nothing.
    """
    if code not in current_app.config["LANGUAGES"] or user.locale == code:
        return False
    with unit_of_work():
        db.session.execute(
            sa.update(User).where(User.id == user.id).values(locale=code),
            execution_options={"synchronize_session": "fetch"},
        )
    return True

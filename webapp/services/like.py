"""LIKE searches: what a person types is matched as text, never as a pattern.

A search for "50%" or "a_b" must not match every row, so the wildcards % and _ (and the escape
character itself) in typed text are escaped. Every LIKE in the services goes through here.
"""

import sqlalchemy as sa

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards and escape character escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column, text: str) -> sa.ColumnElement[bool]:
    """`column` holds `text` somewhere, taken literally."""
    return column.like(f"%{escape_like(text)}%", escape=ESCAPE)


def starts_with(column, text: str) -> sa.ColumnElement[bool]:
    """`column` begins with `text`, taken literally."""
    return column.like(f"{escape_like(text)}%", escape=ESCAPE)

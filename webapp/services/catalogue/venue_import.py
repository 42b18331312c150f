"""Bulk import of venues from a spreadsheet: check every row, preview, then confirm.

Bureau staff upload an .xlsx or .csv (read through the bounded streaming reader of
`spreadsheets.read_rows`). Every row is checked by the rules venue pages follow
(`venue_admin`); any bad row rejects the whole file with every problem listed by line and
column, and nothing is kept. A good file is kept in the database under a token, so the
preview and the confirmation may be answered by different workers; the preview lists what
would be created and changed, and confirming writes it all in one unit of work (audited per
venue; the catalogue version goes up with the flush, so cached pages see it).

A row is matched to an existing venue by name and county, so a second import updates rather
than duplicates; cells left empty keep what the venue has. The county is the one named, else
found offline from the address; without coordinates a venue is placed at its county's centre
and marked approximate (no online geocoder is asked).
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from models import Venue, VenueImport, db
from webapp.services import clock, permissions, spreadsheets
from webapp.services.audit import record_change
from webapp.services.catalogue import editing as venue_admin
from webapp.services.catalogue import venue_import_sheet as sheet
from webapp.services.catalogue.venue_import_rows import ParsedRow, parse_rows
from webapp.services.errors import NotFound, ServiceError
from webapp.services.spreadsheets import ImportRejected, Problem
from webapp.services.transactions import unit_of_work

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
#: the header is looked for among the first lines that hold anything
MAX_HEADER_LINE = 10
#: a preview not confirmed within this long must be uploaded again
KEEP_FOR = timedelta(days=1)


@dataclass
class PlanRow:
    """What confirming does with one line: create, update (with the changes) or nothing."""

    line: int
    action: str
    name: str
    county: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlanRow]
    #: changes whenever what confirming would do changes (the catalogue moved on meanwhile)
    digest: str

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


@dataclass
class StagedImport:
    token: str
    record: VenueImport
    plan: Plan


def _read(content: bytes, filename: str) -> list[tuple[int, list]]:
    try:
        return list(
            spreadsheets.read_rows(
                BytesIO(content),
                filename=filename,
                max_rows=MAX_ROWS + MAX_HEADER_LINE,
                max_columns=MAX_COLUMNS,
                max_bytes=MAX_FILE_BYTES,
            )
        )
    except spreadsheets.SpreadsheetError as error:
        raise ImportRejected(
            [Problem(error.line or 1, error.column or "", error.message)]
        ) from None


def _cell_name(key: str, positions: dict[str, int]) -> str:
    if key.startswith("admission.") and key not in positions and "admission" in positions:
        key = "admission"  # a group's price written in the list's one admission column
    column = sheet.BY_KEY[key]
    index = positions.get(key)
    if index is None:
        return column.header
    return f"{get_column_letter(index + 1)}（{column.header}）"


def _check(content: bytes, filename: str, *, by, now: datetime) -> list[ParsedRow]:
    rows = _read(content, filename)
    parsed, problems, positions = parse_rows(
        rows, by=by, today=clock.today(now), max_rows=MAX_ROWS, max_header_line=MAX_HEADER_LINE
    )
    if problems:
        raise ImportRejected(
            [
                Problem(line, _cell_name(key, positions) if key else "", m)
                for line, key, m in problems
            ]
        )
    return parsed


def _plan(parsed: list[ParsedRow]) -> Plan:
    rows = []
    for row in parsed:
        if row.venue is None:
            action = "create"
        else:
            action = "update" if row.changes else "unchanged"
        county = row.checked["county"]
        name = f"{county.parent.name}{county.name}" if county.parent else county.name
        rows.append(PlanRow(row.line, action, row.checked["name"], name, row.changes))
    digest = hashlib.sha256(
        repr([(r.line, r.action, r.name, r.county, r.changes) for r in rows]).encode()
    ).hexdigest()[:20]
    return Plan(rows, digest)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stage_import(
    stream: BinaryIO, *, filename: str, by, now: datetime | None = None
) -> StagedImport:
    """Check an uploaded venue spreadsheet and keep it for the preview.

    Rules: bureau staff only; the file is at most 5 MB, 5000 venues and 40 columns, and an
    .xlsx or .csv; every row is checked (required cells, known categories, levels, stages
    and counties, each county inside the uploader's region, prices, hours, coordinates, no
    venue twice) and any problem rejects the file, keeping nothing. A good file replaces the
    uploader's earlier unconfirmed one.
    Raises: PermissionDenied; ImportRejected with `problems`.
    """
    now = now or clock.now()
    permissions.require(by, "bureau.console")
    content = stream.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        message = _("The file is larger than %(mb)s MB.", mb=MAX_FILE_BYTES // 1024 // 1024)
        raise ImportRejected([Problem(1, "", message)])
    plan = _plan(_check(content, filename, by=by, now=now))
    token = secrets.token_urlsafe(24)
    with unit_of_work():
        db.session.execute(
            sa.delete(VenueImport).where(
                VenueImport.user_id == by.id, VenueImport.applied_at.is_(None)
            )
        )
        record = VenueImport(
            token_hash=_hash(token),
            user_id=by.id,
            filename=(filename or "")[:200],
            content=content,
            created_at=now,
        )
        db.session.add(record)
    return StagedImport(token, record, plan)


def get_import(token: str, *, by, now: datetime | None = None) -> VenueImport:
    """The kept import behind `token`, if it is `by`'s and not expired.

    Raises: NotFound (unknown, someone else's, or older than a day).
    """
    now = now or clock.now()
    record = db.session.scalar(
        sa.select(VenueImport).where(VenueImport.token_hash == _hash(token or ""))
    )
    if record is None or record.user_id != getattr(by, "id", None):
        raise NotFound(_("There is no such import. Upload the file again."))
    if record.applied_at is None and now - record.created_at > KEEP_FOR:
        raise NotFound(_("This preview has expired. Upload the file again."))
    return record


def purge_venue_imports(*, now: datetime | None = None) -> int:
    """Remove the kept files of imports past their day (cron); return how many went.

    Rules: a preview not confirmed within `KEEP_FOR` can no longer be confirmed, and a
    confirmed one is never applied again, so either is deleted, file and all, once older than
    that; a newer preview stays, so an upload in progress is never lost.
    """
    now = now or clock.now()
    with unit_of_work():
        purged = db.session.execute(
            sa.delete(VenueImport).where(VenueImport.created_at < now - KEEP_FOR)
        )
    return int(purged.rowcount or 0)


def preview_import(record: VenueImport, *, by, now: datetime | None = None) -> Plan:
    """What confirming `record` would create and change, checked again against today's
    catalogue. Raises: PermissionDenied; ImportRejected (the catalogue or the uploader's
    scope changed so that a row no longer passes)."""
    now = now or clock.now()
    permissions.require(by, "bureau.console")
    return _plan(_check(record.content, record.filename, by=by, now=now))


def confirm_import(record: VenueImport, *, digest: str, by, now: datetime | None = None) -> Plan:
    """Write a previewed import: create and update its venues in one unit of work.

    Rules: only its uploader, once; every row is checked again, and if what would be done
    differs from the preview the bureau saw (`digest`), nothing is written and the preview
    must be looked at again. Every venue created or changed is audited.
    Raises: PermissionDenied; ImportRejected; ServiceError (already confirmed, or the
    preview is out of date).
    """
    now = now or clock.now()
    if record.applied_at is not None:
        raise ServiceError(_("This import was already confirmed."))
    parsed = _check(record.content, record.filename, by=by, now=now)
    plan = _plan(parsed)
    if plan.digest != digest:
        raise ServiceError(
            _("The catalogue changed since the preview. Check the new preview and confirm again.")
        )
    with venue_admin.venue_unit_of_work():
        for row in parsed:
            _apply(row, by=by, now=now)
        updated = db.session.execute(
            sa.update(VenueImport)
            .where(VenueImport.id == record.id, VenueImport.applied_at.is_(None))
            .values(applied_at=now)
        )
        if updated.rowcount != 1:
            raise ServiceError(_("This import was already confirmed."))
    return plan


def _apply(row: ParsedRow, *, by, now: datetime) -> None:
    if row.venue is not None and not row.changes:
        return
    venue = row.venue
    before = venue_admin.venue_snapshot(venue) if venue is not None else None
    checked = dict(row.checked)
    if venue is None:
        checked["slug"] = venue_admin.slug_for(checked["name"])
        venue = Venue()
        db.session.add(venue)
    venue_admin.write_venue(venue, checked)
    db.session.flush()
    action = "venue.create" if before is None else "venue.update"
    record_change(
        by, action, venue, before=before, after=venue_admin.venue_snapshot(venue), now=now
    )

"""The audit log in words: who did what to which thing, with values named by their labels.

Entries keep the permission-style action ("school.update") and raw values; this module turns
them into a sentence in the reader's language ("张三 changed the school 太原市第五中学").
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import AuditEntry, GuidanceActivity, School, Venue, db

_MODELS = {"guidanceactivity": GuidanceActivity, "school": School, "venue": Venue}

ACTION_LABELS = {
    "school.create": _l("added the school"),
    "school.update": _l("changed the school"),
    "staff.approve": _l("approved the school account of"),
    "staff.reject": _l("refused the school account of"),
    "user.disable": _l("disabled the account of"),
    "user.enable": _l("enabled the account of"),
    "venue.create": _l("added the venue"),
    "venue.update": _l("changed the venue"),
    "venue.invite_staff": _l("invited staff to the venue"),
    "venue.photo_add": _l("added a photo of the venue"),
    "venue.photo_delete": _l("deleted a photo of the venue"),
    "venue.photo_first": _l("chose the first photo of the venue"),
    "guidance.record": _l("recorded a guidance activity at"),
    "guidance.correct": _l("corrected a guidance activity at"),
    "guidance.remove": _l("removed a guidance activity at"),
}

FIELD_LABELS = {
    "name": _l("Name"),
    "name_en": _l("English name"),
    "county": _l("County"),
    "stages": _l("Stages taught"),
    "address": _l("Address"),
    "lat": _l("Latitude"),
    "lng": _l("Longitude"),
    "approximate": _l("Location approximate"),
    "level": _l("Level"),
    "categories": _l("Categories"),
    "user": _l("Account"),
    "role": _l("Role"),
    "school": _l("School"),
    "approved": _l("Approved"),
    "enabled": _l("Enabled"),
    "venue": _l("Venue"),
    "recipient": _l("Sent to"),
    "manager": _l("May invite colleagues"),
    "held_on": _l("Held on"),
    "kind": _l("Kind"),
    "topic": _l("Topic"),
    "parents": _l("Parents who took part"),
    "host": _l("School or station"),
    "photo": _l("Photo file"),
    "photos": _l("Photos now"),
}

#: which recorded value names the changed thing, by action prefix
_NAMED_BY = ("school", "name", "venue", "host", "user", "recipient")


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key


def value_text(value) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value is None or value == "":
        return "—"
    return str(value)


def _thing(entry: AuditEntry) -> str:
    for values in (entry.after or {}, entry.before or {}):
        for key in _NAMED_BY:
            if values.get(key):
                return str(values[key])
    # a correction records only what changed: name the thing as it is now, if it still is
    model = _MODELS.get(entry.object_type)
    obj = db.session.get(model, entry.object_id) if model and entry.object_id else None
    if obj is not None:
        return str(getattr(obj, "host_name", None) or getattr(obj, "name", ""))
    return f"#{entry.object_id}" if entry.object_id else ""


def describe(entry: AuditEntry) -> str:
    """'张三 approved the school account of 太原市第五中学' in the reader's language."""
    who = (entry.actor.name or entry.actor_label) if entry.actor is not None else entry.actor_label
    return _(
        "%(who)s %(did)s %(what)s", who=who or _("System"), did=action_label(entry.action),
        what=_thing(entry),
    )


def labelled(values: dict | None) -> list[tuple[str, str]]:
    return [(field_label(k), value_text(v)) for k, v in (values or {}).items()]

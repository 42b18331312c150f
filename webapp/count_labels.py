"""Display names of a booking's head counts, by field, for the door, visitor lists and exports."""

from flask_babel import lazy_gettext as _l

COUNT_LABELS = {
    "preschool": _l("Preschool children"),
    "primary_pupils": _l("Primary pupils"),
    "junior": _l("Junior secondary students"),
    "senior": _l("Senior secondary students"),
    "adults": _l("Accompanying adults"),
    "teachers": _l("Teachers"),
    "left_behind": _l("Left-behind children"),
    "disabled": _l("Children with disabilities"),
    "orphaned": _l("Orphaned children"),
    "special_family": _l("Children from special-hardship families"),
}

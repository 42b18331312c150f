"""Display names of the lecturer pool's enums, translated at render time."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import LecturerCategory, LectureStatus
from webapp.i18n import current_language
from webapp.services.lecturers.pools import pool_name

LECTURER_CATEGORY_LABELS = {
    LecturerCategory.RETIRED_CADRE: _l("Retired cadre"),
    LecturerCategory.VETERAN: _l("Veteran"),
    LecturerCategory.RETIRED_EXPERT: _l("Retired expert"),
    LecturerCategory.RETIRED_TEACHER: _l("Retired teacher"),
    LecturerCategory.RETIRED_MODEL_WORKER: _l("Retired model worker"),
    LecturerCategory.LABOUR_MODEL: _l("Labour model"),
    LecturerCategory.MORAL_MODEL: _l("Moral model"),
    LecturerCategory.ROLE_MODEL_OF_THE_TIMES: _l("Role model of the times"),
    LecturerCategory.CIVIC_VIRTUE: _l("Civic-virtue representative"),
    LecturerCategory.ESTEEMED_ARTIST: _l("Esteemed artist"),
    LecturerCategory.UNIVERSITY_EXPERT: _l("University or research expert"),
    LecturerCategory.YOUNG_TEACHER: _l("Outstanding young teacher"),
    LecturerCategory.OTHER: _l("Other"),
}

LECTURE_STATUS_LABELS = {
    LectureStatus.REQUESTED: _l("Requested"),
    LectureStatus.ASSIGNED: _l("Lecturer assigned"),
    LectureStatus.DELIVERED: _l("Delivered"),
    LectureStatus.CANCELLED: _l("Cancelled"),
}


def pool_label(pool) -> str:
    """A pool's name in the user's language.

    Pools are named after their region ("太原市家庭教育讲师团"); such a name follows the language
    like the region does, while a name a bureau chose itself is shown as it is.
    """
    if pool.name != pool_name(pool.region):
        return pool.name
    return region_pool_label(pool.region, current_language())


def region_pool_label(region, lang: str) -> str:
    """The name of the pool a region has (or would have), in the user's language."""
    return _("%(region)s family-education lecturer pool", region=region.display_name(lang))


def init_app(app) -> None:
    app.jinja_env.globals.update(
        pool_label=pool_label,
        LECTURER_CATEGORY_LABELS=LECTURER_CATEGORY_LABELS,
        LECTURE_STATUS_LABELS=LECTURE_STATUS_LABELS,
    )

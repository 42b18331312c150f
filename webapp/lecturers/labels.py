"""Display names of the lecturer pool's enums, translated at render time."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import LecturerCategory, LectureStatus

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

#: the Chinese names bureaus write in their spreadsheets, whatever the interface language
CATEGORY_SHEET_NAMES = {
    LecturerCategory.RETIRED_CADRE: "老干部",
    LecturerCategory.VETERAN: "老战士",
    LecturerCategory.RETIRED_EXPERT: "老专家",
    LecturerCategory.RETIRED_TEACHER: "老教师",
    LecturerCategory.RETIRED_MODEL_WORKER: "老模范",
    LecturerCategory.LABOUR_MODEL: "劳动模范",
    LecturerCategory.MORAL_MODEL: "道德模范",
    LecturerCategory.ROLE_MODEL_OF_THE_TIMES: "时代楷模",
    LecturerCategory.CIVIC_VIRTUE: "文明风尚先进代表",
    LecturerCategory.ESTEEMED_ARTIST: "德艺双馨文艺家",
    LecturerCategory.UNIVERSITY_EXPERT: "高校及科研院所专家",
    LecturerCategory.YOUNG_TEACHER: "优秀青年教师",
    LecturerCategory.OTHER: "其他",
}

WEEKDAY_SHEET_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


def pool_label(pool) -> str:
    """A pool's name in the user's language.

    Pools are named after their region ("太原市家庭教育讲师团"); such a name follows the language
    like the region does, while a name a bureau chose itself is shown as it is.
    """
    from webapp.i18n import current_language
    from webapp.services.lecturers import pool_name

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

"""The roster workbook's layout, as bureaus keep it: its title, columns and the Chinese words
its cells hold. Shared by roster_export and roster_import so that an exported roster imports
back."""

from dataclasses import dataclass

from models import LecturerCategory

TITLE = "家庭教育讲师团成员名单"
HEADER_ROW = 3
STATUS_ACTIVE, STATUS_RETIRED = "在聘", "已退出"

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


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int = 14


COLUMNS = (
    Column("seq", "序号", False, 6),
    Column("name", "姓名", True, 10),
    Column("pool", "所属讲师团（市/县）", True, 18),
    Column("category", "类别", True, 16),
    Column("topics", "宣讲主题", True, 30),
    Column("bio", "个人简介", False, 40),
    Column("term_starts_on", "聘期开始", False, 12),
    Column("term_ends_on", "聘期结束", False, 12),
    Column("free_weekdays", "常规空闲日", False, 16),
    Column("phone", "联系电话", True, 14),
    Column("address", "地址", False, 24),
    Column("status", "状态", False, 8),
)

"""Importing and exporting the lecturer roster as Excel in the bureaus' layout."""

from datetime import date, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from models import Lecturer, Role, db
from tests.factories import make_lecturer, make_topic, make_user
from webapp.services.errors import PermissionDenied
from webapp.services.lecturers.roster_export import export_workbook, template_workbook
from webapp.services.lecturers.roster_import import ImportRejected, import_roster

HEADERS = [
    "序号",
    "姓名",
    "所属讲师团（市/县）",
    "类别",
    "宣讲主题",
    "个人简介",
    "聘期开始",
    "聘期结束",
    "常规空闲日",
    "联系电话",
    "地址",
    "状态",
]
GOOD = [1, "王建国", "太原市小店区", "老教师", "亲子沟通、安全教育", "退休教师", "2024-09-01",
        date(2027, 8, 31), "周二、周四", "13800000001", "", "在聘"]  # fmt: skip


pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def bureau(regions):
    make_topic("亲子沟通")
    make_topic("安全教育")
    user = make_user(role=Role.BUREAU_STAFF, region=regions["140100"])
    db.session.commit()
    return user


def workbook(*rows, headers=HEADERS, title_rows=2) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["家庭教育讲师团成员名单"])
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**changes):
    values = dict(zip(HEADERS, GOOD, strict=True))
    if "所属讲师团" in changes:
        changes["所属讲师团（市/县）"] = changes.pop("所属讲师团")
    assert set(changes) <= set(HEADERS)
    values.update(changes)
    return [values[h] for h in HEADERS]


def lecturer_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Lecturer.id)))


def test_a_good_roster_is_imported(bureau, regions):
    data = workbook(row(), row(姓名="李秀兰", 联系电话="13800000002", 所属讲师团="太原市",
                               类别="劳动模范", 状态="已退出"))  # fmt: skip
    result = import_roster(data, by=bureau)
    assert (result.added, result.updated) == (2, 0)
    wang = db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "王建国"))
    assert wang.pool.region == regions["140105"]
    assert [t.name for t in wang.topics] == ["亲子沟通", "安全教育"]
    assert wang.free_weekdays == [2, 4]
    assert (wang.term_starts_on, wang.term_ends_on) == (date(2024, 9, 1), date(2027, 8, 31))
    li = db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "李秀兰"))
    assert li.pool.region == regions["140100"] and li.is_retired


def _rejected(data, user):
    before = lecturer_count()
    with pytest.raises(ImportRejected) as caught:
        import_roster(data, by=user)
    db.session.rollback()
    assert lecturer_count() == before, "nothing may be half-imported"
    return caught.value.problems


def test_a_missing_column_is_reported_and_nothing_imported(bureau):
    headers = [h for h in HEADERS if h != "联系电话"]
    problems = _rejected(workbook(row()[:-3] + row()[-2:], headers=headers), bureau)
    assert [(p.line, p.column) for p in problems] == [(3, "联系电话")]


@pytest.mark.parametrize(
    "changes, column, words",
    [
        ({"所属讲师团（市/县）": "火星县"}, "C（所属讲师团（市/县））", "火星县"),
        ({"类别": "老神仙"}, "D（类别）", "老神仙"),
        ({"宣讲主题": "亲子沟通、炼丹"}, "E（宣讲主题）", "炼丹"),
        ({"聘期开始": "明年春天"}, "G（聘期开始）", "明年春天"),
        ({"聘期结束": "2027-13-45"}, "H（聘期结束）", "2027-13-45"),
        ({"常规空闲日": "周八"}, "I（常规空闲日）", "周八"),
        ({"联系电话": "12345"}, "J（联系电话）", "12345"),
        ({"姓名": ""}, "B（姓名）", ""),
        ({"所属讲师团（市/县）": "大同市"}, "C（所属讲师团（市/县））", "大同市"),
    ],
)
def test_each_bad_cell_is_reported_by_line_and_column(bureau, changes, column, words):
    values = dict(zip(HEADERS, GOOD, strict=True))
    values.update(changes)
    bad = [values[h] for h in HEADERS]
    good = row(姓名="赵德厚", 联系电话="13800000009")
    problems = _rejected(workbook(good, bad), bureau)
    assert [(p.line, p.column) for p in problems] == [(5, column)]
    assert words in problems[0].message


def test_a_duplicate_lecturer_in_the_file_is_reported(bureau):
    problems = _rejected(workbook(row(), row(序号=2)), bureau)
    assert [(p.line, p.column) for p in problems] == [(5, "B（姓名）")]
    assert "4" in problems[0].message


def test_every_bad_row_is_reported_not_just_the_first(bureau):
    rows = [
        row(),
        row(姓名="甲", 联系电话="13800000011", 类别="不知道"),
        row(姓名="乙", 联系电话="13800000012", 聘期开始="下周"),
        row(姓名="丙", 联系电话="13800000013"),
        row(姓名="丁", 联系电话="13800000014", 所属讲师团="不存在县", 宣讲主题="未知主题"),
    ]
    problems = _rejected(workbook(*rows), bureau)
    assert sorted({p.line for p in problems}) == [5, 6, 8]
    assert len(problems) == 4


def test_a_file_that_is_not_excel_is_refused_clearly(bureau):
    problems = _rejected(b"name,phone\n", bureau)
    assert "Excel" in problems[0].message


def test_only_bureau_staff_can_import(regions):
    family = make_user(role=Role.FAMILY)
    with pytest.raises(PermissionDenied):
        import_roster(workbook(row()), by=family)


def test_exported_roster_imports_back_as_updates(bureau, regions):
    talk = make_topic("亲子沟通")
    make_lecturer(regions["140105"], name="孙守仁", topics=[talk], phone="13900000001",
                  term_starts_on=date(2024, 9, 1), free_weekdays=[6, 7])  # fmt: skip
    make_lecturer(regions["140100"], name="周慧敏", topics=[talk], phone="13900000002",
                  is_retired=True)  # fmt: skip
    db.session.commit()
    lecturers = db.session.scalars(sa.select(Lecturer).order_by(Lecturer.id)).all()
    data = export_workbook(lecturers)

    sheet = load_workbook(BytesIO(data)).active
    assert [c.value for c in sheet[3]][:2] == ["序号", "姓名 *"]
    assert sheet.cell(row=4, column=3).value == "太原市小店区"
    assert sheet.cell(row=4, column=9).value == "周六、周日"
    assert isinstance(sheet.cell(row=4, column=7).value, datetime)

    result = import_roster(data, by=bureau)
    assert (result.added, result.updated) == (0, 2)
    assert lecturer_count() == 2
    zhou = db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "周慧敏"))
    assert zhou.is_retired


def test_the_template_has_the_chinese_headers_and_imports_as_empty(bureau):
    data = template_workbook(["亲子沟通", "安全教育"])
    book = load_workbook(BytesIO(data))
    headers = [c.value.rstrip(" *") for c in book.active[3]]
    assert headers == HEADERS
    assert "亲子沟通" in [c.value for c in book["填写说明"]["B"]]
    problems = _rejected(data, bureau)
    assert "没有讲师" in problems[0].message

"""A city bureau officer imports venues from a spreadsheet: uploads it, checks the preview,
confirms it, then prints the resource directory list and downloads it. Axe-checked."""

import csv
import io
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def _sheet(tmp_path, names) -> str:
    path = tmp_path / "场馆导入.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["名称", "类别", "级别", "县（市、区）", "地址", "适合学段", "门票：小学生", "开放时间"]
    )
    writer.writerow(
        [
            names[0],
            "科技馆",
            "市级基地",
            "小店区",
            "太原市小店区坞城路1号",
            "小学",
            "免费",
            "周二至周日 09:00-17:00",
        ]
    )
    writer.writerow(
        [
            names[1],
            "图书馆",
            "县级基地",
            "迎泽区",
            "太原市迎泽区迎泽大街9号",
            "初中",
            "",
            "周一至周五 08:30-17:30",
        ]
    )
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return str(path)


def test_city_bureau_previews_confirms_an_import_then_downloads_the_list(
    page, city_officer, tmp_path
):
    tag = uuid.uuid4().hex[:6]
    names = [f"导入测试科技馆{tag}", f"导入测试图书馆{tag}"]
    sign_in(page, city_officer)
    expect(page).to_have_url(re.compile(r"/bureau/dashboard$"))

    page.goto("/bureau/venues")
    page.get_by_role("link", name="从 Excel 批量导入场馆").click()
    expect(page.get_by_role("heading", name="批量导入场馆", level=1)).to_be_visible()
    assert_accessible(page)
    page.set_input_files("#file", _sheet(tmp_path, names))
    page.get_by_role("button", name="检查文件").click()

    expect(page).to_have_url(re.compile(r"/bureau/venues/import/[\w-]+$"))
    expect(page.get_by_role("heading", name="核对导入内容", level=1)).to_be_visible()
    plan = page.get_by_role("table", name="导入将进行的操作")
    expect(plan.get_by_role("row")).to_have_count(3)
    expect(plan).to_contain_text(names[0])
    expect(plan).to_contain_text("太原市迎泽区")
    expect(page.get_by_text("目前尚未保存任何内容。")).to_be_visible()
    assert page.csp_errors == []
    assert_accessible(page)

    page.get_by_role("button", name="确认导入").click()
    expect(page).to_have_url(re.compile(r"/bureau/venues$"))
    expect(page.locator(".flash-success")).to_contain_text("新增 2 个场馆")

    page.goto("/bureau/venues/list?region=140105")
    expect(page.get_by_role("heading", name="资源目录清单", level=1)).to_be_visible()
    table = page.get_by_role("table", name="太原市小店区社会实践教育基地资源目录清单")
    expect(table).to_contain_text(names[0])
    expect(table).not_to_contain_text(names[1])  # 迎泽区 is not in 小店区's list
    assert page.csp_errors == []
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="资源目录清单（Excel）").click()
    assert download.value.suggested_filename.startswith("资源目录清单-太原市小店区-")
    assert download.value.suggested_filename.endswith(".xlsx")

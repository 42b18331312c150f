"""The lecturer pool's pages and JSON API: wiring, access, privacy of phone numbers."""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from PIL import Image

from models import Lecturer, LectureRequest, LectureStatus, OutboxMessage, Role, db
from tests.factories import (
    make_lecturer,
    make_request,
    make_school,
    make_station,
    make_topic,
    make_user,
    picture,
    png_declaring,
)
from webapp.services import clock

#: mainland mobile numbers and landlines (0351-1234567), not inside longer digit runs
PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def next_weekday(day: int) -> date:
    """The next date (after today) falling on ISO weekday `day`."""
    d = clock.today() + timedelta(days=1)
    while d.isoweekday() != day:
        d += timedelta(days=1)
    return d


@pytest.fixture
def world_builder():
    return pool_world


def pool_world(regions):
    w = type("World", (), {})()
    w.xiaodian, w.taiyuan = regions["140105"], regions["140100"]
    w.talk = make_topic("亲子沟通")
    w.school = make_school(w.xiaodian, name="小店区第一实验小学")
    w.teacher = make_user(role=Role.SCHOOL_STAFF, school=w.school, email="teacher@school.cn")
    w.bureau = make_user(role=Role.BUREAU_STAFF, region=w.xiaodian, email="bureau@xd.cn")
    w.lecturer = make_lecturer(w.xiaodian, name="王建国", topics=[w.talk], phone="13812345678")
    db.session.commit()
    return w


# ---------------------------------------------------------------- privacy


def _texts_of_public_answers(client, lecturer_ids):
    urls = [
        "/lecturers/",
        "/lecturers/?page=2",
        "/lecturers/?city=140100",
        "/lecturers/?county=140105",
        "/lecturers/?category=retired_teacher",
        "/lecturers/?topic=1",
        "/api/v1/lecturers?per_page=100",
        "/api/v1/lecturers?per_page=100&page=2",
        "/api/v1/lecturers?city=140100",
        "/api/v1/openapi.json",
    ]
    urls += [f"/lecturers/{i}" for i in lecturer_ids]
    urls += [f"/api/v1/lecturers/{i}" for i in lecturer_ids]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        yield url, response.get_data(as_text=True)


def test_no_phone_number_on_any_public_page_or_api_answer(app, client, regions):
    from seed.lecturers import load_lecturers

    load_lecturers(db.session)
    db.session.commit()
    lecturers = db.session.scalars(sa.select(Lecturer)).all()
    phones = {lec.phone for lec in lecturers}
    assert len(phones) > 100
    for url, text in _texts_of_public_answers(client, [lec.id for lec in lecturers]):
        assert not PHONE.search(text), f"{url} shows {PHONE.search(text).group()}"
        assert not any(p in text for p in phones), url


def test_bureau_pages_do_show_the_phone_number(client, auth, world):
    auth.login("bureau@xd.cn")
    assert "13812345678" in client.get("/lecturers/manage").get_data(as_text=True)


def test_public_lecturer_page_shows_who_they_are(client, world):
    text = client.get(f"/lecturers/{world.lecturer.id}").get_data(as_text=True)
    assert "王建国" in text and "亲子沟通" in text and "小店区家庭教育讲师团" in text


def test_a_retired_lecturer_has_no_public_page(client, world):
    world.lecturer.is_retired = True
    db.session.commit()
    assert client.get(f"/lecturers/{world.lecturer.id}").status_code == 404
    assert client.get(f"/api/v1/lecturers/{world.lecturer.id}").status_code == 404
    assert "王建国" not in client.get("/lecturers/").get_data(as_text=True)


# ---------------------------------------------------------------- directory and API filters


def test_directory_filters_and_bad_filters_are_ignored_with_a_warning(client, world):
    assert "王建国" in client.get("/lecturers/?county=140105").get_data(as_text=True)
    assert "王建国" not in client.get("/lecturers/?city=140200").get_data(as_text=True)
    response = client.get("/lecturers/?county=999999&pool=abc&topic=-1")
    assert response.status_code == 200
    assert "王建国" in response.get_data(as_text=True)


def test_api_lists_lecturers_with_public_fields_and_names_a_bad_parameter(client, world):
    body = client.get("/api/v1/lecturers?county=140105").get_json()
    assert body["total"] == 1
    assert body["lecturers"][0]["name"] == "王建国"
    assert "phone" not in body["lecturers"][0]
    bad = client.get("/api/v1/lecturers?category=wizard")
    assert bad.status_code == 400 and "category" in bad.get_json()["errors"]


def test_openapi_describes_the_lecturer_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/lecturers" in paths
    assert "post" in paths["/lecture-requests/{request_id}/assign"]


# ---------------------------------------------------------------- access


def test_bureau_pages_need_bureau_staff(client, auth, world):
    assert client.get("/lecturers/manage").status_code == 302
    auth.login("teacher@school.cn")
    for url in ("/lecturers/manage", "/lecturers/manage/new", "/lecturers/stations",
                "/lecturers/figures", "/lecturers/manage/export.xlsx"):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_api_request_workflow_needs_a_signed_in_bureau(client, auth, world):
    assert client.get("/api/v1/lecture-requests").status_code == 401
    auth.login("teacher@school.cn")
    assert client.get("/api/v1/lecture-requests").status_code == 403


# ---------------------------------------------------------------- pages of the workflow


def test_school_asks_bureau_assigns_school_records_delivery(client, auth, world):
    wednesday = next_weekday(3)
    auth.login("teacher@school.cn")
    response = client.post(
        "/lecturers/requests/new",
        data={
            "host": f"school:{world.school.id}",
            "topic": world.talk.id,
            "wanted_on": wednesday.isoformat(),
            "expected_audience": "80",
            "place": "",
        },
    )
    req = db.session.scalar(sa.select(LectureRequest))
    assert response.status_code == 302 and req is not None
    assert req.place == world.school.address
    auth.logout()

    auth.login("bureau@xd.cn")
    page = client.get(f"/lecturers/requests/{req.id}").get_data(as_text=True)
    assert "王建国" in page and "13812345678" in page
    response = client.post(
        f"/lecturers/requests/{req.id}/assign",
        data={"lecturer_id": world.lecturer.id, "on": wednesday.isoformat()},
    )
    assert response.status_code == 302
    db.session.refresh(req)
    assert req.status is LectureStatus.ASSIGNED
    told = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert told == {"bureau@xd.cn", "13812345678", "teacher@school.cn"}
    auth.logout()

    auth.login("teacher@school.cn")
    teacher_view = client.get(f"/lecturers/requests/{req.id}").get_data(as_text=True)
    assert "13812345678" not in teacher_view
    response = client.post(
        f"/lecturers/requests/{req.id}/deliver",
        data={
            "delivered_on": clock.today().isoformat(),
            "audience_reached": "70",
            "feedback_score": "5",
            "feedback_comment": "好",
        },  # fmt: skip
    )
    assert response.status_code == 302
    db.session.refresh(req)
    assert req.status is LectureStatus.DELIVERED and req.audience_reached == 70


def test_a_request_for_a_past_date_shows_a_chinese_message(client, auth, world):
    auth.login("teacher@school.cn")
    response = client.post(
        "/lecturers/requests/new",
        data={
            "host": f"school:{world.school.id}",
            "topic": world.talk.id,
            "wanted_on": (clock.today() - timedelta(days=1)).isoformat(),
            "expected_audience": "80",
        },
    )
    assert response.status_code == 200
    assert "过去" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(LectureRequest.id))) == 0


def test_assigning_a_retired_lecturer_on_the_page_says_why(client, auth, world):
    req = make_request(world.school, world.talk, wanted_on=next_weekday(3))
    world.lecturer.is_retired = True
    db.session.commit()
    auth.login("bureau@xd.cn")
    response = client.post(
        f"/lecturers/requests/{req.id}/assign",
        data={"lecturer_id": world.lecturer.id, "on": req.wanted_on.isoformat()},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "王建国" in response.get_data(as_text=True)
    db.session.refresh(req)
    assert req.status is LectureStatus.REQUESTED


def post_new_lecturer(client, world, photo: bytes, **fields):
    return client.post(
        "/lecturers/manage/new",
        data={
            "name": "李秀兰",
            "pool_region": world.xiaodian.id,
            "category": "moral_model",
            "topics": [world.talk.id],
            "phone": "13700001234",
            "photo": (BytesIO(photo), "li.png"),
            **fields,
        },
        content_type="multipart/form-data",
    )


def test_bureau_adds_and_retires_a_lecturer_through_the_pages(client, auth, world):
    auth.login("bureau@xd.cn")
    response = post_new_lecturer(
        client, world, picture("PNG", size=(1200, 1600)), free_weekdays=["2", "4"]
    )
    assert response.status_code == 302
    li = db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "李秀兰"))
    assert li.free_weekdays == [2, 4] and li.photo_type == "image/png"
    shown = client.get(f"/lecturers/{li.id}/photo")
    assert shown.mimetype == "image/png"
    assert Image.open(BytesIO(shown.data)).size == (600, 800), "stored resized"
    client.post(f"/lecturers/manage/{li.id}/retire")
    db.session.refresh(li)
    assert li.is_retired


def test_a_photo_that_is_not_an_image_is_refused_on_the_page(client, auth, world):
    auth.login("bureau@xd.cn")
    response = client.post(
        "/lecturers/manage/new",
        data={
            "name": "李秀兰",
            "pool_region": world.xiaodian.id,
            "category": "moral_model",
            "phone": "13700001234",
            "photo": (BytesIO(b"<svg></svg>"), "x.png"),
        },  # fmt: skip
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "JPEG" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "李秀兰")) is None


def test_a_photo_declaring_a_huge_size_is_refused_on_the_page(client, auth, world):
    auth.login("bureau@xd.cn")
    response = post_new_lecturer(client, world, png_declaring(30_000, 30_000))
    assert response.status_code == 200
    assert "百万像素" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "李秀兰")) is None


def test_import_page_lists_every_problem_and_imports_nothing(client, auth, world):
    book = Workbook()
    book.active.append(["姓名", "所属讲师团（市/县）", "类别", "宣讲主题", "联系电话"])
    book.active.append(["张三", "火星县", "老教师", "亲子沟通", "13700000001"])
    book.active.append(["李四", "小店区", "老干部", "亲子沟通", "12-34"])
    buffer = BytesIO()
    book.save(buffer)
    auth.login("bureau@xd.cn")
    response = client.post(
        "/lecturers/manage/import",
        data={"file": (BytesIO(buffer.getvalue()), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "火星县" in text and "“12-34”不是有效的电话号码" in text
    assert db.session.scalar(sa.select(sa.func.count(Lecturer.id))) == 1


def test_stations_are_added_by_the_bureau_on_the_page(client, auth, world):
    auth.login("bureau@xd.cn")
    response = client.post(
        "/lecturers/stations/new",
        data={
            "name": "建设社区家庭教育指导服务站",
            "community": "建设社区",
            "county": world.xiaodian.id,
            "address": "",
        },  # fmt: skip
    )
    assert response.status_code == 302
    assert "建设社区家庭教育指导服务站" in client.get("/lecturers/stations").get_data(as_text=True)


def test_figures_page_lists_schools_behind(client, auth, world):
    auth.login("bureau@xd.cn")
    text = client.get("/lecturers/figures").get_data(as_text=True)
    assert "小店区第一实验小学" in text


# ---------------------------------------------------------------- the JSON workflow


def _csrf_token(client, url):
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      client.get(url).get_data(as_text=True))  # fmt: skip
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_api_workflow_needs_the_csrf_token_and_names_bad_fields(app, client, auth, world):
    station = make_station(world.xiaodian)
    req = make_request(station, world.talk, wanted_on=next_weekday(3))
    db.session.commit()
    auth.login("bureau@xd.cn")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/api/v1/lecture-requests/{req.id}/assign"
        assert client.post(url, json={"lecturer_id": world.lecturer.id}).status_code == 400
        token = _csrf_token(client, f"/lecturers/requests/{req.id}")
        headers = {"X-CSRFToken": token}

        listed = client.get("/api/v1/lecture-requests").get_json()["requests"]
        assert [r["id"] for r in listed] == [req.id]
        candidates = client.get(f"/api/v1/lecture-requests/{req.id}/candidates").get_json()
        assert candidates["candidates"][0]["lecturer"]["phone"] == "13812345678"

        bad = client.post(url, json={"lecturer_id": "x"}, headers=headers)
        assert bad.status_code == 400 and "lecturer_id" in bad.get_json()["errors"]
        ok = client.post(url, json={"lecturer_id": world.lecturer.id}, headers=headers)
        assert ok.status_code == 200 and ok.get_json()["status"] == "assigned"

        deliver = f"/api/v1/lecture-requests/{req.id}/deliver"
        bad = client.post(deliver, json={"delivered_on": "tomorrow", "audience_reached": 5,
                                         "feedback_score": 4}, headers=headers)  # fmt: skip
        assert bad.status_code == 400 and "delivered_on" in bad.get_json()["errors"]
        cancel = f"/api/v1/lecture-requests/{req.id}/cancel"
        bad = client.post(cancel, json={}, headers=headers)
        assert bad.status_code == 400 and "reason" in bad.get_json()["errors"]
        done = client.post(cancel, json={"reason": "天气原因"}, headers=headers)
        assert done.get_json()["status"] == "cancelled"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_api_refuses_a_retired_lecturer_naming_the_field(client, auth, world):
    req = make_request(world.school, world.talk, wanted_on=next_weekday(3))
    world.lecturer.is_retired = True
    db.session.commit()
    auth.login("bureau@xd.cn")
    response = client.post(
        f"/api/v1/lecture-requests/{req.id}/assign", json={"lecturer_id": world.lecturer.id}
    )
    assert response.status_code == 400
    assert "lecturer_id" in response.get_json()["errors"]


def test_a_station_without_requests_can_be_removed_but_not_one_with_requests(client, auth, world):
    empty, used = make_station(world.xiaodian), make_station(world.xiaodian)
    make_request(used, world.talk)
    db.session.commit()
    auth.login("bureau@xd.cn")
    client.post(f"/lecturers/stations/{empty.id}/delete")
    response = client.post(f"/lecturers/stations/{used.id}/delete", follow_redirects=True)
    assert "不能删除" in response.get_data(as_text=True)
    from models import GuidanceStation

    assert db.session.scalars(sa.select(GuidanceStation.id)).all() == [used.id]


WHOLE_SHEET = b'<dimension ref="A1:XFD1048576"/>'


def test_a_sheet_declaring_every_cell_is_read_as_the_rows_it_has(client, auth, world):
    import zipfile

    book = Workbook()
    book.active.append(["姓名", "所属讲师团（市/县）", "类别", "宣讲主题", "联系电话"])
    book.active.append(["张三", "小店区", "老教师", "亲子沟通", "13700000001"])
    buffer = BytesIO()
    book.save(buffer)
    source, crafted = zipfile.ZipFile(BytesIO(buffer.getvalue())), BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*" ?/>', WHOLE_SHEET, content)
            out.writestr(name, content)
    auth.login("bureau@xd.cn")
    response = client.post(
        "/lecturers/manage/import",
        data={"file": (BytesIO(crafted.getvalue()), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "张三")) is not None


def test_a_roster_saved_as_csv_by_chinese_excel_is_imported(client, auth, world):
    text = (
        "姓名,所属讲师团（市/县）,类别,宣讲主题,联系电话\r\n"
        "李四,小店区,老干部,亲子沟通,13700000002\r\n"
    )
    auth.login("bureau@xd.cn")
    response = client.post(
        "/lecturers/manage/import",
        data={"file": (BytesIO(text.encode("gb18030")), "名单.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Lecturer).where(Lecturer.name == "李四")) is not None


def test_an_encrypted_workbook_is_refused_on_the_page_and_nothing_is_imported(client, auth, world):
    auth.login("bureau@xd.cn")
    response = client.post(
        "/lecturers/manage/import",
        data={"file": (BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "该文件已加密" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Lecturer.id))) == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("place", "\u200b\u200b", "U+200B"), ("place", "礼堂\u202e", "U+202E"),
     ("audience_note", "家长\u200b", "U+200B")],
)  # fmt: skip
def test_the_request_form_refuses_hidden_characters_and_saves_nothing(
    client, auth, world, field, value, code
):
    auth.login("teacher@school.cn")
    response = client.post(
        "/lecturers/requests/new?lang=en",
        data={"host": f"school:{world.school.id}", "topic": world.talk.id,
              "wanted_on": next_weekday(3).isoformat(), "expected_audience": "80", field: value},
    )  # fmt: skip
    assert response.status_code == 200 and code in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(LectureRequest.id))) == 0


def test_the_request_form_turns_full_width_digits_into_ascii(client, auth, world):
    auth.login("teacher@school.cn")
    response = client.post(
        "/lecturers/requests/new",
        data={"host": f"school:{world.school.id}", "topic": world.talk.id,
              "wanted_on": next_weekday(3).isoformat(), "expected_audience": "80",
              "place": "３号楼报告厅", "audience_note": "１年级家长"},
    )  # fmt: skip
    assert response.status_code == 302
    req = db.session.scalar(sa.select(LectureRequest))
    assert req.place == "3号楼报告厅" and req.audience_note == "1年级家长"

"""Messages about talks are written in the recipient's language, whatever the sender's
interface, and carry a link under BASE_URL: an English-speaking host hears in English from a
Chinese-interface bureau, a Chinese-speaking lecturer in Chinese from an English one."""

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from models import OutboxMessage, Role, db
from tests.factories import LECTURE_NOW as NOW
from tests.factories import WEDNESDAY, make_lecturer, make_school, make_topic, make_user
from webapp.services.lecturers.requests import (
    DeliveryValues,
    RequestValues,
    assign_lecturer,
    cancel_request,
    create_request,
    record_delivery,
)

pytestmark = pytest.mark.usefixtures("ctx")

#: the talk's day in the messages
DAY = WEDNESDAY.isoformat()


@pytest.fixture
def world_builder():
    def build(regions):
        xiaodian = regions["140105"]
        w = type("World", (), {})()
        w.topic = make_topic("亲子沟通", name_en="Talking with your child")
        w.school = make_school(xiaodian, name="小店区第一实验小学")
        w.bureau_zh = make_user(role=Role.BUREAU_STAFF, region=xiaodian, locale="zh")
        w.teacher_en = make_user(role=Role.SCHOOL_STAFF, school=w.school, locale="en")
        w.lecturer = make_lecturer(xiaodian, name="王建国", topics=[w.topic], phone="13800001111")
        db.session.commit()
        return w

    return build


def _ask(world):
    """The English-speaking teacher asks for a talk at the school."""
    values = RequestValues(world.school, world.topic, WEDNESDAY, 80, "学校报告厅")
    return create_request(values, by=world.teacher_en, now=NOW)


def _messages_to(address):
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id)
    ).all()


def _in(lang, action):
    """Run `action` as a sender whose interface is in `lang`."""
    from flask import current_app

    with current_app.test_request_context(f"/?lang={lang}"):
        return action()


def test_an_english_host_hears_in_english_from_a_chinese_bureau_with_a_link(app, world):
    req = _in("en", lambda: _ask(world))
    [to_bureau] = _messages_to(world.bureau_zh.email)
    base = app.config["BASE_URL"].rstrip("/")
    assert to_bureau.locale == "zh" and to_bureau.subject == "新的家庭教育送教申请"
    assert "亲子沟通" in to_bureau.body and "Talking" not in to_bureau.body
    assert to_bureau.link == f"{base}/lecturers/requests/{req.id}"
    _in("zh", lambda: assign_lecturer(req, world.lecturer, by=world.bureau_zh, now=NOW))
    [to_host] = _messages_to(world.teacher_en.email)
    assert to_host.locale == "en"
    assert to_host.subject == f"Family-education talk on {DAY}"
    assert to_host.body == (
        f"王建国 will give the talk on Talking with your child at 小店区第一实验小学 on {DAY}."
    )
    assert to_host.link == f"{base}/lecturers/requests/{req.id}"
    # the lecturer has no account: the site's language, Chinese, with a link to their page
    [to_lecturer] = _messages_to("13800001111")
    assert to_lecturer.locale == "zh" and "亲子沟通" in to_lecturer.body
    assert "You are" not in to_lecturer.body
    assert to_lecturer.link == f"{base}/lecturers/{world.lecturer.id}"


def test_a_chinese_lecturer_and_an_english_one_hear_in_their_own_language(world):
    req = _ask(world)
    _in("en", lambda: assign_lecturer(req, world.lecturer, by=world.bureau_zh, now=NOW))
    [assigned] = _messages_to("13800001111")
    assert assigned.locale == "zh" and assigned.subject == f"{DAY} 家庭教育宣讲"
    # the lecturer signs up with the same phone and chooses English: now they hear in English
    make_user(role=None, phone="13800001111", locale="en")
    db.session.commit()
    _in(
        "zh",
        lambda: record_delivery(req, DeliveryValues(WEDNESDAY, 75, 5), by=world.teacher_en,
                                now=datetime.combine(WEDNESDAY + timedelta(days=1), time(1))),
    )  # fmt: skip
    delivered = _messages_to("13800001111")[-1]
    assert delivered.locale == "en"
    assert delivered.body == (
        f"Your talk on Talking with your child at 小店区第一实验小学 on {DAY} is recorded "
        "as given, to 75 people. Thank you."
    )


def test_a_talk_cancelled_by_the_bureau_tells_lecturer_and_host_each_in_their_language(world):
    req = _ask(world)
    assign_lecturer(req, world.lecturer, by=world.bureau_zh, now=NOW)
    _in("zh", lambda: cancel_request(req, "学校停电", by=world.bureau_zh, now=NOW))
    to_host = _messages_to(world.teacher_en.email)[-1]
    assert to_host.subject == "Talk cancelled"
    assert to_host.body == (
        "The talk on Talking with your child at 小店区第一实验小学 is cancelled: 学校停电"
    )
    to_lecturer = _messages_to("13800001111")[-1]
    assert to_lecturer.subject == "宣讲已取消"
    assert "学校停电" in to_lecturer.body and to_lecturer.locale == "zh"

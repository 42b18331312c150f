"""Each sender over the wire, against a stand-in server on 127.0.0.1 that records requests."""

import json
import uuid
from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l

from models import OutboxMessage, db
from models.user import utcnow
from tests.factories import make_user
from tests.standins import HttpStandIn, SmtpStandIn
from webapp.services import outbox


def _aliyun_ok(request):
    return {"Code": "OK", "Message": "OK", "BizId": "900619746936498440", "RequestId": "F6FA"}


def _tencent_ok(request):
    number = json.loads(request["body"])["PhoneNumberSet"][0]
    return {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "5000",
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "a0aabda6",
        }
    }


def _sms_settings(app, provider, port):
    app.config.update(
        SMS_PROVIDER=provider,
        SMS_ENDPOINT=f"127.0.0.1:{port}",
        SMS_PROTOCOL="http",
        SMS_ACCESS_KEY_ID="test-key",
        SMS_ACCESS_KEY_SECRET="test-secret",  # noqa: S106 - a stand-in's credential
        SMS_SIGN_NAME="山西实践基地",
        SMS_TEMPLATE_CODE="SMS_100001",
        SMS_SDK_APP_ID="1400000001",
    )


def test_an_sms_goes_out_through_aliyun_with_its_template_and_link(app):
    with HttpStandIn(_aliyun_ok) as aliyun:
        _sms_settings(app, "aliyun", aliyun.port)
        message = outbox.send_message(
            "13800138000", "预约已确认", "太原市博物馆，12-05 09:00", link="/b/ABCD1234"
        )
        db.session.commit()
        assert outbox.deliver_unsent() == (1, 0)
    [request] = aliyun.requests
    assert request["headers"]["x-acs-action"] == "SendSms"
    assert request["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 Credential=test-key")
    fields = {**request["query"], **request.get("form", {})}
    assert fields["PhoneNumbers"] == "13800138000"
    assert fields["SignName"] == "山西实践基地" and fields["TemplateCode"] == "SMS_100001"
    assert json.loads(fields["TemplateParam"]) == {
        "subject": "预约已确认",
        "body": "太原市博物馆，12-05 09:00",
        "link": "http://localhost:5000/b/ABCD1234",
    }
    db.session.refresh(message)
    assert message.sent_at is not None


def test_an_sms_refused_by_aliyun_is_kept_with_the_reason_and_tried_again_later(app):
    refusal = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "x"}
    with HttpStandIn(lambda request: refusal) as aliyun:
        _sms_settings(app, "aliyun", aliyun.port)
        message = outbox.send_message("13800138000", "预约已确认", "正文")
        db.session.commit()
        now = utcnow()
        assert outbox.deliver_unsent(now=now) == (0, 1)
        db.session.refresh(message)
        assert "BUSINESS_LIMIT_CONTROL" in message.error and message.attempts == 1
        # not again before the backoff has passed
        assert outbox.deliver_unsent(now=now + timedelta(seconds=30)) == (0, 1)
        assert len(aliyun.requests) == 1


def test_an_sms_goes_out_through_tencent_cloud_with_the_template_parameters(app):
    with HttpStandIn(_tencent_ok) as tencent:
        _sms_settings(app, "tencent", tencent.port)
        outbox.send_message("13900139000", "候补名额", "名额为您保留", link="/b/ZZZZ0000")
        db.session.commit()
        assert outbox.deliver_unsent() == (1, 0)
    [request] = tencent.requests
    assert request["headers"]["x-tc-action"] == "SendSms"
    assert "TC3-HMAC-SHA256" in request["headers"]["authorization"]
    sent = json.loads(request["body"])
    assert sent["PhoneNumberSet"] == ["+8613900139000"]
    assert sent["SmsSdkAppId"] == "1400000001" and sent["TemplateId"] == "SMS_100001"
    assert sent["TemplateParamSet"] == [
        "候补名额",
        "名额为您保留",
        "http://localhost:5000/b/ZZZZ0000",
    ]


def test_an_e_mail_is_written_in_the_recipients_language_with_an_absolute_link(app):
    parent = make_user(email="parent@example.cn", locale="en")
    app.config["BASE_URL"] = "https://bases.example.cn/"
    with SmtpStandIn() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        # written while the acting person's page is in Chinese
        with app.test_request_context("/?lang=zh"):
            outbox.send_message(
                parent,
                _l("Booking %(code)s confirmed", code="ABCD-1234"),
                _l("Your session was cancelled by the venue."),
                link=outbox.absolute_url("booking.detail", code="ABCD1234"),
            )
            db.session.commit()
        outbox.deliver_unsent()
    [mail] = server.mails
    assert mail["subject"] == "Booking ABCD-1234 confirmed" and mail["language"] == "en"
    assert "https://bases.example.cn/booking/b/ABCD1234" in mail["body"]


def test_a_recipient_without_a_chosen_language_gets_chinese(app):
    parent = make_user(email="parent@example.cn")
    with app.test_request_context("/?lang=en"):
        message = outbox.send_message(parent, _l("Booking %(code)s confirmed", code="X"), "…")
    assert message.locale == "zh" and message.subject == "预约 X 已确认"


def test_a_mail_server_that_refuses_gets_the_message_again_after_the_backoff(app):
    with SmtpStandIn() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        outbox.send_message("someone@example.cn", "主题", "正文")
        db.session.commit()
        server.refuse = True
        now = utcnow()
        assert outbox.deliver_unsent(now=now) == (0, 1)
        server.refuse = False
        assert outbox.deliver_unsent(now=now + timedelta(seconds=59)) == (0, 1)
        assert outbox.deliver_unsent(now=now + timedelta(seconds=61)) == (1, 0)
    assert len(server.mails) == 1


def test_after_the_last_attempt_a_message_is_given_up_and_listed_as_failed(app):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    with SmtpStandIn() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        server.refuse = True
        message = outbox.send_message("someone@example.cn", "主题", "正文")
        db.session.commit()
        now = utcnow()
        for minutes in (0, 1, 3, 7, 15):
            outbox.deliver_unsent(now=now + timedelta(minutes=minutes, seconds=1))
    db.session.refresh(message)
    assert message.attempts == 3 and message.is_failed and message.sent_at is None
    assert [m.id for m in outbox.list_messages(failed_only=True).items] == [message.id]
    assert db.session.get(OutboxMessage, message.id).next_attempt_at > now


def _redis_or_skip(app):
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    app.config.update(REDIS_URL=url, OUTBOX_QUEUE=f"outbox-test-{uuid.uuid4().hex}")


def test_with_redis_a_message_is_queued_at_commit_and_sent_by_the_worker(app):
    from webapp.services.outbox_queue import get_queue, run_worker

    _redis_or_skip(app)
    with SmtpStandIn() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        outbox.send_message("someone@example.cn", "主题", "正文")
        assert len(get_queue()) == 0  # nothing queued before the change commits
        db.session.commit()
        assert len(get_queue()) == 1
        run_worker(burst=True)
        assert [m["to"] for m in server.mails] == [["someone@example.cn"]]
        assert outbox.deliver_unsent() == (0, 0)  # the sweep finds nothing left to send
    get_queue().delete()


def test_with_redis_down_the_sweep_still_sends(app):
    app.config.update(REDIS_URL="redis://127.0.0.1:5699/0", OUTBOX_QUEUE="unused")
    with SmtpStandIn() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        outbox.send_message("someone@example.cn", "主题", "正文")
        db.session.commit()  # queueing fails quietly
        assert outbox.deliver_unsent() == (1, 0)
    assert len(server.mails) == 1


def test_the_language_a_person_switches_to_is_the_one_their_messages_use(app, client):
    from tests.factories import PASSWORD

    parent = make_user(email="parent@example.cn")
    db.session.commit()
    client.post("/auth/login", data={"login": "parent@example.cn", "password": PASSWORD})
    client.get("/language/en?next=/")
    db.session.refresh(parent)
    assert parent.locale == "en"
    message = outbox.send_message(parent, _l("Booking %(code)s confirmed", code="X"), "…")
    assert message.subject == "Booking X confirmed"

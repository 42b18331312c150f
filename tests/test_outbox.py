"""The outbox: every message stored first, then delivered by a sender or kept for admins."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import MessageChannel, OutboxMessage, db
from tests.standins import SmtpStandIn
from tests.world import build_world, login_as
from webapp.services import outbox


class Recorder:
    def __init__(self, fail=False):
        self.sent, self.fail = [], fail

    def send(self, message):
        if self.fail:
            raise OSError("gateway unreachable")
        self.sent.append((message.recipient, message.subject))


def test_without_a_sender_a_message_is_kept_unsent(app):
    message = outbox.send_message("someone@example.cn", "主题", "正文")
    assert message.id and message.sent_at is None
    assert message.channel is MessageChannel.EMAIL


def test_a_mobile_number_goes_to_the_sms_channel_through_a_plugged_in_gateway(app):
    gateway = Recorder()
    outbox.set_sender(app, MessageChannel.SMS, gateway)
    message = outbox.send_message("13800138000", "验证", "内容")
    assert gateway.sent == []  # nothing leaves before the change it reports is committed
    db.session.commit()
    assert outbox.deliver_unsent() == (1, 0)
    db.session.refresh(message)
    assert message.channel is MessageChannel.SMS and message.sent_at is not None
    assert gateway.sent == [("13800138000", "验证")]


def test_a_failing_sender_keeps_the_message_and_records_why(app):
    outbox.set_sender(app, MessageChannel.EMAIL, Recorder(fail=True))
    message = outbox.send_message("someone@example.cn", "主题", "正文")
    db.session.commit()
    assert outbox.deliver_unsent() == (0, 1)
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message.id)
    assert stored.sent_at is None and "unreachable" in stored.error and stored.attempts == 1


def test_with_a_mail_server_configured_e_mail_goes_out_by_smtp(app):
    with SmtpStandIn() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        message = outbox.send_message("someone@example.cn", "主题", "正文")
        db.session.commit()
        assert outbox.deliver_unsent() == (1, 0)
    assert [(m["to"], m["subject"], m["body"].strip()) for m in server.mails] == [
        (["someone@example.cn"], "主题", "正文")
    ]
    db.session.refresh(message)
    assert message.sent_at is not None


def test_a_message_is_lost_with_a_change_that_is_rolled_back(app):
    gateway = Recorder()
    outbox.set_sender(app, MessageChannel.EMAIL, gateway)
    outbox.send_message("someone@example.cn", "主题", "正文")
    db.session.rollback()
    db.session.commit()
    assert gateway.sent == []
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_a_message_to_a_user_uses_their_e_mail_and_links_to_them(app, regions):
    world = build_world(regions)
    message = outbox.send_message(world.users["family"], "主题", "正文")
    assert message.recipient == "family@example.cn" and message.user_id == world.users["family"].id


def test_administrators_read_unsent_messages_on_the_outbox_page(app, regions):
    world = build_world(regions)
    outbox.send_message("parent@example.cn", "重置密码", "链接在这里")
    db.session.commit()
    client = app.test_client()
    login_as(client, world.users["admin"])
    page = client.get("/admin/outbox?unsent=1&recipient=parent").get_data(as_text=True)
    assert "重置密码" in page and "链接在这里" in page


@pytest.mark.parametrize("query", ["page=-4", "page=abc", "recipient=" + "x" * 5000])
def test_the_outbox_page_survives_odd_queries(app, regions, query):
    world = build_world(regions)
    client = app.test_client()
    login_as(client, world.users["admin"])
    assert client.get(f"/admin/outbox?{query}").status_code == 200


def test_messages_are_listed_newest_first(app):
    outbox.send_message("a@example.cn", "一", "1")
    outbox.send_message("b@example.cn", "二", "2")
    assert [m.subject for m in outbox.list_messages().items] == ["二", "一"]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2


def test_unsent_messages_go_out_when_the_sender_comes_back(app, runner):
    outbox.send_message("someone@example.cn", "主题", "正文")
    db.session.commit()  # no sender yet: kept
    gateway = Recorder()
    outbox.set_sender(app, MessageChannel.EMAIL, gateway)
    result = runner.invoke(args=["deliver-messages"])
    assert "sent: 1, still unsent: 0" in result.output
    assert gateway.sent == [("someone@example.cn", "主题")]


def test_administrators_see_the_failed_sends_with_their_attempts_and_reason(app, regions):
    world = build_world(regions)
    outbox.send_message("parent@example.cn", "重置密码", "链接在这里")
    outbox.send_message("other@example.cn", "另一条", "正文")
    db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.subject == "另一条"))
    message.attempts, message.error = 2, "gateway unreachable"
    db.session.commit()
    client = app.test_client()
    login_as(client, world.users["admin"])
    page = client.get("/admin/outbox?failed=1").get_data(as_text=True)
    assert "另一条" in page and "重置密码" not in page
    assert "已失败 2 次" in page and "gateway unreachable" in page


def test_a_deliverer_whose_claim_lapsed_leaves_the_message_to_the_one_holding_it(app):
    from models.user import utcnow
    from webapp.services import outbox_delivery

    gateway = Recorder()
    outbox.set_sender(app, MessageChannel.EMAIL, gateway)
    outbox.send_message("someone@example.cn", "主题", "正文")
    db.session.commit()
    now = utcnow()
    slow, slow_ids = outbox_delivery.claim_due(now=now)
    assert outbox_delivery.claim_due(now=now + timedelta(minutes=1))[1] == []  # still held
    later = now + outbox_delivery.CLAIM_LEASE + timedelta(minutes=20)
    fast, fast_ids = outbox_delivery.claim_due(now=later)
    assert fast_ids == slow_ids
    assert outbox_delivery.deliver_claimed(slow, slow_ids, now=now) == 0
    assert outbox_delivery.deliver_claimed(fast, fast_ids, now=later) == 1
    assert gateway.sent == [("someone@example.cn", "主题")]

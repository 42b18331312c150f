"""Message senders: the one piece of the outbox that talks to the outside world.

Which sender serves a channel is a setting. E-mail goes out by SMTP when MAIL_SERVER is set;
SMS goes through Aliyun SMS (SMS_PROVIDER=aliyun) or Tencent Cloud SMS (SMS_PROVIDER=tencent)
with the provider's official SDK. Both providers only send pre-approved templates, so the
template named by SMS_TEMPLATE_CODE must take three variables: ``subject``, ``body`` and
``link`` (Tencent: the same three, in that order). A sender raises on any failure; the outbox
records it and tries again later.
"""

import json
import smtplib
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from models import MessageChannel, OutboxMessage

SMS_PROVIDERS = ("aliyun", "tencent")


class SendFailed(Exception):
    """The provider answered, and refused the message."""


class Sender(Protocol):
    """Delivers one message or raises."""

    def send(self, message: OutboxMessage) -> None: ...


def text_with_link(message: OutboxMessage) -> str:
    return f"{message.body}\n\n{message.link}" if message.link else message.body


class SmtpSender:
    """E-mail through the SMTP server named by MAIL_SERVER / MAIL_PORT."""

    def __init__(self, server: str, port: int, sender: str, *, username="", password="", tls=False):
        self.server, self.port, self.sender = server, port, sender
        self.username, self.password, self.tls = username, password, tls

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(text_with_link(message))
        # after set_content, which drops earlier Content-* headers
        mail["Content-Language"] = message.locale or "zh"
        with smtplib.SMTP(self.server, self.port, timeout=10) as smtp:
            if self.tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mail)


def _template_values(message: OutboxMessage) -> dict[str, str]:
    return {"subject": message.subject, "body": message.body, "link": message.link}


class AliyunSmsSender:
    """SMS through Aliyun's SendSms (alibabacloud_dysmsapi20170525)."""

    def __init__(self, *, key_id, key_secret, sign_name, template_code, endpoint, protocol):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi_models

        config = openapi_models.Config(
            access_key_id=key_id,
            access_key_secret=key_secret,
            endpoint=endpoint or "dysmsapi.aliyuncs.com",
            protocol=protocol,
        )
        self.client = Client(config)
        self.sign_name, self.template_code = sign_name, template_code

    def send(self, message: OutboxMessage) -> None:
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_tea_util import models as util_models

        request = sms_models.SendSmsRequest(
            phone_numbers=message.recipient,
            sign_name=self.sign_name,
            template_code=self.template_code,
            template_param=json.dumps(_template_values(message), ensure_ascii=False),
        )
        runtime = util_models.RuntimeOptions(connect_timeout=5000, read_timeout=10000)
        response = self.client.send_sms_with_options(request, runtime)
        if response.body.code != "OK":
            raise SendFailed(f"aliyun: {response.body.code} {response.body.message}")


class TencentSmsSender:
    """SMS through Tencent Cloud's SendSms (tencentcloud-sdk-python-sms, API 2021-01-11)."""

    def __init__(
        self, *, key_id, key_secret, sign_name, template_code, endpoint, protocol, app_id, region
    ):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        http = HttpProfile(
            protocol=protocol, endpoint=endpoint or "sms.tencentcloudapi.com", reqTimeout=10
        )
        profile = ClientProfile(httpProfile=http)
        secret = credential.Credential(key_id, key_secret)
        self.client = sms_client.SmsClient(secret, region, profile)
        self.sign_name, self.template_id, self.app_id = sign_name, template_code, app_id

    def send(self, message: OutboxMessage) -> None:
        from tencentcloud.sms.v20210111 import models as sms_models

        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = ["+86" + message.recipient]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = self.template_id
        request.TemplateParamSet = list(_template_values(message).values())
        response = self.client.SendSms(request)
        status = response.SendStatusSet[0] if response.SendStatusSet else None
        if status is None:
            raise SendFailed("tencent: no send status in the answer")
        if status.Code != "Ok":
            raise SendFailed(f"tencent: {status.Code} {status.Message}")


def set_sender(app, channel: MessageChannel, sender: Sender | None) -> None:
    """Plug a sender in for a channel (None unplugs it), overriding the settings."""
    app.extensions.setdefault("outbox_senders", {})[channel] = sender


def _configured_sender(channel: MessageChannel) -> Sender | None:
    config = current_app.config
    if channel is MessageChannel.EMAIL:
        if not config.get("MAIL_SERVER"):
            return None
        return SmtpSender(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            config["MAIL_SENDER"],
            username=config.get("MAIL_USERNAME", ""),
            password=config.get("MAIL_PASSWORD", ""),
            tls=bool(config.get("MAIL_USE_TLS")),
        )
    provider = config.get("SMS_PROVIDER", "")
    if provider not in SMS_PROVIDERS:
        return None
    common = {
        "key_id": config["SMS_ACCESS_KEY_ID"],
        "key_secret": config["SMS_ACCESS_KEY_SECRET"],
        "sign_name": config["SMS_SIGN_NAME"],
        "template_code": config["SMS_TEMPLATE_CODE"],
        "endpoint": config.get("SMS_ENDPOINT", ""),
        "protocol": config.get("SMS_PROTOCOL", "https"),
    }
    if provider == "aliyun":
        return AliyunSmsSender(**common)
    return TencentSmsSender(
        **common, app_id=config["SMS_SDK_APP_ID"], region=config.get("SMS_REGION", "")
    )


def sender_for(channel: MessageChannel) -> Sender | None:
    """The sender serving a channel: one plugged in, else the configured one, else None."""
    plugged = current_app.extensions.get("outbox_senders", {})
    if channel in plugged:
        return plugged[channel]
    return _configured_sender(channel)


def channels_with_senders() -> list[MessageChannel]:
    plugged = current_app.extensions.get("outbox_senders", {})
    config = current_app.config
    configured = {
        MessageChannel.EMAIL: bool(config.get("MAIL_SERVER")),
        MessageChannel.SMS: config.get("SMS_PROVIDER", "") in SMS_PROVIDERS,
    }
    return [
        channel
        for channel in MessageChannel
        if (plugged[channel] is not None if channel in plugged else configured[channel])
    ]

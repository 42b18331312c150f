"""Stand-in servers on 127.0.0.1 that record what the senders send them.

No real provider is reachable from the test machine, and a sender's test must still go over
the wire: SMTP through aiosmtpd, the SMS providers' HTTP APIs through a small recording server
that answers the way the provider documents.
"""

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

#: this suite's share of ports on the shared machine
PORTS = range(5600, 5700)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 5600-5699")


class _Recorder:
    def __init__(self):
        self.mails = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "451 try again later"
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append(
            {
                "to": envelope.rcpt_tos,
                "subject": str(mail["Subject"]),
                "language": str(mail["Content-Language"]),
                "body": mail.get_content(),
            }
        )
        return "250 OK"


class SmtpStandIn:
    """An SMTP server recording every mail; `refuse = True` makes it answer 451."""

    def __init__(self):
        self.port = free_port()
        self.recorder = _Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def mails(self):
        return self.recorder.mails

    @property
    def refuse(self):
        return self.recorder.refuse

    @refuse.setter
    def refuse(self, value):
        self.recorder.refuse = value

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class HttpStandIn:
    """An HTTP server recording each request and answering with `answer(request)` as JSON."""

    answer: object
    requests: list = field(default_factory=list)

    def __enter__(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = {
                    "method": self.command,
                    "path": parts.path,
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": raw.decode("utf-8", "replace"),
                }
                if "x-www-form-urlencoded" in request["headers"].get("content-type", ""):
                    request["form"] = {k: v[0] for k, v in parse_qs(request["body"]).items()}
                standin.requests.append(request)
                payload = json.dumps(standin.answer(request)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle  # noqa: N815 - http.server's names

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

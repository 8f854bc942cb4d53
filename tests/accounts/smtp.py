"""A real SMTP server on loopback (aiosmtpd) for the e-mail tests, and free ports."""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """Collects what the SMTP server accepts, as parsed e-mail messages."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self.arrived = threading.Condition(self._lock)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address):
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, address, count=1, timeout=10.0):
        with self.arrived:
            self.arrived.wait_for(lambda: len([m for m in self.messages if address in str(m["To"])]) >= count, timeout)
        return self.to(address)


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def text_and_html(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html

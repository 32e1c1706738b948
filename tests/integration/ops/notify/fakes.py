"""Local fakes of the services receivers talk to: a recording HTTP server and an SMTP
server (aiosmtpd), each on a free loopback port."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

from tests.support.live import free_port


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # time.monotonic() when it arrived

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class FakeHttp:
    """Answers each request with the next status of `statuses` (then the last one)."""

    statuses: list[int] = field(default_factory=lambda: [200])
    answer: bytes = b"{}"
    delay: float = 0.0  # seconds to wait before answering (a slow service)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                arrived = time.monotonic()
                fake.requests.append(Recorded("POST", self.path, headers, body, arrived))
                time.sleep(fake.delay)
                self.send_response(fake._next_status())
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.answer)))
                self.end_headers()
                self.wfile.write(fake.answer)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


@contextmanager
def fake_http(
    statuses: list[int] | None = None, answer: bytes = b"{}", delay: float = 0.0
) -> Iterator[FakeHttp]:
    fake = FakeHttp(statuses=statuses or [200], answer=answer, delay=delay)
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeSmtp:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@contextmanager
def fake_smtp() -> Iterator[FakeSmtp]:
    fake = FakeSmtp(port=free_port())
    controller = Controller(fake, hostname=fake.host, port=fake.port)
    controller.start()
    try:
        yield fake
    finally:
        controller.stop()

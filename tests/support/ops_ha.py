"""Two real `jwtpizza ops` processes on one ops database, a metrics target the test sets,
and a webhook receiver that counts every page each person gets."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.support.live import free_port
from tests.support.processes import Component

LEASE, RENEW = 3.0, 1.0
TAKEOVER_BOUND = LEASE + RENEW
ESCALATION_WAIT = 10  # seconds from the first step (alice) to the second (bob)
RULE = "HaTestBroken"

NOTIFY = """
route:
  receiver: console
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1m
  repeat_interval: 4h
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: console
    console_configs: [{}]
  - name: pager
    oncall_configs: [{policy: default}]
  - name: alice-hook
    webhook_configs: [{url: "%(hooks)s/alice"}]
  - name: bob-hook
    webhook_configs: [{url: "%(hooks)s/bob"}]
"""

ONCALL = """
users:
  - {name: alice, receiver: alice-hook}
  - {name: bob, receiver: bob-hook}
escalation_policies:
  - name: default
    steps:
      - {notify: {user: alice}, wait: %(wait)ss}
      - {notify: {user: bob}}
"""

RULES = """
groups:
  - name: ha-test
    interval: 1s
    rules:
      - alert: %(rule)s
        expr: ha_test_broken > 0
        for: %(hold)ss
        labels: {severity: critical}
        annotations: {summary: the test's target says it is broken}
"""


@dataclass
class World:
    """The metrics target and the people's webhooks, on one local HTTP server."""

    broken: int = 0
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The first page to this person is never answered (its sender dies waiting).
    hang_first: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, who: str) -> int:
        with self.lock:
            return len(self.pages.get(who, []))


def handler(world: World) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def do_GET(self) -> None:
            body = f"# TYPE ha_test_broken gauge\nha_test_broken {world.broken}\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            who = self.path.strip("/")
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with world.lock:
                first = not world.pages.get(who)
                world.pages.setdefault(who, []).append(payload)
            if first and who in world.hang_first:
                time.sleep(60)  # the sender is killed meanwhile
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextmanager
def world_server(world: World) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler(world))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def ops_env(tmp_path: Path, base: str, *, hold: int, db: Path | None = None) -> dict[str, str]:
    """The environment both ops processes share: one SQLite file, short lease and ticks."""
    (tmp_path / "notify.yml").write_text(NOTIFY % {"hooks": base})
    (tmp_path / "oncall.yml").write_text(ONCALL % {"wait": ESCALATION_WAIT})
    (tmp_path / "rules.yml").write_text(RULES % {"rule": RULE, "hold": hold})
    target = {"job": "ha-test", "url": f"{base}/metrics"}
    return {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "JWTPIZZA_OPS_DATABASE_URL": f"sqlite+aiosqlite:///{db or tmp_path / 'ops.db'}",
        "JWTPIZZA_OPS_TARGETS": json.dumps([target]),
        "JWTPIZZA_OPS_RULE_FILES": json.dumps([str(tmp_path / "rules.yml")]),
        "JWTPIZZA_OPS_SCRAPE_INTERVAL_SECONDS": "1",
        "JWTPIZZA_OPS_EVALUATION_INTERVAL_SECONDS": "1",
        "JWTPIZZA_OPS_NOTIFY_CONFIG": str(tmp_path / "notify.yml"),
        "JWTPIZZA_OPS_ONCALL_CONFIG": str(tmp_path / "oncall.yml"),
        "JWTPIZZA_OPS_NOTIFY_TICK_SECONDS": "0.5",
        "JWTPIZZA_OPS_LEASE_SECONDS": str(LEASE),
        "JWTPIZZA_OPS_LEASE_RENEW_SECONDS": str(RENEW),
        "JWTPIZZA_OPS_ACK_SECRET": "ha-test-ack-secret-of-enough-length",
        "JWTPIZZA_OPS_METRICS_TOKEN": "ha-test-metrics",
        "JWTPIZZA_OPS_SERVICE_URL": f"{base}/no-service",
        "JWTPIZZA_OPS_FACTORY_URL": f"{base}/no-factory",
    }


class OpsProcess(Component):
    """`jwtpizza ops` as a child process on a free port, named `name` in the lease."""

    def __init__(self, env: dict[str, str], log: Path, name: str) -> None:
        self.port = free_port()
        super().__init__(
            ["ops", "--port", str(self.port)], {**env, "JWTPIZZA_OPS_LEADER_ID": name}, log,
            f"http://127.0.0.1:{self.port}", ready_path="/readyz",
        )  # fmt: skip

    def start(self, timeout: float = 30) -> OpsProcess:
        super().start(timeout)
        return self

    def role(self) -> str | None:
        assert self.process is not None
        assert self.process.poll() is None, self.tail()
        try:
            return str(httpx.get(f"{self.url}/readyz", timeout=1).json()["role"])
        except httpx.TransportError:
            return None

    def stop(self, grace: float = 15) -> None:
        super().stop(grace)


def wait_for(condition: Callable[[], bool], timeout: float, message: str) -> float:
    """Poll `condition` until true; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(message)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))

"""The whole stack for incident game days: the factory and the service (`live_pair`), ops in
the 5 s game-day profile with the shipped factory rules, a pager on a local fake, and a
traffic loop of diners ordering pizzas."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.settings import OpsSettings, ScrapeTarget
from tests.integration.ops.notify.fakes import FakeHttp
from tests.support.live import LivePair, free_port, serving

ROOT = Path(__file__).resolve().parents[2]
SCRAPE = 5.0  # the game-day profile's scrape and evaluation interval
ORDER = {"franchiseId": 1, "storeId": 1,
         "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}]}  # fmt: skip

INTAKE = "e2e-intake-token"  # `ops_for(..., oncall={"intake_token": INTAKE})`

NOTIFY = """
route:
  receiver: console
  group_by: [alertname, component]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
  routes:
    - matchers: ['severity=~"critical|high"']
      receiver: pager
receivers:
  - {name: console, console_configs: [{}]}
  - {name: pager, oncall_configs: [{policy: default}]}
  - {name: alice-hook, webhook_configs: [{url: "PAGER/alice"}]}
  - {name: bob-hook, webhook_configs: [{url: "PAGER/bob"}]}
"""
ONCALL = """
users:
  - {name: alice, receiver: alice-hook}
  - {name: bob, receiver: bob-hook}
schedules:
  - name: primary
    layers: [{users: [alice], start: 2020-01-01T00:00:00Z, shift: 7d}]
  - name: secondary
    layers: [{users: [bob], start: 2020-01-01T00:00:00Z, shift: 7d}]
escalation_policies:
  - name: default
    steps:
      - {notify: {schedule: primary}, wait: 60s}
      - {notify: {schedule: secondary}}
"""


@contextmanager
def ops_for(
    tmp_path: Path,
    pair: LivePair,
    pager: FakeHttp,
    *,
    oncall: dict[str, Any] | None = None,
    ops: dict[str, Any] | None = None,
    **incident: Any,
) -> Iterator[str]:
    """Ops watching the pair, paging through `pager`, reading the feeds as the admins;
    `oncall` and `ops` add on-call and ops settings."""
    (tmp_path / "notify.yml").write_text(NOTIFY.replace("PAGER", pager.url))
    (tmp_path / "oncall.yml").write_text(ONCALL)
    port = free_port()
    targets = [
        ScrapeTarget(job="jwt-pizza-service", url=f"{pair.service_url}/metrics",
                     labels={"component": "service"}),
        ScrapeTarget(job="jwt-pizza-factory", url=f"{pair.factory_url}/metrics",
                     labels={"component": "factory"}),
    ]  # fmt: skip
    app = create_app(
        OpsSettings(
            port=port, database_url=f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
            service_url=pair.service_url, factory_url=pair.factory_url, targets=targets,
            **{"rule_files": [str(ROOT / "deploy" / "prometheus" / "rules" / "factory.yml")],
               "profile": "game-day", **(ops or {})},
        ),
        notify=NotifySettings(notify_config=tmp_path / "notify.yml", notify_tick_seconds=0.5),
        oncall=OncallSettings(
            oncall_config=tmp_path / "oncall.yml", ack_secret=SecretStr("e2e-ack-secret"),
            public_url=f"http://127.0.0.1:{port}", **(oncall or {}),
        ),
        incidents=IncidentSettings(
            service_email="a@jwt.com", service_password=SecretStr("admin"),
            factory_api_key=SecretStr(pair.admin_key), runbook_poll_seconds=0.5,
            runbook_dir=ROOT / "docs" / "runbooks", **incident,
        ),
    )  # fmt: skip
    with serving(app, port) as url:
        yield url


@dataclass
class Traffic:
    """Diners ordering a pizza each, in turn, until stopped (a thread). Like the shop, they
    send RFC 7240 `Prefer: respond-async`, so an order the factory cannot make now is queued."""

    shop: str
    tokens: list[str]
    answers: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.shop, timeout=30) as client:
            while not self._stop.is_set():
                for token in self.tokens:
                    headers = {"Authorization": f"Bearer {token}", "Prefer": "respond-async"}
                    self.answers.append(client.post("/api/order", json=ORDER,
                                                    headers=headers).status_code)  # fmt: skip
                self._stop.wait(0.3)

    def stop(self) -> None:
        """No order after the one in flight."""
        self._stop.set()

    @contextmanager
    def running(self) -> Iterator[Traffic]:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stop()
            thread.join(60)


def diners(pair: LivePair, count: int) -> list[str]:
    tokens = []
    for i in range(count):
        body = {"name": f"diner{i}", "email": f"diner{i}@jwt.com", "password": "pizza-pass"}
        tokens.append(pair.shop.post("/api/auth", json=body).json()["token"])
    return tokens


def admin_token(pair: LivePair) -> str:
    login = pair.shop.put("/api/auth", json={"email": "a@jwt.com", "password": "admin"})
    token: str = login.json()["token"]
    return token


def wait_for(check: Callable[[], Any], seconds: float, message: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    raise AssertionError(message)


def incident_cli(ops_url: str, token: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["incident", *args, "--url", ops_url, "--token", token])
    assert result.exit_code == 0, result.output
    return result.output


def alert(summary: str) -> dict[str, Any]:
    """An Alertmanager notification (webhook version 4) whose summary is `summary`."""
    labels = {"alertname": "Injected", "severity": "critical", "component": "service"}
    return {
        "version": "4", "groupKey": "{}:{alertname=\"Injected\"}", "status": "firing",
        "receiver": "pager", "groupLabels": {"alertname": "Injected"},
        "commonLabels": labels, "commonAnnotations": {"summary": summary},
        "externalURL": "http://alertmanager.test", "truncatedAlerts": 0,
        "alerts": [{
            "status": "firing", "labels": labels, "annotations": {"summary": summary},
            "startsAt": "2026-12-07T09:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.test/graph", "fingerprint": "0123456789abcdef",
        }],
    }  # fmt: skip

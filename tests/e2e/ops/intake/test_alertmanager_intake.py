"""The real Prometheus -> Alertmanager -> ops intake chain, then escalation, on real processes.

Debian's `prometheus` scrapes the running service and factory with the shipped rule file,
a `fail` fault fires the rule that counts chaos failures, the real `prometheus-alertmanager`
posts its webhook to our intake, and our on-call pages the primary on a local fake. Nobody
acknowledges, so the secondary is paged after the escalation delay; the secondary
acknowledges through the link in their page, and the team is never paged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import SecretStr

from jwtpizza.ops.app import create_app
from jwtpizza.ops.notify.domain import fingerprint
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.ops.notify.fakes import FakeHttp, fake_http
from tests.support.live import LivePair, free_port, live_pair, serving
from tests.support.prometheus import alertmanager as real_alertmanager
from tests.support.prometheus import binary, process, wait_for

# The game days share one pytest-xdist worker, one after another: their compressed clocks and
# detection deadlines need the CPU that a second game day would take (see scripts/test).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("game-days")]

INTAKE_TOKEN = "e2e-intake-token"
ESCALATION_WAIT = 3.0

RULES_DIR = Path(__file__).resolve().parents[4] / "deploy" / "prometheus" / "rules"


def fail_rule() -> tuple[Path, str]:
    """The shipped rule file and alert that catch the `fail` fault (chaos-reason calls)."""
    for path in sorted(RULES_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if 'reason="chaos"' in rule.get("expr", ""):
                    return path, str(rule["alert"])
    raise AssertionError(f'no rule in {RULES_DIR} counts factory_calls_total{{reason="chaos"}}')


NOTIFY = """
route:
  receiver: console
receivers:
  - name: console
    console_configs: [{}]
  - {name: alice-hook, webhook_configs: [{url: "PAGER/alice"}]}
  - {name: bob-hook, webhook_configs: [{url: "PAGER/bob"}]}
  - {name: team-hook, webhook_configs: [{url: "PAGER/team"}]}
"""

ONCALL = f"""
users:
  - {{name: alice, receiver: alice-hook}}
  - {{name: bob, receiver: bob-hook}}
teams:
  - {{name: devops, members: [alice, bob], receiver: team-hook}}
schedules:
  - name: primary
    layers: [{{users: [alice], start: 2020-01-01T00:00:00Z, shift: 7d}}]
  - name: secondary
    layers: [{{users: [bob], start: 2020-01-01T00:00:00Z, shift: 7d}}]
escalation_policies:
  - name: default
    steps:
      - {{notify: {{schedule: primary}}, wait: {ESCALATION_WAIT}s}}
      - {{notify: {{schedule: secondary}}, wait: {ESCALATION_WAIT}s}}
      - {{notify: {{team: devops}}}}
"""


@contextmanager
def alertmanager(tmp_path: Path, ops_url: str) -> Iterator[str]:
    with real_alertmanager(
        tmp_path,
        f"""
route:
  receiver: jwt-pizza-ops
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: jwt-pizza-ops
    webhook_configs:
      - url: {ops_url}/api/ops/alertmanager?policy=default
        send_resolved: true
        http_config:
          authorization: {{credentials: {INTAKE_TOKEN}}}
""",
    ) as url:
        yield url


@contextmanager
def prometheus(tmp_path: Path, pair: LivePair, alertmanager_url: str) -> Iterator[str]:
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: [{fail_rule()[0]}]
alerting:
  alertmanagers:
    - static_configs: [{{targets: ["{alertmanager_url.removeprefix("http://")}"]}}]
scrape_configs:
  - job_name: jwt-pizza-service
    static_configs:
      - targets: ["{pair.service_url.removeprefix("http://")}"]
        labels: {{component: service}}
  - job_name: jwt-pizza-factory
    static_configs:
      - targets: ["{pair.factory_url.removeprefix("http://")}"]
        labels: {{component: factory}}
""")
    args = [
        binary("prometheus"), f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'prom-data'}", f"--web.listen-address=127.0.0.1:{port}",
        "--rules.alert.resend-delay=1s",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with process(args, f"{url}/-/ready", tmp_path / "prometheus.log"):
        yield url


@contextmanager
def ops(tmp_path: Path, pager: FakeHttp, service_url: str) -> Iterator[str]:
    (tmp_path / "notify.yml").write_text(NOTIFY.replace("PAGER", pager.url))
    (tmp_path / "oncall.yml").write_text(ONCALL)
    port = free_port()
    app = create_app(
        OpsSettings(
            port=port, database_url=f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
            service_url=service_url, targets=[], rule_files=[], demo=True,  # /metrics open
        ),
        notify=NotifySettings(notify_config=tmp_path / "notify.yml", notify_tick_seconds=0.2),
        oncall=OncallSettings(
            oncall_config=tmp_path / "oncall.yml", ack_secret=SecretStr("e2e-ack-secret"),
            intake_token=SecretStr(INTAKE_TOKEN), public_url=f"http://127.0.0.1:{port}",
        ),
    )  # fmt: skip
    with serving(app, port) as url:
        yield url


def pages_to(pager: FakeHttp, who: str) -> list[tuple[float, dict[str, Any]]]:
    return [(r.at, r.json()) for r in pager.requests if r.path == f"/{who}"]


def test_prometheus_alertmanager_intake_then_escalation_and_ack(tmp_path: Path) -> None:
    order = {"franchiseId": 1, "storeId": 1,
             "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}]}  # fmt: skip
    with (
        live_pair(tmp_path, resilience=ResilienceSettings.fragile()) as pair,
        fake_http() as pager,
        ops(tmp_path, pager, pair.service_url) as ops_url,
        alertmanager(tmp_path, ops_url) as am_url,
        prometheus(tmp_path, pair, am_url),
    ):
        login = pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
        diner = {"Authorization": f"Bearer {login.json()['token']}"}
        pair.start_chaos("fail")
        started = time.monotonic()

        def order_pizza() -> None:
            pair.shop.post("/api/order", json=order, headers=diner)

        [(paged_at, page)] = wait_for(
            lambda: pages_to(pager, "alice"), 90, "the primary was never paged", order_pizza
        )
        detection = paged_at - started
        [alert] = page["alerts"]
        assert page["commonLabels"]["alertname"] == fail_rule()[1]
        assert page["receiver"] == "jwt-pizza-ops"  # Alertmanager's own group, as it sent it
        assert alert["fingerprint"] == fingerprint(alert["labels"])  # same identity as ours
        assert alert["labels"]["job"] == "jwt-pizza-service"

        [(bob_at, bob_page)] = wait_for(
            lambda: pages_to(pager, "bob"), ESCALATION_WAIT + 5, "no escalation to the secondary"
        )
        assert ESCALATION_WAIT - 0.5 <= bob_at - paged_at <= ESCALATION_WAIT + 5  # CI load
        acked = httpx.post(bob_page["ackURL"])
        assert acked.status_code == 200, acked.text
        assert acked.json()["page"]["acknowledgedBy"] == "bob"
        time.sleep(ESCALATION_WAIT + 1)
        assert pages_to(pager, "team") == []
        metrics = httpx.get(f"{ops_url}/metrics").text
        assert (
            'notifications_total{integration="webhook",outcome="success",receiver="alice-hook"}'
            in metrics
        )
        print(f"detection (fault start -> page): {detection:.1f}s")
        assert detection < 60

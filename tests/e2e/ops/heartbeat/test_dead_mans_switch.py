"""The dead man's switch: the shipped `Watchdog` rule beats while alerting works, and ops
pages the on-call when the beats stop, within the stated bound.

- our own evaluator (a real ops app on a real port): its evaluation is made to hang, as a
  stuck evaluation loop would; the page comes within `heartbeat_timeout_seconds` of the last
  beat (plus one check interval);
- a real Prometheus and a real Alertmanager posting to ops' `/api/ops/heartbeat`: Prometheus
  is killed; Alertmanager keeps the alert for 4 resend delays (Prometheus's `endsAt`), then
  the beats stop and ops pages within the timeout.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from jwtpizza.ops.app import create_app
from jwtpizza.ops.heartbeat.watch import ALERTMANAGER, DEAD_MANS_SWITCH, RULES, HeartbeatWatch
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.settings import OpsSettings
from tests.e2e.ops.intake.test_alertmanager_intake import INTAKE_TOKEN, RULES_DIR
from tests.integration.ops.notify.fakes import FakeHttp, fake_http
from tests.support.live import free_port, serving
from tests.support.prometheus import alertmanager as real_alertmanager
from tests.support.prometheus import binary, process, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("game-days")]

TIMEOUT = 4.0  # heartbeat_timeout_seconds: the bound
TICK = 0.2  # notify_tick_seconds: how often the heartbeats are checked
WATCHDOG_RULES = RULES_DIR / "watchdog.yml"

NOTIFY = """
route:
  receiver: console
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: heartbeat
receivers:
  - name: heartbeat
  - name: console
    console_configs: [{}]
  - {name: alice-hook, webhook_configs: [{url: "PAGER/alice"}]}
"""
ONCALL = """
users: [{name: alice, receiver: alice-hook}]
schedules:
  - {name: primary, layers: [{users: [alice], start: 2020-01-01T00:00:00Z, shift: 7d}]}
escalation_policies:
  - {name: default, steps: [{notify: {schedule: primary}}]}
"""


@contextmanager
def ops(tmp_path: Path, pager: FakeHttp, rule_files: list[str]) -> Iterator[tuple[str, Any]]:
    (tmp_path / "notify.yml").write_text(NOTIFY.replace("PAGER", pager.url))
    (tmp_path / "oncall.yml").write_text(ONCALL)
    port = free_port()
    app = create_app(
        OpsSettings(
            port=port, database_url=f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
            service_url="http://127.0.0.1:9", targets=[], rule_files=rule_files, demo=True,
            scrape_interval_seconds=1, evaluation_interval_seconds=1,
        ),
        notify=NotifySettings(
            notify_config=tmp_path / "notify.yml", notify_tick_seconds=TICK,
            heartbeat_timeout_seconds=TIMEOUT,
        ),
        oncall=OncallSettings(
            oncall_config=tmp_path / "oncall.yml", intake_token=SecretStr(INTAKE_TOKEN),
        ),
    )  # fmt: skip
    with serving(app, port) as url:
        yield url, app


def pages(pager: FakeHttp) -> list[tuple[float, dict[str, Any]]]:
    return [(r.at, r.json()) for r in pager.requests if r.path == "/alice"]


def watched(watch: HeartbeatWatch, source: str) -> bool:
    return source in watch.beats


def last_beat_age(watch: HeartbeatWatch, source: str) -> float:
    return (watch.clock.now() - watch.beats[source].last).total_seconds()


def test_a_hung_evaluator_pages_through_the_dead_mans_switch(tmp_path: Path) -> None:
    with fake_http() as pager, ops(tmp_path, pager, [str(WATCHDOG_RULES)]) as (_url, app):
        watch: HeartbeatWatch = app.state.ops.heartbeat
        wait_for(lambda: watched(watch, RULES), 10, "the evaluator's Watchdog never beat")
        time.sleep(2 * TIMEOUT)
        assert pages(pager) == [], "paged while the evaluator was working"
        assert last_beat_age(watch, RULES) < 2.5  # it beats on every evaluation (1 s)

        async def hang(_t_ms: int) -> None:
            await asyncio.Event().wait()

        app.state.ops.rules.evaluate = hang  # the evaluation loop gets stuck
        hung = time.monotonic()
        [(paged_at, page)] = wait_for(lambda: pages(pager), TIMEOUT + 5, "no page")
        [alert] = page["alerts"]
        assert alert["labels"] == {
            "alertname": DEAD_MANS_SWITCH, "source": RULES, "severity": "critical",
        }  # fmt: skip
        # The last beat was at most one evaluation interval before the hang.
        assert paged_at - hung <= TIMEOUT + 1 + 1.5, paged_at - hung
        assert paged_at - hung >= TIMEOUT - 1.5
        print(f"evaluator hung -> page: {paged_at - hung:.1f}s (bound {TIMEOUT + 1 + TICK}s)")


@contextmanager
def alertmanager(tmp_path: Path, ops_url: str) -> Iterator[str]:
    with real_alertmanager(
        tmp_path,
        f"""
route:
  receiver: nobody
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: heartbeat
      group_wait: 0s
      group_interval: 1s
      repeat_interval: 1s
receivers:
  - name: nobody
  - name: heartbeat
    webhook_configs:
      - url: {ops_url}/api/ops/heartbeat
        http_config:
          authorization: {{credentials: {INTAKE_TOKEN}}}
""",
    ) as url:
        yield url


RESEND = 1.0  # Prometheus's --rules.alert.resend-delay (and evaluation interval)


@contextmanager
def prometheus(tmp_path: Path, alertmanager_url: str) -> Iterator[subprocess.Popen[bytes]]:
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: [{WATCHDOG_RULES}]
alerting:
  alertmanagers:
    - static_configs: [{{targets: ["{alertmanager_url.removeprefix("http://")}"]}}]
""")
    args = [
        binary("prometheus"), f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'prom-data'}", f"--web.listen-address=127.0.0.1:{port}",
        f"--rules.alert.resend-delay={RESEND:g}s",
    ]  # fmt: skip
    with process(args, f"http://127.0.0.1:{port}/-/ready", tmp_path / "prometheus.log") as proc:
        yield proc


def test_killing_prometheus_pages_through_alertmanager_and_the_heartbeat(tmp_path: Path) -> None:
    with (
        fake_http() as pager,
        ops(tmp_path, pager, []) as (ops_url, app),
        alertmanager(tmp_path, ops_url) as am_url,
        prometheus(tmp_path, am_url) as prom,
    ):
        watch: HeartbeatWatch = app.state.ops.heartbeat
        wait_for(lambda: watched(watch, ALERTMANAGER), 30, "Alertmanager's Watchdog never beat")
        time.sleep(2 * TIMEOUT)
        assert pages(pager) == [], "paged while Prometheus was running"
        assert last_beat_age(watch, ALERTMANAGER) < 3

        prom.kill()
        killed = time.monotonic()
        [(paged_at, page)] = wait_for(lambda: pages(pager), TIMEOUT + 15, "no page")
        assert page["alerts"][0]["labels"]["source"] == ALERTMANAGER
        # Alertmanager holds the alert until Prometheus's endsAt (4 resend delays), re-sending
        # it every second; then the beats stop and ops pages within the timeout.
        bound = 4 * RESEND + 1 + TIMEOUT + TICK
        assert paged_at - killed <= bound + 2, paged_at - killed
        print(f"Prometheus killed -> page: {paged_at - killed:.1f}s (bound {bound:.1f}s)")

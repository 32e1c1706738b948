"""The stack a scenario runs on: the service, the factory and ops as uvicorn servers in this
process, on free loopback ports, with throwaway SQLite databases in a temporary folder.

In-process rather than child processes: a scenario starts in about a second, Ctrl-C stops
everything with the process (no child can be left behind), and the run reads the incident's
figures from the very objects that write the postmortem.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
import yaml
from fastapi import FastAPI
from pydantic import SecretStr

from jwtpizza.db import Database
from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.ops.app import create_app as create_ops
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.settings import DEFAULT_RULES_DIR, OpsSettings, stack_targets
from jwtpizza.scenarios.spec import COMPARE, Responder, Scenario
from jwtpizza.scenarios.timing import Timing
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.service.seed import migrate, seed_demo
from jwtpizza.service.settings import ServiceSettings

HOST = "127.0.0.1"
ADMIN = ("a@jwt.com", "admin")
READY_SECONDS = 30.0
# Rules on the machine (CPU, memory) and on wall-clock latency (the order-latency SLO's burn
# alert too) are left out: a compressed replay runs the whole stack in one process at N times
# the traffic, and latency is not compressed, so they would measure the compression and the
# machine, not the fault. The other SLO rules run compressed like every rule: their windows
# (5 m to 30 d) shrink by the speed, and a run's history starts with the run.
UNCOMPRESSED = frozenset(
    {"jwt-pizza-hosts", "ServiceLatencyHigh", "FactorySlow", "OrderLatencyBudgetBurn"}
)
# The dead man's switch fires always; a scenario scores the fault's alerts, not it.
WATCHDOG_RULES = "watchdog.yml"


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Channels:
    """Where a person's pages go besides ops's console (its log and the terminal): an email
    through a local SMTP sink, a push to an ntfy topic; what ops's notify already sends."""

    email: str | None = None
    smtp: str = "localhost:1025"  # host:port, plain SMTP (a local sink takes no TLS)
    ntfy: str | None = None  # the topic's URL: http://localhost:8080/jwt-pizza

    def integrations(self) -> dict[str, Any]:
        found: dict[str, Any] = {"console_configs": [{}]}
        if self.email:
            found["email_configs"] = [
                {
                    "to": self.email,
                    "from": "scenario@jwtpizza.local",
                    "smarthost": self.smtp,
                    "require_tls": False,
                }
            ]
        if self.ntfy:
            url = urlsplit(self.ntfy)
            found["ntfy_configs"] = [
                {"url": f"{url.scheme}://{url.netloc}", "topic": url.path.strip("/")}
            ]
        return found


def _receivers(responder: Responder) -> list[str]:
    """The receivers a person is reached by: the primary's contacts, the secondary, the team."""
    return [f"primary-{c}" for c in responder.contacts] + ["secondary-phone", "team-room"]


def notify_yaml(timing: Timing, responder: Responder, channels: Channels) -> str:
    wait = round(1000 * timing.wall(5))
    people = yaml.safe_dump(
        [{"name": name, **channels.integrations()} for name in _receivers(responder)],
        default_flow_style=None,
        width=1000,
    )
    people = "\n".join(f"  {line}" for line in people.splitlines())
    return f"""
route:
  receiver: console
  group_by: [alertname, component]
  group_wait: {wait}ms
  group_interval: {round(1000 * timing.wall(60))}ms
  repeat_interval: 4h
  routes:
    - matchers: ['severity=~"critical|high"']
      receiver: pager
    - matchers: ['severity="moderate"']
      receiver: pager-primary
receivers:
  - {{name: console, console_configs: [{{}}]}}
  - {{name: pager, oncall_configs: [{{policy: default}}]}}
  - {{name: pager-primary, oncall_configs: [{{policy: primary-only}}]}}
{people}
"""


def oncall_yaml(timing: Timing, responder: Responder) -> str:
    """Primary and secondary on call; the default policy reaches the primary by each of their
    contacts in turn (a second contact is a team of one named after the person, so the page
    records the same person twice), then the secondary, then the team."""
    wait = round(1000 * timing.wall(responder.escalation_wait))
    first, *more = responder.contacts
    steps = [f"      - {{notify: {{schedule: primary}}, wait: {wait}ms}}"]
    steps += [f"      - {{notify: {{team: primary}}, wait: {wait}ms}}" for _ in more]
    teams = [f"  - {{name: primary, members: [primary], receiver: primary-{c}}}" for c in more]
    newline = "\n"
    return f"""
users:
  - {{name: primary, receiver: primary-{first}}}
  - {{name: secondary, receiver: secondary-phone}}
teams:
  - {{name: devops, members: [primary, secondary], receiver: team-room}}
{newline.join(teams)}
schedules:
  - name: primary
    layers: [{{users: [primary], start: 2020-01-06T00:00:00Z, shift: 7d}}]
  - name: secondary
    layers: [{{users: [secondary], start: 2020-01-06T00:00:00Z, shift: 7d}}]
escalation_policies:
  - name: default
    steps:
{newline.join(steps)}
      - {{notify: {{schedule: secondary}}, wait: {wait}ms}}
      - {{notify: {{team: devops}}}}
  - name: primary-only
    steps:
      - {{notify: {{schedule: primary}}}}
"""


@dataclass
class Stack:
    folder: Path
    service_url: str
    factory_url: str
    ops_url: str
    vendor_id: str
    admin_key: str  # the factory's admin vendor
    ops: FastAPI
    http: httpx.AsyncClient
    token: str = ""  # the service's admin, for the ledger and ops

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def factory_admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    async def get(self, url: str, **params: Any) -> Any:
        response = await self.http.get(url, params=params, headers=self.admin())
        response.raise_for_status()
        return response.json()


class _Server(uvicorn.Server):
    """Leaves Ctrl-C to the scenario, which ends the fault before stopping."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _prepare(service: ServiceSettings, factory: FactorySettings) -> tuple[str, str]:
    vendor_key = await ensure_demo_vendor(factory)
    admin_key = await ensure_demo_admin(factory)
    db = Database(service.database_url)
    try:
        await migrate(db)
        await seed_demo(db, bcrypt_rounds=4)
    finally:
        await db.dispose()
    return vendor_key, admin_key


def _pending(text: str, pending_for: dict[str, float]) -> str:
    """The rule file with the named alerts' `for` replaced (in scenario seconds)."""
    if not pending_for:
        return text
    data: dict[str, Any] = yaml.safe_load(text)
    for group in data.get("groups", []):
        for rule in group.get("rules", []):
            if rule.get("alert") in pending_for:
                rule["for"] = f"{pending_for[rule['alert']]:g}s"
    return yaml.safe_dump(data, sort_keys=False)


def _rules(folder: Path, timing: Timing, scenario: Scenario) -> list[str]:
    """The shipped rules, compressed, and the scenario's side-by-side rule file."""
    pending_for = _pending_for(scenario)
    compare = [COMPARE / f"{scenario.side_by_side}.yml"] if scenario.side_by_side else []
    files = []
    for path in [*sorted(DEFAULT_RULES_DIR.glob("*.yml")), *compare]:
        if path.name == WATCHDOG_RULES:
            continue
        target = folder / "rules" / path.name
        target.parent.mkdir(exist_ok=True)
        text = _pending(path.read_text(), pending_for)
        target.write_text(timing.rules(text, drop=UNCOMPRESSED))
        files.append(str(target))
    return files


def _pending_for(scenario: Scenario) -> dict[str, float]:
    """The report's pending period, for the alert the scenario expects first."""
    report = scenario.report
    if report is None or report.pending_for is None or not scenario.expect:
        return {}
    return {scenario.expect[0].name: report.pending_for}


@asynccontextmanager
async def running_stack(
    folder: Path,
    timing: Timing,
    scenario: Scenario,
    *,
    resilient: bool,
    autopilot: bool,
    channels: Channels,
) -> AsyncIterator[Stack]:
    """Start the three components, wait until each answers, and stop them on the way out."""
    responder = scenario.responder
    ports = {name: free_port() for name in ("service", "factory", "ops")}
    url = {name: f"http://{HOST}:{port}" for name, port in ports.items()}
    sqlite = {name: f"sqlite+aiosqlite:///{folder / f'{name}.db'}" for name in ports}
    factory = FactorySettings(
        host=HOST,
        port=ports["factory"],
        database_url=sqlite["factory"],
        demo=True,
        order_delay_seconds=timing.wall(32.0),
    )
    vendor_key, admin_key = await _prepare(ServiceSettings(database_url=sqlite["service"]), factory)
    service = ServiceSettings(
        host=HOST,
        port=ports["service"],
        database_url=sqlite["service"],
        demo=True,
        factory_url=url["factory"],
        factory_api_key=SecretStr(vendor_key),
        integrity_check_seconds=timing.wall(60.0),
        bcrypt_rounds=4,
        resilience=ResilienceSettings() if resilient else ResilienceSettings.fragile(),
    )
    (folder / "notify.yml").write_text(notify_yaml(timing, responder, channels))
    (folder / "oncall.yml").write_text(oncall_yaml(timing, responder))
    ops_app = create_ops(
        OpsSettings(
            host=HOST,
            port=ports["ops"],
            database_url=sqlite["ops"],
            service_url=url["service"],
            factory_url=url["factory"],
            targets=stack_targets(url["service"], url["factory"]),
            rule_files=_rules(folder, timing, scenario),
            scrape_interval_seconds=timing.interval,
            evaluation_interval_seconds=timing.interval,
            scrape_timeout_seconds=max(1.0, timing.interval),
            history_resolution_seconds=timing.wall(300.0),
            history_retention_seconds=timing.wall(31 * 24 * 3600.0),
        ),
        notify=NotifySettings(notify_config=folder / "notify.yml", notify_tick_seconds=0.2),
        oncall=OncallSettings(
            oncall_config=folder / "oncall.yml",
            ack_secret=SecretStr(secrets.token_urlsafe(32)),
            public_url=url["ops"],
        ),
        incidents=IncidentSettings(
            service_email=ADMIN[0],
            service_password=SecretStr(ADMIN[1]),
            factory_api_key=SecretStr(admin_key),
            time_speed=timing.speed,
            autopilot=autopilot,
            runbook_poll_seconds=0.2,
            reports_dir=folder / "incidentReports",
            mttd_target_seconds=timing.wall(120.0),
        ),
    )
    apps = [
        (create_service(service), ports["service"]),
        (create_factory(factory), ports["factory"]),
        (ops_app, ports["ops"]),
    ]
    # The factory drops connections on purpose in a `reset` outage, which uvicorn would log
    # as an error each time (its loggers are shared by the three servers); each component
    # logs its own errors.
    servers = [
        _Server(uvicorn.Config(app, host=HOST, port=port, log_level="critical"))
        for app, port in apps
    ]
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    try:
        async with httpx.AsyncClient(timeout=30.0) as http:
            await _until_ready(http, list(url.values()), tasks)
            stack = Stack(
                folder=folder,
                service_url=url["service"],
                factory_url=url["factory"],
                ops_url=url["ops"],
                vendor_id=factory.demo_vendor_id,
                admin_key=admin_key,
                ops=ops_app,
                http=http,
            )
            login = await http.put(
                f"{stack.service_url}/api/auth", json={"email": ADMIN[0], "password": ADMIN[1]}
            )
            stack.token = login.json()["token"]
            yield stack
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)


async def _until_ready(
    http: httpx.AsyncClient, urls: list[str], tasks: list[asyncio.Task[None]]
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_SECONDS
    pending = list(urls)
    while pending:
        if any(task.done() for task in tasks):
            raise RuntimeError("a component stopped while starting")
        for url in list(pending):
            with suppress(httpx.HTTPError):
                if (await http.get(f"{url}/healthz", timeout=1.0)).status_code == 200:
                    pending.remove(url)
        if loop.time() > deadline:
            raise RuntimeError(f"{', '.join(pending)} did not answer within 30 s")
        await asyncio.sleep(0.05)

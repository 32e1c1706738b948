"""Running a scenario: the stack, traffic, the fault on schedule, a simulated responder, the
end of the fault, recovery, the postmortem and the scorecard."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx

from jwtpizza.clock import ScaledClock
from jwtpizza.db import statements
from jwtpizza.scenarios.human import briefing, countdown
from jwtpizza.scenarios.measure import when
from jwtpizza.scenarios.scorecard import Scorecard
from jwtpizza.scenarios.scoring import Say, fetch_incidents, now, score
from jwtpizza.scenarios.spec import Scenario
from jwtpizza.scenarios.stack import Channels, Stack, running_stack
from jwtpizza.scenarios.timing import Timing
from jwtpizza.traffic import OrderOutcome, TrafficConfig, run_traffic

NO_CHANNELS = Channels()


async def inject(stack: Stack, scenario: Scenario, timing: Timing) -> None:
    """Start the scenario's fault now."""
    fault = scenario.fault
    if fault.kind == "chaos":
        body: dict[str, Any] = {"start": "now"}
        if fault.duration is not None:
            body["durationSeconds"] = timing.wall(fault.duration)
        if fault.mode is not None:
            body["mode"] = fault.mode
        response = await stack.http.put(
            f"{stack.factory_url}/api/admin/chaos/{stack.vendor_id}/{fault.type}",
            json=body,
            headers=stack.factory_admin(),
        )
        response.raise_for_status()
    elif fault.kind == "store-integrity":
        # A bad migration's leftovers: a store whose franchise is gone, written with foreign
        # keys off (SQLite does not check them on a plain connection).
        with sqlite3.connect(stack.folder / "service.db", timeout=30) as db:
            db.execute(statements.ORPHAN_STORE)


async def end_fault(stack: Stack, scenario: Scenario) -> None:
    """End whatever fault is still on (idempotent)."""
    if scenario.fault.kind == "chaos":
        with suppress(Exception):
            await stack.http.delete(
                f"{stack.factory_url}/api/admin/chaos/{stack.vendor_id}",
                headers=stack.factory_admin(),
            )


async def _respond(stack: Stack, scenario: Scenario, timing: Timing, say: Say) -> None:
    """The simulated person: `ack_after` after the first page opened, acknowledges the open
    incidents (and so their pages) and the pages still waiting, then runs their runbook on
    each incident they acknowledged, if they have one. Like a person, it tries again when ops
    does not answer (a slow or refused request under load)."""
    if scenario.responder.ack_by == "nobody":
        return
    fixing: list[asyncio.Task[None]] = []
    try:
        while True:
            try:
                for incident_id in await _acknowledge_due(stack, scenario, timing, say):
                    if scenario.responder.runbook is not None:
                        fixing.append(asyncio.create_task(_fix(stack, scenario, incident_id, say)))
            except httpx.HTTPError as error:
                say(f"{scenario.responder.ack_by} could not reach ops, trying again: {error!r}")
            await asyncio.sleep(0.2)
    finally:
        for task in fixing:
            task.cancel()
        await asyncio.gather(*fixing, return_exceptions=True)


async def _run_runbook(stack: Stack, incident_id: int, runbook: str | None) -> dict[str, Any]:
    """Start a runbook (ops answers 202 at once) and follow the run until it ends."""
    response = await stack.http.post(
        f"{stack.ops_url}/api/ops/incidents/{incident_id}/runbooks/{runbook}",
        headers=stack.admin(),
    )
    response.raise_for_status()
    run: dict[str, Any] = response.json()
    while run["status"] == "running":
        await asyncio.sleep(0.5)
        response = await stack.http.get(stack.ops_url + run["location"], headers=stack.admin())
        response.raise_for_status()
        run = response.json()
    return run


async def _fix(stack: Stack, scenario: Scenario, incident_id: int, say: Say) -> None:
    """Run the responder's runbook on an incident they acknowledged, until the run ends."""
    who = scenario.responder
    while True:
        try:
            result = await _run_runbook(stack, incident_id, who.runbook)
        except httpx.HTTPError as error:
            say(f"{who.ack_by} could not run runbook {who.runbook}, trying again: {error!r}")
            await asyncio.sleep(0.2)
            continue
        steps = "; ".join(step["text"] for step in result.get("steps", []))
        say(f"{who.ack_by} ran runbook {who.runbook} on incident {incident_id}: {steps}")
        return


async def _acknowledge_due(stack: Stack, scenario: Scenario, timing: Timing, say: Say) -> list[int]:
    """`ack_after` after the first page opened, the person is on it: from then on they
    acknowledge each open incident and each page still waiting (a page that resolved before
    they looked needs no answer, its incident still does); the incidents acknowledged."""
    who = scenario.responder
    pages = await stack.get(f"{stack.ops_url}/api/ops/pages")
    first = min((when(page["createdAt"]) for page in pages), default=None)
    if first is None or now() < first + timedelta(seconds=timing.wall(who.ack_after)):
        return []
    acknowledged = []
    open_incidents = [
        i
        for i in await fetch_incidents(stack)
        if i["ackedAt"] is None and i["status"] in ("active", "mitigated")
    ]
    for incident in open_incidents:
        response = await stack.http.post(
            f"{stack.ops_url}/api/ops/incidents/{incident['id']}/ack", headers=stack.admin()
        )
        if _acknowledged(response):
            acknowledged.append(incident["id"])
            say(f"{who.ack_by} acknowledged incident {incident['id']}")
    for page in pages:
        if page["status"] != "triggered":
            continue
        response = await stack.http.post(
            f"{stack.ops_url}/api/ops/pages/{page['id']}/ack", headers=stack.admin()
        )
        if _acknowledged(response):
            say(f"{who.ack_by} acknowledged page {page['id']}: {page['title']}")
    return acknowledged


def _acknowledged(response: httpx.Response) -> bool:
    """Whether an acknowledgement took effect: False for a conflict (resolved since it was
    listed); raises for any other failure."""
    if response.status_code == 409:
        return False
    response.raise_for_status()
    return True


async def _settled(stack: Stack, scenario: Scenario) -> bool:
    """The fault is over and every incident resolved (nothing left to watch); not yet while
    ops or the factory does not answer (a 503 from a busy database, under load)."""
    try:
        return await _all_resolved(stack, scenario)
    except httpx.HTTPError:
        return False


async def _all_resolved(stack: Stack, scenario: Scenario) -> bool:
    incidents = await fetch_incidents(stack)
    if scenario.criteria.incident and not incidents:
        return False
    if any(i["status"] in ("active", "mitigated") for i in incidents):
        return False
    if scenario.fault.kind == "chaos":
        faults = await stack.http.get(
            f"{stack.factory_url}/api/admin/chaos", headers=stack.factory_admin()
        )
        return not any(f.get("state") in ("active", "scheduled") for f in faults.json())
    return True


async def _nothing() -> None:
    return None


async def run(
    scenario: Scenario,
    *,
    speed: float,
    resilience: Literal["on", "off"],
    autopilot: bool,
    folder: Path,
    reports: Path,
    say: Say = lambda _line: None,
    person: bool = False,
    channels: Channels = NO_CHANNELS,
    ready: Callable[[], Awaitable[None]] = _nothing,
) -> Scorecard:
    """One run of the scenario, start to scorecard. With `person`, nobody is simulated: the
    run prints what to open, awaits `ready`, then counts down while the person responds."""
    timing = Timing(speed)
    card = Scorecard(
        scenario=scenario.name,
        speed=speed,
        resilience=resilience,
        responder="me" if person else "sim",
    )
    by_hand = scenario.responder.runbook is not None
    if autopilot and by_hand and not person:
        say(
            f"autopilot off: in this story {scenario.responder.ack_by} runs runbook "
            f"{scenario.responder.runbook} by hand"
        )
    async with running_stack(
        folder,
        timing,
        scenario,
        resilient=resilience == "on",
        autopilot=autopilot and not (by_hand or person),
        channels=channels,
    ) as stack:
        say(
            f"stack up: service {stack.service_url}, factory {stack.factory_url}, "
            f"ops {stack.ops_url}"
        )
        if person:
            for line in briefing(stack, scenario, timing, channels):
                say(line)
            await ready()
        started = time.monotonic()
        traffic = run_traffic(
            TrafficConfig(
                target=stack.service_url,
                factory=stack.factory_url,
                rate=scenario.traffic_rate,
                seed=1,
                respond_async=True,
            ),
            clock=ScaledClock(speed),
        )
        responder = asyncio.create_task(
            countdown(stack, scenario, timing, say)
            if person
            else _respond(stack, scenario, timing, say)
        )
        fault_start: datetime | None = None
        try:
            await asyncio.sleep(timing.wall(scenario.fault.start))
            if scenario.fault.kind != "none":
                fault_start = now()
                await inject(stack, scenario, timing)
                say(f"fault injected: {scenario.fault.kind} {scenario.fault.type or ''}".strip())
            run_end = started + timing.wall(scenario.run_for)
            while time.monotonic() < run_end:
                await asyncio.sleep(0.5)
                if fault_start is not None and await _settled(stack, scenario):
                    break
            await end_fault(stack, scenario)
            traffic.stop()
            await traffic.finished()
            recover_end = time.monotonic() + timing.wall(scenario.recovery)
            while time.monotonic() < recover_end:
                if await _settled(stack, scenario):
                    break
                await asyncio.sleep(0.5)
            by_design = traffic.stats.orders[OrderOutcome.FAILED_BY_DESIGN]
            await score(stack, scenario, timing, card, fault_start, started, reports, say)
            card.failed_by_design = by_design
        finally:
            responder.cancel()
            await asyncio.gather(responder, return_exceptions=True)
            await end_fault(stack, scenario)
            traffic.stop()
        card.wall_seconds = time.monotonic() - started
    card.judge(scenario)
    return card

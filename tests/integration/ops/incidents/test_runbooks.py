"""Runbooks on an incident: by hand (the API) and on autopilot, every step on the timeline,
and a runbook that misses its deadline pages a person."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jwtpizza.ops.alerts.events import AlertState
from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents.oncall_bridge import RUNBOOK_ALERT
from jwtpizza.ops.oncall.models import Page, PageNotification
from jwtpizza.ops.runbooks.spec import RunbookLoadError

from ..ops_kit import ops_settings
from .conftest import START, IncidentOps, MakeIncidentOps
from .kit import LINK, IncidentWorld, incident_settings, transition

BODY = f'{{"message":"Failed to fulfill order at factory","followLinkToEndChaos":"{LINK}"}}'
RULE = "FactoryChaosErrors"


def world_with_a_report_link(ops_time: datetime) -> IncidentWorld:
    world = IncidentWorld()
    world.service_logs = [
        {"time": ops_time.isoformat(), "level": "error", "type": "http", "method": "POST",
         "route": "/api/order", "status": 500, "resBody": BODY, "requestId": "r9"},
    ]  # fmt: skip
    return world


async def open_incident(ops: IncidentOps, rule: str = RULE) -> int:
    t = ops.clock.now()
    await ops.context.bus.publish(transition(rule, AlertState.FIRING, t))
    listed = (await ops.client.get("/api/ops/incidents", headers=ops.admin())).json()
    return int(listed[0]["id"])


async def timeline(ops: IncidentOps, n: int) -> list[dict[str, Any]]:
    shown = await ops.client.get(f"/api/ops/incidents/{n}", headers=ops.admin())
    entries: list[dict[str, Any]] = shown.json()["timeline"]
    return entries


async def run_by_hand(ops: IncidentOps, n: int, name: str) -> dict[str, Any]:
    """Start a runbook by hand (202 and where to follow it) and follow it to its end."""
    started = await ops.client.post(f"/api/ops/incidents/{n}/runbooks/{name}",
                                    headers=ops.admin())  # fmt: skip
    assert started.status_code == 202, started.text
    assert started.headers["location"] == started.json()["location"]
    run: dict[str, Any] = started.json()
    for _ in range(500):  # the run goes on in the background
        if run["status"] != "running":
            break
        await asyncio.sleep(0.01)
        run = (await ops.client.get(started.headers["location"], headers=ops.admin())).json()
    assert run["status"] == "finished", run
    return run


async def test_by_hand_the_runbook_follows_the_report_link_it_finds(
    make_incident_ops: MakeIncidentOps,
) -> None:
    world = world_with_a_report_link(START)
    ops = await make_incident_ops(world)
    n = await open_incident(ops)
    await ops.context.bus.publish(transition(RULE, AlertState.RESOLVED, ops.clock.now(),
                                             previous=AlertState.FIRING))  # fmt: skip
    run = await run_by_hand(ops, n, "FactoryChaosErrors")
    assert run["cleared"] is True and run["escalated"] is False
    assert world.followed == [LINK]
    steps = [e for e in await timeline(ops, n) if e["source"] == "runbook"]
    assert [e["kind"] for e in steps] == ["runbook-started"] + ["runbook-step"] * 3
    assert "found the report link in the service logs" in steps[1]["text"]
    assert "q=r9" in steps[1]["evidence"]
    assert "HTTP 200 Problem resolved" in steps[2]["text"] and steps[2]["evidence"] == LINK
    unknown = await ops.client.post(f"/api/ops/incidents/{n}/runbooks/nope", headers=ops.admin())
    assert unknown.status_code == 404 and "unknown runbook 'nope'" in unknown.json()["message"]


async def test_on_autopilot_a_runbook_that_misses_its_deadline_pages_a_person(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops(IncidentWorld(), autopilot=True)  # no link in the logs
    n = await open_incident(ops)
    # The escalation is written to the timeline first, then the person is paged.
    pages: list[Page] = []
    for _ in range(500):
        async with ops.context.db.reader() as session:
            pages = list(await session.scalars(select(Page)))
        if pages:
            break
        await asyncio.sleep(0.01)
    steps = [e for e in await timeline(ops, n) if e["source"] == "runbook"]
    assert [e["kind"] for e in steps] == ["runbook-started", "runbook-step", "runbook-escalated"]
    assert "failed: no error in the service logs carries a report link" in steps[1]["text"]
    assert steps[2]["data"]["by"] == "autopilot (FactoryChaosErrors)"
    assert [p.message["alerts"][0]["labels"]["alertname"] for p in pages] == [RUNBOOK_ALERT]


async def test_without_autopilot_nothing_runs_by_itself(make_incident_ops: MakeIncidentOps) -> None:
    ops = await make_incident_ops(IncidentWorld())
    n = await open_incident(ops)
    await asyncio.sleep(0.05)
    assert not [e for e in await timeline(ops, n) if e["source"] == "runbook"]


def test_a_runbook_file_with_an_unknown_step_stops_the_start(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "bad.yml").write_text("trigger: {alerts: [A]}\nsteps: [reboot_the_moon]\n")
    with pytest.raises(RunbookLoadError, match=r"bad\.yml: step 1: unknown step 'reboot_the_moon'"):
        create_app(ops_settings(tmp_path), incidents=incident_settings(runbook_dir=folder))


async def test_an_incident_does_not_resolve_itself_while_a_runbook_works(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops(IncidentWorld())
    n = await open_incident(ops)
    await ops.context.bus.publish(transition(RULE, AlertState.RESOLVED, ops.clock.now(),
                                             previous=AlertState.FIRING))  # fmt: skip
    ops.desk.working[n] = 1  # as `run_runbook` counts itself in
    await ops.desk.tick()
    shown = await ops.client.get(f"/api/ops/incidents/{n}", headers=ops.admin())
    assert shown.json()["status"] == "active"
    ops.desk.working[n] = 0
    await ops.desk.tick()
    shown = await ops.client.get(f"/api/ops/incidents/{n}", headers=ops.admin())
    assert shown.json()["status"] == "resolved"


async def test_acknowledging_the_incident_acknowledges_its_pages(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops(IncidentWorld())
    n = await open_incident(ops)  # a critical alert: the default routes page the on-call
    paging = ops.paging
    ops.clock.advance(30)  # past the route's group_wait
    await paging.tick()  # delivery (and so the page) happens in the background
    for _ in range(200):  # until the page's first delivery is recorded
        async with ops.context.db.reader() as session:
            pages = list(await session.scalars(select(Page)))
            sent = list(await session.scalars(select(PageNotification)))
        if sent:
            break
        await asyncio.sleep(0.01)
    assert [p.status for p in pages] == ["triggered"]
    ops.clock.advance(20)
    await ops.client.post(f"/api/ops/incidents/{n}/ack", headers=ops.admin())
    async with ops.context.db.reader() as session:
        [page] = list(await session.scalars(select(Page)))
    assert (page.status, page.acknowledged_by) == ("acknowledged", "a")
    pages = [e for e in await timeline(ops, n) if e["source"] == "page"]
    assert pages == []  # gathered on the next tick
    await ops.desk.tick()
    kinds = [e["kind"] for e in await timeline(ops, n) if e["source"] == "page"]
    assert kinds[-1] == "page-ack" and "page" in kinds


@pytest.mark.parametrize("queue", [True, False])
async def test_an_outage_runbook_tells_the_truth_with_and_without_the_order_queue(
    make_incident_ops: MakeIncidentOps, queue: bool
) -> None:
    """With resilience off the service exports no `queue_depth`: the status updates say
    that orders fail (not that they are queued), and the runbook still runs to its end."""
    ops = await make_incident_ops(IncidentWorld())
    if queue:
        labels = (("__name__", "queue_depth"), ("queue", "orders"))
        ops.desk.samples.add(labels, int(ops.clock.now().timestamp() * 1000), 0.0)
    n = await open_incident(ops, "FactoryUnreachable")
    resolved = transition(
        "FactoryUnreachable", AlertState.RESOLVED, ops.clock.now(), previous=AlertState.FIRING
    )
    await ops.context.bus.publish(resolved)
    run = await run_by_hand(ops, n, "FactoryUnreachable")
    assert run["cleared"] is True
    steps = [e["text"] for e in await timeline(ops, n) if e["kind"] == "runbook-step"]
    assert len(steps) == 4 and all(" done: " in text for text in steps), steps
    said = " ".join(steps)
    assert ("Your orders are queued" in said) is queue
    assert ("orders cannot be made" in said) is not queue

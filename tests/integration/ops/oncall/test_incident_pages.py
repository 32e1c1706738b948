"""One page per fault: alert groups whose alerts joined one incident escalate as one page.
Real SQLite, a real local HTTP receiver, a fake clock; the incident desk declares as in `up`."""

from __future__ import annotations

from dataclasses import replace

from jwtpizza.ops.alerts.events import AlertState, AlertTransition

from .conftest import MakePaging, PagingOps


def transition(p: PagingOps, rule: str, state: AlertState, severity: str) -> AlertTransition:
    now = p.ops.clock.now()
    return AlertTransition(
        rule=rule, labels={"alertname": rule, "severity": severity, "component": "service"},
        annotations={"summary": f"{rule} now"}, state=state,
        previous=AlertState.PENDING if state is AlertState.FIRING else AlertState.FIRING,
        value=1.0, active_at=now, fired_at=now,
        resolved_at=now if state is AlertState.RESOLVED else None, at=now,
    )  # fmt: skip


async def publish(p: PagingOps, rule: str, state: AlertState, severity: str = "critical") -> None:
    await p.ops.context.bus.publish(transition(p, rule, state, severity))


async def get(p: PagingOps, path: str) -> object:
    response = await p.ops.client.get(path, headers=p.ops.admin())
    assert response.status_code == 200, response.text
    return response.json()


async def test_three_alerts_of_one_fault_page_each_person_once(make_paging: MakePaging) -> None:
    p = await make_paging()
    await publish(p, "FactoryUnreachable", AlertState.FIRING)
    await p.tick(10)
    [incident] = await get(p, "/api/ops/incidents")  # type: ignore[misc]
    for rule in ("FactoryCircuitOpen", "OrdersQueuedTooLong"):
        await p.tick(20)
        await publish(p, rule, AlertState.FIRING)
    await p.tick(10)
    assert len(p.paths("alice")) == 1  # not one page per alert group
    [page] = await get(p, "/api/ops/pages")  # type: ignore[misc]
    assert page["status"] == "triggered"
    shown = await get(p, f"/api/ops/incidents/{incident['id']}")
    assert shown["pages"] == 1  # type: ignore[index]

    await p.tick(300)  # one escalation to the secondary, not one per alert
    assert len(p.paths("bob")) == 1 and len(p.paths("alice")) == 1

    for rule in ("FactoryUnreachable", "FactoryCircuitOpen"):
        await publish(p, rule, AlertState.RESOLVED)
    await p.tick(60)
    await p.tick(240)  # the team's step: about the alert still firing, not a resolution
    [to_team] = p.paths("team")  # every alert of the page, firing while one still is
    assert to_team["status"] == "firing"
    states = {a["labels"]["alertname"]: a["status"] for a in to_team["alerts"]}
    assert states == {"FactoryUnreachable": "resolved", "FactoryCircuitOpen": "resolved",
                      "OrdersQueuedTooLong": "firing"}  # fmt: skip
    assert (await get(p, f"/api/ops/pages/{page['id']}"))["status"] == "triggered"  # type: ignore[index]
    await publish(p, "OrdersQueuedTooLong", AlertState.RESOLVED)
    await p.tick(60)
    assert (await get(p, f"/api/ops/pages/{page['id']}"))["status"] == "resolved"  # type: ignore[index]


async def test_acknowledging_the_incident_stops_its_one_page(make_paging: MakePaging) -> None:
    p = await make_paging()
    await publish(p, "FactoryUnreachable", AlertState.FIRING)
    await p.tick(10)
    await publish(p, "FactoryCircuitOpen", AlertState.FIRING)
    await p.tick(10)
    [incident] = await get(p, "/api/ops/incidents")  # type: ignore[misc]
    acked = await p.ops.client.post(
        f"/api/ops/incidents/{incident['id']}/ack", headers=p.ops.admin()
    )
    assert acked.status_code == 200
    await p.tick(600)
    assert p.paths("bob") == [] and p.paths("team") == []
    [page] = await get(p, "/api/ops/pages")  # type: ignore[misc]
    assert page["status"] == "acknowledged"


async def test_host_alerts_page_on_their_own_and_declare_nothing(make_paging: MakePaging) -> None:
    p = await make_paging()  # this notify.yml pages for critical host alerts: they page alone
    for rule in ("HostCpuHigh", "HostMemoryHigh"):
        host = transition(p, rule, AlertState.FIRING, "critical")
        await p.ops.context.bus.publish(replace(host, labels={**host.labels, "scope": "host"}))
    await p.tick(10)
    assert await get(p, "/api/ops/incidents") == []
    assert len(await get(p, "/api/ops/pages")) == 2  # type: ignore[arg-type]


def burn(p: PagingOps, state: AlertState, sloth_severity: str = "page") -> AlertTransition:
    """An error-budget burn alert as deploy/slo/ generates it (no component label)."""
    base = transition(p, "OrderSuccessBudgetBurn", state, "critical")
    labels = {"alertname": base.rule, "severity": "critical", "scope": "slo",
              "sloth_slo": "order-success", "sloth_severity": sloth_severity}  # fmt: skip
    return replace(base, labels=labels)


async def test_a_burn_page_joins_the_faults_open_incident_and_its_one_page(
    make_paging: MakePaging,
) -> None:
    p = await make_paging()
    await publish(p, "FactoryUnreachable", AlertState.FIRING)
    await p.tick(10)
    await p.ops.context.bus.publish(burn(p, AlertState.FIRING))
    await p.tick(10)
    [incident] = await get(p, "/api/ops/incidents")  # type: ignore[misc]
    [page] = await get(p, "/api/ops/pages")  # type: ignore[misc]
    assert len(p.paths("alice")) == 1
    shown = await get(p, f"/api/ops/incidents/{incident['id']}")
    assert shown["pages"] == 1  # type: ignore[index]
    detail = await get(p, f"/api/ops/pages/{page['id']}")
    carried = {a["labels"]["alertname"] for a in detail["message"]["alerts"]}  # type: ignore[index]
    assert carried == {"FactoryUnreachable", "OrderSuccessBudgetBurn"}
    # The fix: the fault's alert resolves; the burn still fires for its short window, and
    # does not hold the incident open.
    await publish(p, "FactoryUnreachable", AlertState.RESOLVED)
    await p.tick(10)
    await p.desk.tick()
    [after] = await get(p, "/api/ops/incidents")  # type: ignore[misc]
    assert after["status"] == "resolved"


async def test_a_burn_page_with_no_open_incident_opens_one_and_pages(
    make_paging: MakePaging,
) -> None:
    p = await make_paging()
    await p.ops.context.bus.publish(burn(p, AlertState.FIRING))
    await p.tick(10)
    [incident] = await get(p, "/api/ops/incidents")  # type: ignore[misc]
    assert incident["title"].startswith("OrderSuccessBudgetBurn")
    assert len(p.paths("alice")) == 1
    await p.ops.context.bus.publish(burn(p, AlertState.RESOLVED))
    await p.tick(10)
    await p.desk.tick()
    [after] = await get(p, "/api/ops/incidents")  # type: ignore[misc]
    assert after["status"] == "resolved"  # its only alert: it is waited for


async def test_a_burn_ticket_joins_no_incident(make_paging: MakePaging) -> None:
    p = await make_paging()
    await p.ops.context.bus.publish(burn(p, AlertState.FIRING, sloth_severity="ticket"))
    await p.tick(10)
    assert await get(p, "/api/ops/incidents") == []

"""Incidents through the admin API: by hand and from alerts, with the timeline gathered from
the (fake) feeds, auto-resolution, and the postmortem's measured facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from markdown_it import MarkdownIt

from jwtpizza.ops.alerts.events import AlertState
from jwtpizza.ops.incidents import service as incidents

from .conftest import IncidentOps, MakeIncidentOps
from .kit import LINK, IncidentWorld, chaos_event, transition


async def call(ops: IncidentOps, method: str, path: str, status: int = 200, **kw: Any) -> Any:
    response = await ops.client.request(method, path, headers=ops.admin(), **kw)
    assert response.status_code == status, response.text
    return response.json()


async def test_an_incident_by_hand_through_its_lifecycle(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops()
    body = {"title": "Orders slow", "severity": "moderate", "commander": "alice"}
    made = await call(ops, "POST", "/api/ops/incidents", 201, json=body)
    n = made["id"]
    assert made["status"] == "active" and made["roles"] == {"commander": "alice"}
    ops.clock.advance(30)
    assert (await call(ops, "POST", f"/api/ops/incidents/{n}/ack"))["ackedBy"] == "a"
    await call(ops, "POST", f"/api/ops/incidents/{n}/notes", 201,
               json={"text": "We are looking into it", "public": True})  # fmt: skip
    ops.clock.advance(5)
    await call(ops, "POST", f"/api/ops/incidents/{n}/links", 201,
               json={"url": "http://grafana/d/x", "title": "dashboard"})  # fmt: skip
    ops.clock.advance(30)
    assert (await call(ops, "POST", f"/api/ops/incidents/{n}/mitigate"))["status"] == "mitigated"
    ops.clock.advance(30)
    resolved = await call(ops, "POST", f"/api/ops/incidents/{n}/resolve", json={"why": "fixed"})
    assert resolved["status"] == "resolved"
    kinds = [e["kind"] for e in resolved["timeline"]]
    assert kinds == ["declared", "role", "ack", "status-update", "link", "status-mitigated",
                     "status-resolved"]  # fmt: skip

    report = await call(ops, "POST", f"/api/ops/incidents/{n}/report")
    assert report["fileName"] == f"incident-{n}.md" and report["status"] == "postmortem_written"
    tokens = MarkdownIt("commonmark").parse(report["markdown"])
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1"] + ["h2"] * 9
    listed = await call(ops, "GET", "/api/ops/incidents", params={"status": "postmortem_written"})
    assert [i["id"] for i in listed] == [n]


async def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops()
    missing = await ops.client.post("/api/ops/incidents/99/ack", headers=ops.admin())
    assert (missing.status_code, missing.json()) == (404, {"message": "unknown incident 99"})
    n = (await call(ops, "POST", "/api/ops/incidents", 201, json={"title": "x"}))["id"]
    await call(ops, "POST", f"/api/ops/incidents/{n}/resolve")
    before = await call(ops, "GET", f"/api/ops/incidents/{n}")
    again = await ops.client.post(f"/api/ops/incidents/{n}/resolve", headers=ops.admin())
    assert again.status_code == 409
    assert again.json()["message"].startswith("a resolved incident cannot become resolved")
    note = await ops.client.post(
        f"/api/ops/incidents/{n}/notes", json={"text": "late"}, headers=ops.admin()
    )
    assert note.status_code == 409
    assert note.json() == {"message": "cannot add a note: the incident is resolved"}
    role = await ops.client.put(f"/api/ops/incidents/{n}/roles", headers=ops.admin(),
                                json={"role": "king", "person": "bob"})  # fmt: skip
    assert role.status_code == 400 and "unknown role 'king'" in role.json()["message"]
    assert await call(ops, "GET", f"/api/ops/incidents/{n}") == before
    nobody = await ops.client.get("/api/ops/incidents")
    assert nobody.status_code == 401


async def test_a_critical_alert_opens_an_incident_that_assembles_resolves_and_reports(
    make_incident_ops: MakeIncidentOps,
) -> None:
    world = IncidentWorld()
    ops = await make_incident_ops(world)
    bus, desk, t0 = ops.context.bus, ops.desk, ops.clock.now()
    world.chaos = [chaos_event(1, "initiated", t0 - timedelta(seconds=60)),
                   chaos_event(1, "started", t0)]  # fmt: skip
    body = f'{{"message":"Failed to fulfill order at factory","followLinkToEndChaos":"{LINK}"}}'
    world.service_logs = [
        {"time": (t0 + timedelta(seconds=3)).isoformat(), "level": "error", "type": "http",
         "method": "POST", "route": "/api/order", "status": 500, "resBody": body,
         "requestId": "r1"},
    ]  # fmt: skip
    await bus.publish(transition("ChaosErrors", AlertState.FIRING, t0 + timedelta(seconds=8),
                                 severity="moderate"))  # fmt: skip
    await bus.publish(transition("PizzaFailures", AlertState.PENDING, t0 + timedelta(seconds=10)))
    assert await call(ops, "GET", "/api/ops/incidents") == []  # pending declares nothing
    await bus.publish(transition("PizzaFailures", AlertState.FIRING, t0 + timedelta(seconds=25),
                                 previous=AlertState.PENDING))  # fmt: skip
    await bus.publish(transition("HighErrorRate", AlertState.FIRING, t0 + timedelta(seconds=30),
                                 severity="warning"))  # fmt: skip
    [incident] = await call(ops, "GET", "/api/ops/incidents")
    n = incident["id"]
    assert incident["severity"] == "critical" and incident["declaredBy"] == "ops (auto)"
    # It opens when the first of its alerts fired (and paged), not when the critical one did.
    assert incident["declaredAt"] == f"{t0 + timedelta(seconds=8):%Y-%m-%dT%H:%M:%SZ}"
    async with ops.context.db.reader() as session:
        joined = await incidents.alerts_of(session=session, incident_id=incident["id"])
    assert sorted(a.rule for a in joined) == ["ChaosErrors", "HighErrorRate", "PizzaFailures"]

    ops.clock.advance(60)
    await call(ops, "POST", f"/api/ops/incidents/{n}/ack")
    await desk.tick()
    shown = await call(ops, "GET", f"/api/ops/incidents/{n}")
    kinds = [e["kind"] for e in shown["timeline"]]
    assert kinds[:6] == ["chaos-initiated", "chaos-started", "report-link", "alert-firing",
                         "declared", "alert-pending"]  # fmt: skip
    assert "alert-firing" in kinds and shown["rootCause"] == "chaos:fail"
    link = next(e for e in shown["timeline"] if e["kind"] == "report-link")
    assert link["data"]["url"] == LINK and "q=r1" in link["evidence"]

    alerts = (
        ("PizzaFailures", "critical"),
        ("HighErrorRate", "warning"),
        ("ChaosErrors", "moderate"),
    )
    for rule, severity in alerts:
        await bus.publish(transition(rule, AlertState.RESOLVED, t0 + timedelta(seconds=120),
                                     previous=AlertState.FIRING, severity=severity))  # fmt: skip
    await desk.tick()
    assert (await call(ops, "GET", f"/api/ops/incidents/{n}"))["status"] == "active"  # fault on
    ended = t0 + timedelta(seconds=100)
    world.chaos += [chaos_event(1, "reported", ended),
                    chaos_event(1, "ended", ended, reason="reported")]  # fmt: skip
    await desk.tick()
    assert (await call(ops, "GET", f"/api/ops/incidents/{n}"))["status"] == "resolved"

    report = await call(ops, "POST", f"/api/ops/incidents/{n}/report")
    text = report["markdown"]
    assert "# Incident: " + f"{t0:%Y-%m-%d %H-%M-%S}" in text
    assert "MTTD was 8 s" in text and "8 orders failed" in text
    assert "4 diners were affected (40% of the 10 active)" in text
    assert "`fail` chaos fault" in text
    assert world.ledger_queries[-1]["from"] == t0.isoformat()
    html = await ops.client.get(f"/api/ops/incidents/{n}/report.html", headers=ops.admin())
    assert html.status_code == 200 and 'data-mark="fault"' in html.text


async def test_high_alerts_declare_and_host_alerts_stay_out_unless_turned_on(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops(IncidentWorld())
    t0 = ops.clock.now()
    host = transition("HostCpuHigh", AlertState.FIRING, t0, severity="critical")
    await ops.context.bus.publish(replace(host, labels={**host.labels, "scope": "host"}))
    assert await call(ops, "GET", "/api/ops/incidents") == []
    await ops.context.bus.publish(transition("FactoryChaosErrors", AlertState.FIRING, t0,
                                             severity="high"))  # fmt: skip
    [incident] = await call(ops, "GET", "/api/ops/incidents")
    assert incident["severity"] == "high"
    async with ops.context.db.reader() as session:
        joined = await incidents.alerts_of(session=session, incident_id=incident["id"])
    assert [a.rule for a in joined] == ["FactoryChaosErrors"]  # the host alert did not join

    hosts_on = await make_incident_ops(IncidentWorld(), host_alerts=True)
    await hosts_on.context.bus.publish(replace(host, labels={**host.labels, "scope": "host"}))
    async with hosts_on.context.db.reader() as session:  # the same database: it joins
        joined = await incidents.alerts_of(session=session, incident_id=incident["id"])
    assert [a.rule for a in joined] == ["FactoryChaosErrors", "HostCpuHigh"]


async def test_an_incident_opens_at_its_first_page_but_not_hours_back(
    make_incident_ops: MakeIncidentOps,
) -> None:
    ops = await make_incident_ops(IncidentWorld())
    bus, t0 = ops.context.bus, ops.clock.now()
    await bus.publish(transition("ServiceLatencyHigh", AlertState.FIRING,
                                 t0 - timedelta(hours=3), severity="moderate"))  # fmt: skip
    await bus.publish(transition("FactorySlow", AlertState.FIRING, t0 - timedelta(seconds=40),
                                 severity="moderate"))  # fmt: skip
    assert await call(ops, "GET", "/api/ops/incidents") == []  # moderate pages, declares not
    await bus.publish(transition("FactoryChaosErrors", AlertState.FIRING, t0, severity="high"))
    [incident] = await call(ops, "GET", "/api/ops/incidents")
    assert incident["declaredAt"] == f"{t0 - timedelta(seconds=40):%Y-%m-%dT%H:%M:%SZ}"

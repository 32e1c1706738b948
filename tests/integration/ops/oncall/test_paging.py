"""Alerts from the bus reach the on-call through routing, grouping and escalation; an
acknowledgement (API or link) stops the escalation. Real SQLite, a real local HTTP receiver,
a fake clock."""

from __future__ import annotations

from datetime import datetime

from jwtpizza.ops.alerts.events import AlertState, AlertTransition

from .conftest import MakePaging, PagingOps


def transition(p: PagingOps, state: AlertState, severity: str = "critical") -> AlertTransition:
    now: datetime = p.ops.clock.now()
    return AlertTransition(
        rule="PizzaFactoryFailing",
        labels={"severity": severity, "component": "factory"},
        annotations={"summary": "the factory fails orders"},
        state=state,
        previous=AlertState.PENDING if state is AlertState.FIRING else AlertState.FIRING,
        value=1.0,
        active_at=now,
        fired_at=now,
        resolved_at=now if state is AlertState.RESOLVED else None,
        at=now,
    )


async def fire(p: PagingOps, severity: str = "critical") -> None:
    await p.ops.context.bus.publish(transition(p, AlertState.FIRING, severity))


async def pages(p: PagingOps) -> list[dict[str, object]]:
    response = await p.ops.client.get("/api/ops/pages", headers=p.ops.admin())
    assert response.status_code == 200
    result: list[dict[str, object]] = response.json()
    return result


async def test_no_ack_escalates_to_the_secondary_then_the_team(make_paging: MakePaging) -> None:
    p = await make_paging()
    await fire(p)
    await p.tick(9)
    assert p.hook.requests == []  # group_wait is 10 s
    await p.tick(1)
    [page] = await pages(p)
    assert page["status"] == "triggered"
    [to_alice] = p.paths("alice")
    assert to_alice["commonLabels"]["alertname"] == "PizzaFactoryFailing"
    assert to_alice["ackURL"].startswith("http://ops.test/api/ops/ack/")
    await p.tick(299)
    assert p.paths("bob") == []
    await p.tick(1)
    assert len(p.paths("bob")) == 1
    await p.tick(300)
    assert len(p.paths("team")) == 1
    detail = (await p.ops.client.get(f"/api/ops/pages/{page['id']}", headers=p.ops.admin())).json()
    sent = [(n["step"], n["target"], n["receiver"], n["outcome"]) for n in detail["notifications"]]
    assert sent == [
        (0, "alice", "alice-hook", "success"),
        (1, "bob", "bob-hook", "success"),
        (2, "devops", "team-hook", "success"),
    ]
    assert detail["message"]["alerts"][0]["labels"]["component"] == "factory"


async def test_ack_through_the_api_stops_the_escalation(make_paging: MakePaging) -> None:
    p = await make_paging()
    await fire(p)
    await p.tick(10)
    [page] = await pages(p)
    acked = await p.ops.client.post(f"/api/ops/pages/{page['id']}/ack", headers=p.ops.admin())
    assert acked.status_code == 200
    assert acked.json()["page"]["acknowledgedBy"] == "a@jwt.com"
    await p.tick(600)
    assert p.paths("bob") == [] and p.paths("team") == []
    [page] = await pages(p)
    assert page["status"] == "acknowledged"


async def test_the_link_in_the_page_acknowledges_once(make_paging: MakePaging) -> None:
    p = await make_paging()
    await fire(p)
    await p.tick(10)
    link = p.paths("alice")[0]["ackURL"].removeprefix("http://ops.test")
    opened = await p.ops.client.get(link)  # a previewer fetching the link changes nothing
    assert opened.status_code == 200
    assert opened.json()["paged"] == "alice"
    assert opened.json()["page"]["status"] == "triggered"
    first = await p.ops.client.post(link)
    assert first.status_code == 200
    assert first.json()["page"]["acknowledgedBy"] == "alice"
    again = await p.ops.client.post(link)
    assert again.status_code == 400
    assert again.json() == {"message": "this acknowledge link has already been used"}
    assert (await p.ops.client.get(link)).json() == again.json()
    forged = await p.ops.client.post(link[:-3] + "AAA")
    assert forged.json() == {"message": "this acknowledge link is not valid"}
    await p.tick(600)
    assert p.paths("bob") == []


async def test_an_expired_link_is_refused(make_paging: MakePaging) -> None:
    p = await make_paging(ack_link_ttl_seconds=60)
    await fire(p)
    await p.tick(10)
    link = p.paths("alice")[0]["ackURL"].removeprefix("http://ops.test")
    await p.tick(61)
    expired = await p.ops.client.post(link)
    assert expired.status_code == 400
    assert expired.json() == {"message": "this acknowledge link has expired"}


async def test_resolution_closes_the_page_and_notifies_the_group(make_paging: MakePaging) -> None:
    p = await make_paging()
    await fire(p)
    await p.tick(10)
    await p.ops.context.bus.publish(transition(p, AlertState.RESOLVED))
    await p.tick(60)
    [page] = await pages(p)
    assert page["status"] == "resolved"
    await p.tick(600)
    assert p.paths("bob") == []


async def test_warnings_go_to_the_console_and_their_critical_twin_mutes_them(
    make_paging: MakePaging,
) -> None:
    p = await make_paging()
    await fire(p, "warning")
    await p.tick(10)
    [warning] = p.paths("console")
    assert warning["commonLabels"]["severity"] == "warning"
    await fire(p, "critical")
    await p.tick(60 * 60 * 4)  # past repeat_interval: the warning would be sent again
    assert len(p.paths("console")) == 1
    assert len(p.paths("alice")) == 1


async def test_a_failing_receiver_is_recorded_on_the_page_and_counted(
    make_paging: MakePaging,
) -> None:
    p = await make_paging()
    p.hook.statuses[:] = [500]
    await fire(p)
    await p.tick(10)
    [page] = await pages(p)
    detail = (await p.ops.client.get(f"/api/ops/pages/{page['id']}", headers=p.ops.admin())).json()
    [sent] = detail["notifications"]
    assert (sent["outcome"], sent["attempts"], sent["error"]) == (
        "failure",
        2,
        "webhook answered 500",
    )
    metrics = (await p.ops.client.get("/metrics")).text
    zero = 'notifications_total{integration="webhook",outcome="success",receiver="bob-hook"} 0.0'
    assert zero in metrics  # configured receivers are counted from 0
    assert (
        'notifications_total{integration="webhook",outcome="failure",receiver="alice-hook"} 1.0'
        in metrics
    )


async def test_oncall_shows_who_is_on_call_and_the_chain(make_paging: MakePaging) -> None:
    p = await make_paging()
    response = await p.ops.client.get(
        "/api/ops/oncall", params={"at": "2026-11-25T12:00:00Z", "days": 8}, headers=p.ops.admin()
    )
    body = response.json()
    primary = next(s for s in body["schedules"] if s["name"] == "primary")
    # 2026-11-25 is 46 weeks and 2 days after the 2026-01-05 handoff: alice's turn
    assert primary["onCall"] == "alice"
    assert [s["user"] for s in primary["shifts"]] == ["alice", "bob"]
    assert primary["shifts"][1]["startsAt"] == "2026-11-30T16:00:00Z"
    [policy] = body["policies"]
    assert policy["steps"][1] == {"notify": {"schedule": "secondary"}, "waitSeconds": 300.0}
    assert (await p.ops.client.get("/api/ops/oncall")).status_code == 401

"""Silences over the API, the Alertmanager intake, and reloading the configuration."""

from __future__ import annotations

from typing import Any

import pytest

from jwtpizza.ops.alerts.events import AlertState, AlertTransition

from .conftest import INTAKE_TOKEN, MakePaging, PagingOps
from .test_paging import fire, pages


async def silence(p: PagingOps, body: dict[str, Any]) -> Any:
    return await p.ops.client.post("/api/ops/silences", json=body, headers=p.ops.admin())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"matchers": []}, "a silence needs at least one matcher"),
        (
            {"matchers": ['job=~".*"']},
            "a silence needs a matcher that does not match the empty string",
        ),
        ({"matchers": ["severity"]}, "expected name, an operator"),
        ({"matchers": [{"name": "a", "value": "(", "isRegex": True}]}, "bad regular expression"),
        ({"matchers": ["a=b"], "durationSeconds": -5}, "durationSeconds"),
    ],
)
async def test_a_bad_silence_is_refused_with_the_reason(
    make_paging: MakePaging, body: dict[str, Any], message: str
) -> None:
    p = await make_paging()
    response = await silence(p, body)
    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_a_silence_mutes_until_it_is_expired(make_paging: MakePaging) -> None:
    p = await make_paging()
    created = await silence(
        p, {"matchers": ['component="factory"'], "durationSeconds": 3600, "comment": "drill"}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["matchers"] == [
        {"name": "component", "value": "factory", "isRegex": False, "isEqual": True}
    ]
    assert (body["state"], body["createdBy"]) == ("active", "a@jwt.com")
    await fire(p)
    await p.tick(10)
    assert p.hook.requests == [] and await pages(p) == []
    listed = await p.ops.client.get(
        "/api/ops/silences", params={"state": "active"}, headers=p.ops.admin()
    )
    assert [s["id"] for s in listed.json()] == [body["id"]]
    expired = await p.ops.client.delete(f"/api/ops/silences/{body['id']}", headers=p.ops.admin())
    assert expired.json()["state"] == "expired"
    await p.tick(60)
    assert len(p.paths("alice")) == 1
    again = await p.ops.client.delete(f"/api/ops/silences/{body['id']}", headers=p.ops.admin())
    assert again.status_code == 409


def am_payload(status: str = "firing") -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}/{severity="critical"}:{alertname="PizzaFactoryFailing"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "jwt-pizza-ops",
        "groupLabels": {"alertname": "PizzaFactoryFailing"},
        "commonLabels": {"alertname": "PizzaFactoryFailing", "severity": "critical"},
        "commonAnnotations": {"summary": "the factory fails orders"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "PizzaFactoryFailing", "severity": "critical"},
                "annotations": {"summary": "the factory fails orders"},
                "startsAt": "2026-11-25T11:59:00.123Z",
                "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-25T12:05:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": "d6b4e5a0c6e1f7a2",
            }
        ],
    }


async def intake(p: PagingOps, body: Any, token: str | None = INTAKE_TOKEN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await p.ops.client.post("/api/ops/alertmanager", json=body, headers=headers)


async def test_alertmanager_intake_pages_and_publishes_transitions(make_paging: MakePaging) -> None:
    p = await make_paging()
    seen: list[AlertTransition] = []
    p.ops.context.bus.subscribe(seen.append)
    response = await intake(p, am_payload())
    assert response.status_code == 200
    assert response.json()["alerts"] == 1
    await p.paging.deliverer.drain()
    [page] = await pages(p)
    assert (page["source"], page["status"]) == ("alertmanager", "triggered")
    assert len(p.paths("alice")) == 1
    [firing] = seen
    assert (firing.rule, firing.state, firing.source) == (
        "PizzaFactoryFailing",
        AlertState.FIRING,
        "alertmanager",
    )
    await p.tick(60)
    assert p.paths("console") == []  # our own routing does not page a second time
    assert (await intake(p, am_payload("resolved"))).status_code == 200
    [page] = await pages(p)
    assert page["status"] == "resolved"
    assert seen[-1].state is AlertState.RESOLVED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.pop("alerts"), "alerts is required"),
        (lambda b: b.update(alerts=[]), "alerts: List should have at least 1 item"),
        (lambda b: b["alerts"][0].update(startsAt="yesterday"), "alerts.0.startsAt"),
        (lambda b: b.update(status="exploded"), "status: Input should be 'firing' or 'resolved'"),
    ],
)
async def test_an_unparsable_payload_is_a_400_naming_the_problem(
    make_paging: MakePaging, change: Any, message: str
) -> None:
    p = await make_paging()
    body = am_payload()
    change(body)
    response = await intake(p, body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    not_json = await p.ops.client.post(
        "/api/ops/alertmanager",
        content=b"{oops",
        headers={"Authorization": f"Bearer {INTAKE_TOKEN}", "Content-Type": "application/json"},
    )
    assert not_json.json() == {"message": "request body is not valid JSON"}


async def test_the_intake_needs_its_token(make_paging: MakePaging) -> None:
    p = await make_paging()
    assert (await intake(p, am_payload(), token=None)).status_code == 401
    assert (await intake(p, am_payload(), token="guess")).status_code == 401
    assert await pages(p) == []


async def test_a_reload_with_an_unknown_receiver_keeps_the_running_config(
    make_paging: MakePaging,
) -> None:
    p = await make_paging()
    notify = p.files / "notify.yml"
    notify.write_text(notify.read_text().replace("receiver: pager", "receiver: pagr"))
    response = await p.ops.client.post("/api/ops/paging/reload", headers=p.ops.admin())
    assert response.status_code == 400
    assert "unknown receiver 'pagr'" in response.json()["message"]
    await fire(p)
    await p.tick(10)
    assert len(p.paths("alice")) == 1  # still routed by the configuration that was loaded
    notify.write_text(notify.read_text().replace("receiver: pagr", "receiver: console"))
    reloaded = await p.ops.client.post("/api/ops/paging/reload", headers=p.ops.admin())
    assert reloaded.status_code == 200

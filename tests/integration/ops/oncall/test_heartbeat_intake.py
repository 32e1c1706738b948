"""The dead man's switch over HTTP: a Watchdog posted to the heartbeat receiver or to the
Alertmanager intake is a beat and pages nobody; the intake still pages for the alerts that
came with it."""

from __future__ import annotations

from typing import Any

from .conftest import INTAKE_TOKEN, MakePaging, PagingOps
from .test_paging import pages
from .test_silences_intake_reload import am_payload, intake

BEARER = {"Authorization": f"Bearer {INTAKE_TOKEN}"}


def with_watchdog(body: dict[str, Any], *, only: bool) -> dict[str, Any]:
    watchdog = {**body["alerts"][0], "labels": {"alertname": "Watchdog", "severity": "none"},
                "fingerprint": ""}  # fmt: skip
    return {**body, "alerts": [watchdog] if only else [watchdog, *body["alerts"]]}


async def last_beat(p: PagingOps) -> str:
    response = await p.ops.client.get("/api/ops/heartbeat", headers=p.ops.admin())
    [beat] = response.json()["heartbeats"]
    assert beat["source"] == "alertmanager" and beat["stopped"] is False
    return str(beat["lastBeat"])


async def test_a_watchdog_is_a_beat_and_never_a_page(make_paging: MakePaging) -> None:
    p = await make_paging()
    response = await p.ops.client.post(
        "/api/ops/heartbeat", json=with_watchdog(am_payload(), only=True), headers=BEARER
    )
    assert response.json() == {"message": "accepted", "beat": True}
    assert await last_beat(p) == p.ops.clock.now().isoformat()
    unauthorized = await p.ops.client.post(
        "/api/ops/heartbeat", json=with_watchdog(am_payload(), only=True)
    )
    assert unauthorized.status_code == 401

    p.ops.clock.advance(10)
    alone = await intake(p, with_watchdog(am_payload(), only=True))
    assert alone.json() == {"message": "accepted", "alerts": 0, "page": None}
    assert await last_beat(p) == p.ops.clock.now().isoformat()
    assert await pages(p) == []

    mixed = await intake(p, with_watchdog(am_payload(), only=False))
    assert mixed.json()["alerts"] == 1
    [page] = await pages(p)
    assert page["title"].startswith("[FIRING:1] PizzaFactoryFailing")  # no Watchdog in it

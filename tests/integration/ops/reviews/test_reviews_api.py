"""Reviews through the ops API on a real SQLite ops database: the course's example reports,
each paired with an incident recorded to match it, then with its facts changed to contradict
it; ops' own draft; and bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jwtpizza.ops.alerts.events import AlertState
from tests.unit.ops.reviews.records import at, example

from ..incidents.conftest import IncidentOps
from ..incidents.kit import IncidentWorld, chaos_event, ledger_json, transition
from .conftest import OpsAt


@dataclass(frozen=True)
class Recorded:
    """When things happened (UTC) for the incident a report describes."""

    start: datetime
    pending: datetime
    firing: datetime
    ack: datetime
    end: datetime
    reason: str
    resolved: datetime


def seconds(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


async def record(ops_at: OpsAt, r: Recorded, fault: str, ledger: dict[str, Any]) -> IncidentOps:
    world = IncidentWorld(ledger=ledger)
    ops = await ops_at(world, r.start - timedelta(seconds=30))
    world.chaos = [chaos_event(1, "initiated", r.start - timedelta(seconds=30), type=fault),
                   chaos_event(1, "started", r.start, type=fault)]  # fmt: skip
    bus, desk = ops.context.bus, ops.desk
    await bus.publish(transition("PizzaFailures", AlertState.PENDING, r.pending))
    await bus.publish(transition("PizzaFailures", AlertState.FIRING, r.firing,
                                 previous=AlertState.PENDING))  # fmt: skip
    ops.clock.advance(seconds(ops.clock.now(), r.ack))
    assert (await ops.client.post("/api/ops/incidents/1/ack", headers=ops.admin())).is_success
    if r.reason == "reported":
        world.chaos.append(chaos_event(1, "reported", r.end, type=fault))
    world.chaos.append(chaos_event(1, "ended", r.end, type=fault, reason=r.reason))
    await bus.publish(transition("PizzaFailures", AlertState.RESOLVED, r.end,
                                 previous=AlertState.FIRING))  # fmt: skip
    ops.clock.advance(seconds(ops.clock.now(), r.resolved))
    await desk.tick()
    return ops


async def verdicts(ops: IncidentOps, markdown: str, **extra: Any) -> dict[str, Any]:
    body = {"markdown": markdown, **extra}
    answer = await ops.client.post("/api/ops/reviews", json=body, headers=ops.admin())
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def claims(result: dict[str, Any], status: str) -> set[str]:
    return {v["claim"] for v in result["verdicts"] if v["status"] == status}


def contradict(ops: IncidentOps, fault: str, reason: str, ledger: dict[str, Any]) -> None:
    """The same incident, its feeds now telling another story."""
    world = ops.world
    assert isinstance(world, IncidentWorld)
    world.chaos = [dict(e, type=fault, reason=reason) if e.get("reason") else dict(e, type=fault)
                   for e in world.chaos if e["event"] != "reported"]  # fmt: skip
    world.ledger = ledger_json(**ledger)


async def test_the_noisy_alert_report(ops_at: OpsAt) -> None:
    day = "2025-11-25T"  # the report names no zone: its 12:53 is 19:53 UTC (MST)
    moments = Recorded(at(day + "19:53:10"), at(day + "19:56:55"), at(day + "19:57:25"),
                       at(day + "19:57:40"), at(day + "19:57:51"), "reported",
                       at(day + "19:59:22"))  # fmt: skip
    matching = ledger_json(failed=3, affectedDiners=2, activeDiners=2)
    ops = await record(ops_at, moments, "fail", matching)
    text = example("factory-fail-noisy-alert.md")
    good = await verdicts(ops, text)  # found by its time window
    assert good["incident_id"] == 1 and claims(good, "contradicted") == set()
    assert {"first impact", "incident declared", "mitigation", "incident resolved",
            "affected diners", "root cause (fault type)", "how it was resolved"} <= claims(
        good, "confirmed")  # fmt: skip
    contradict(ops, "outage", "expired", {"affectedDiners": 5, "activeDiners": 40})
    bad = await verdicts(ops, text, incident=1)
    wrong = {"affected diners", "active diners", "share of diners affected",
             "root cause (fault type)", "how it was resolved"}  # fmt: skip
    assert wrong <= claims(bad, "contradicted")
    assert bad["score"] < good["score"]


async def test_the_outage_report(ops_at: OpsAt) -> None:
    day = "2025-12-02T"
    moments = Recorded(at(day + "17:10:00"), at(day + "17:10:30"), at(day + "17:11:30"),
                       at(day + "17:12:00"), at(day + "17:22:20"), "expired",
                       at(day + "17:22:40"))  # fmt: skip
    everyone = ledger_json(ordersByStatus={"rejected": 14}, failed=14, affectedDiners=6,
                           activeDiners=6)  # fmt: skip
    ops = await record(ops_at, moments, "outage", everyone)
    text = example("factory-outage.md")
    good = await verdicts(ops, text, incident=1)
    assert claims(good, "contradicted") == set()
    right = {"alert pending", "alert firing", "acknowledgement", "pizzas sold",
             "share of orders failed", "root cause (fault type)"}  # fmt: skip
    assert right <= claims(good, "confirmed")
    contradict(ops, "throttle", "reported", {"ordersByStatus": {"fulfilled": 5, "rejected": 7},
                                             "failed": 7})  # fmt: skip
    bad = await verdicts(ops, text, incident=1)
    assert {"pizzas sold", "share of orders failed", "root cause (fault type)",
            "how it was resolved"} <= claims(bad, "contradicted")  # fmt: skip


async def test_the_template_example(ops_at: OpsAt) -> None:
    day = "2025-04-08T"
    moments = Recorded(at(day + "19:33:00"), at(day + "19:33:10"), at(day + "19:33:20"),
                       at(day + "19:40:10"), at(day + "20:20:30"), "reported",
                       at(day + "20:22:10"))  # fmt: skip
    ops = await record(ops_at, moments, "auth",
                       ledger_json(failed=20, affectedDiners=20, activeDiners=20))  # fmt: skip
    text = example("template-factory-auth.md")
    good = await verdicts(ops, text, incident=1)
    assert [(v["stated"], v["measured"]) for v in good["verdicts"]
            if v["status"] == "contradicted"] == [("13:33", "19:33:00 UTC")]  # fmt: skip
    contradict(ops, "fail", "expired", {"failed": 11, "affectedDiners": 12})
    bad = await verdicts(ops, text, incident=1)
    assert {"affected diners", "failed orders", "root cause (fault type)",
            "how it was resolved"} <= claims(bad, "contradicted")  # fmt: skip


async def test_ops_own_draft_reviewed_finds_no_contradiction(ops_at: OpsAt) -> None:
    day = "2026-11-25T"
    moments = Recorded(at(day + "12:00:00"), at(day + "12:00:20"), at(day + "12:00:35"),
                       at(day + "12:01:10"), at(day + "12:03:00"), "reported",
                       at(day + "12:03:30"))  # fmt: skip
    ops = await record(ops_at, moments, "fail", ledger_json())
    draft = await ops.client.get("/api/ops/incidents/1/report.md", headers=ops.admin())
    result = await verdicts(ops, draft.text)
    assert claims(result, "contradicted") == set()
    assert len(claims(result, "confirmed")) >= 10


async def test_bad_input_is_a_clear_4xx(ops_at: OpsAt) -> None:
    day = "2026-11-25T"
    moments = Recorded(at(day + "12:00:00"), at(day + "12:00:20"), at(day + "12:00:35"),
                       at(day + "12:01:10"), at(day + "12:03:00"), "reported",
                       at(day + "12:03:30"))  # fmt: skip
    ops = await record(ops_at, moments, "fail", ledger_json())

    async def refused(body: dict[str, Any]) -> tuple[int, str]:
        answer = await ops.client.post("/api/ops/reviews", json=body, headers=ops.admin())
        return answer.status_code, answer.json()["message"]

    status, message = await refused({"markdown": '{"a": 1}'})
    assert status == 400 and "not a postmortem" in message
    status, message = await refused({"markdown": "# Incident\n\n## Summary\nIt broke.\n"})
    assert status == 400 and "no times of day" in message
    status, message = await refused({"markdown": "## Summary\nAt 12:00 UTC it broke.",
                                     "incident": 42})  # fmt: skip
    assert status == 404 and message == "unknown incident 42"
    status, message = await refused({"markdown": "## Summary\nOn 2026-11-25 at 08:00 UTC."})
    assert status == 404 and "no recorded incident matches" in message
    nobody = await ops.client.post("/api/ops/reviews", json={"markdown": "x"})
    assert nobody.status_code == 401

"""An incident recorded in a real ops app (its SQLite database, alert bus, desk and feeds) as
a story of tests/unit/ops/reviews/records.py tells it, and its review through the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from jwtpizza.ops.alerts.events import AlertState
from tests.unit.ops.reviews.records import Story

from ..incidents.conftest import IncidentOps
from ..incidents.kit import IncidentWorld, chaos_event, ledger_json, transition
from .conftest import OpsAt

# The claims the chaos feed's fault type and end and the order ledger decide.
FEED_CLAIMS = frozenset({
    "root cause (fault type)", "how it was resolved", "failed orders", "affected diners",
    "active diners", "share of diners affected", "share of orders failed", "pizzas sold",
    "revenue at risk",
})  # fmt: skip


# Nobody is on call in this ops app, so nothing pages: what a report says of its page is not
# checkable here.
PAGE_CLAIMS = frozenset({"page sent", "time to acknowledge (MTTA)"})


def ledger_of(story: Story) -> dict[str, Any]:
    """The service's order stats answer for the story's window."""
    counts = story.ledger
    failed = counts["failed"]
    return ledger_json(
        ordersByStatus={"fulfilled": counts["fulfilled"], "rejected": failed}, failed=failed,
        affectedDiners=counts["affected"], activeDiners=counts["active"],
        revenue={"fulfilled": 0.0, "failed": 0.01 * failed, "queuedThenFulfilled": 0.0,
                 "open": 0.0},
    )  # fmt: skip


def seconds(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


def chaos_feed(story: Story, *, ended: bool) -> list[dict[str, Any]]:
    """The factory's chaos events of the story's fault, before or after it ended."""
    fault, start = story.fault_type, story.start
    events = [chaos_event(1, "initiated", start - timedelta(seconds=30), type=fault),
              chaos_event(1, "started", start, type=fault)]  # fmt: skip
    if ended and story.end_reason == "reported":
        events.append(chaos_event(1, "reported", story.end, type=fault))
    if ended:
        events.append(chaos_event(1, "ended", story.end, type=fault, reason=story.end_reason))
    return events


async def record(ops_at: OpsAt, story: Story) -> IncidentOps:
    """Ops declares an incident as its alert fires, so the alert (and the acknowledgement
    after its page) move by the same span to the story's declaration."""
    shift = story.declared - story.firing
    pending, firing, ack = story.pending + shift, story.declared, story.ack + shift
    world = IncidentWorld(ledger=ledger_of(story), chaos=chaos_feed(story, ended=False))
    ops = await ops_at(world, story.start - timedelta(seconds=30))
    bus = ops.context.bus
    await bus.publish(transition("PizzaFailures", AlertState.PENDING, pending))
    await bus.publish(transition("PizzaFailures", AlertState.FIRING, firing,
                                 previous=AlertState.PENDING))  # fmt: skip
    ops.clock.advance(seconds(ops.clock.now(), ack))
    assert (await ops.client.post("/api/ops/incidents/1/ack", headers=ops.admin())).is_success
    world.chaos = chaos_feed(story, ended=True)
    await bus.publish(transition("PizzaFailures", AlertState.RESOLVED, story.end,
                                 previous=AlertState.FIRING))  # fmt: skip
    ops.clock.advance(seconds(ops.clock.now(), story.resolved))
    await ops.desk.tick()
    return ops


def retell(ops: IncidentOps, story: Story) -> None:
    """The same incident, its chaos feed and order ledger now telling another story."""
    world = ops.world
    assert isinstance(world, IncidentWorld)
    world.chaos, world.ledger = chaos_feed(story, ended=True), ledger_of(story)


async def verdicts(ops: IncidentOps, markdown: str, **extra: Any) -> dict[str, Any]:
    body = {"markdown": markdown, **extra}
    answer = await ops.client.post("/api/ops/reviews", json=body, headers=ops.admin())
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def claims(result: dict[str, Any], status: str) -> set[str]:
    return {v["claim"] for v in result["verdicts"] if v["status"] == status}

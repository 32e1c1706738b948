"""Drafts of recorded incidents whose facts match (or contradict) the example reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jwtpizza.ops.incidents.feed_parsing import Fault
from jwtpizza.ops.incidents.ledger import Ledger
from jwtpizza.ops.incidents.reports.draft import Draft, root_cause
from jwtpizza.ops.incidents.reports.figures import AlertSpan, Facts, Page, compute
from jwtpizza.ops.incidents.timeline import Entry, Source

# Our own rewrites of the course's example reports: their shapes and facts, not their text.
_EXAMPLES = Path(__file__).parents[3] / "fixtures" / "incident-reports"


def example(name: str) -> str:
    return (_EXAMPLES / name).read_text()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Story:
    """An incident's facts, in UTC, as the draft is built from them."""

    fault_type: str
    start: datetime
    end: datetime
    end_reason: str
    declared: datetime
    pending: datetime
    firing: datetime
    page: datetime
    ack: datetime
    resolved: datetime
    ledger: dict[str, Any] = field(default_factory=dict)


def ledger(*, failed: int, fulfilled: int, affected: int, active: int) -> Ledger:
    return Ledger(
        by_status={"fulfilled": fulfilled, "rejected": failed}, failed=failed,
        queued_then_fulfilled=0, still_open=0, lost=0, affected_diners=affected,
        active_diners=active, revenue_failed=0.01 * failed, revenue_recovered=0.0,
        revenue_open=0.0,
    )  # fmt: skip


def draft_of(story: Story, incident_id: int = 7) -> Draft:
    fault = Fault(1, "demo", story.fault_type, story.start - timedelta(seconds=30), story.start,
                  story.end if story.end_reason == "reported" else None, story.end,
                  story.end_reason)  # fmt: skip
    facts = Facts(
        declared_at=story.declared, faults=[fault],
        alerts=[AlertSpan("PizzaFailures", story.pending, story.firing, story.resolved, 1.0)],
        pages=[Page(story.page, 1, "console", "delivered")], acked_at=story.ack,
        resolved_at=story.resolved, ledger=ledger(**story.ledger),
    )  # fmt: skip
    chaos = f"chaos `{story.fault_type}` on vendor demo"
    timeline = [
        Entry(story.start, Source.CHAOS, "chaos-started", f"{chaos}: started", "c:1",
              "http://factory/api/chaos/events", data={"type": story.fault_type}),
        Entry(story.end, Source.CHAOS, "chaos-ended", f"{chaos}: ended ({story.end_reason})",
              "c:2", data={"type": story.fault_type}),
    ]  # fmt: skip
    return Draft(
        incident_id=incident_id, title="PizzaFailures", severity="high", status="resolved",
        declared_at=story.declared, figures=compute(facts), timeline=timeline,
        root_cause=root_cause([fault], timeline), now=story.resolved + timedelta(minutes=5),
    )  # fmt: skip


# factory-fail-noisy-alert.md: no zone named; read in MST (UTC-7).
NOISY = Story(
    "fail", at("2025-11-25T19:53:10"), at("2025-11-25T19:57:51"), "reported",
    declared=at("2025-11-25T19:57:25"), pending=at("2025-11-25T19:53:40"),
    firing=at("2025-11-25T19:54:10"), page=at("2025-11-25T19:54:11"),
    ack=at("2025-11-25T19:54:50"), resolved=at("2025-11-25T19:59:22"),
    ledger=dict(failed=3, fulfilled=0, affected=2, active=2),
)  # fmt: skip
NOISY_WRONG = Story(
    "outage", NOISY.start, NOISY.end, "expired", declared=at("2025-11-25T20:05:00"),
    pending=NOISY.pending, firing=NOISY.firing, page=NOISY.page, ack=at("2025-11-25T19:57:00"),
    resolved=NOISY.resolved, ledger=dict(failed=9, fulfilled=30, affected=5, active=40),
)  # fmt: skip

# factory-outage.md: 12-hour clock, no zone named; read in MST.
OUTAGE = Story(
    "outage", at("2025-12-02T17:10:00"), at("2025-12-02T17:22:20"), "expired",
    declared=at("2025-12-02T17:11:30"), pending=at("2025-12-02T17:10:30"),
    firing=at("2025-12-02T17:11:30"), page=at("2025-12-02T17:11:31"),
    ack=at("2025-12-02T17:12:00"), resolved=at("2025-12-02T17:22:40"),
    ledger=dict(failed=14, fulfilled=0, affected=6, active=6),
)  # fmt: skip
OUTAGE_WRONG = Story(
    "throttle", OUTAGE.start, OUTAGE.end, "reported", declared=OUTAGE.declared,
    pending=OUTAGE.pending, firing=at("2025-12-02T17:14:00"), page=at("2025-12-02T17:14:01"),
    ack=OUTAGE.ack, resolved=OUTAGE.resolved,
    ledger=dict(failed=7, fulfilled=5, affected=3, active=6),
)  # fmt: skip

# template-factory-auth.md: all times UTC, April 8, 2025.
TEMPLATE = Story(
    "auth", at("2025-04-08T19:33:00"), at("2025-04-08T20:20:30"), "reported",
    declared=at("2025-04-08T19:33:20"), pending=at("2025-04-08T19:33:10"),
    firing=at("2025-04-08T19:33:15"), page=at("2025-04-08T19:33:20"),
    ack=at("2025-04-08T19:40:10"), resolved=at("2025-04-08T20:22:10"),
    ledger=dict(failed=20, fulfilled=0, affected=20, active=20),
)  # fmt: skip
TEMPLATE_WRONG = Story(
    "fail", TEMPLATE.start, TEMPLATE.end, "expired", declared=TEMPLATE.declared,
    pending=TEMPLATE.pending, firing=TEMPLATE.firing, page=TEMPLATE.page,
    ack=at("2025-04-08T19:50:00"), resolved=TEMPLATE.resolved,
    ledger=dict(failed=11, fulfilled=0, affected=12, active=20),
)  # fmt: skip


@dataclass(frozen=True)
class Pairing:
    """An example report, the incident recorded to match it and the one recorded to
    contradict it, and what the review must say of each."""

    report: str
    matching: Story
    contradicting: Story
    confirmed: frozenset[str]  # every claim the matching record confirms
    contradicted: frozenset[str]  # every claim the contradicting record contradicts
    slips: frozenset[str] = frozenset()  # the report's own mistakes, contradicted by both


PAIRINGS = {
    "noisy": Pairing(
        "factory-fail-noisy-alert.md", NOISY, NOISY_WRONG,
        confirmed=frozenset({
            "first impact", "end of the impact window", "incident declared", "mitigation",
            "incident resolved", "time to acknowledge (MTTA)", "impact duration (MTTM)",
            "affected diners", "active diners", "share of diners affected",
            "root cause (fault type)", "how it was resolved",
        }),
        contradicted=frozenset({
            "incident declared", "time to acknowledge (MTTA)", "affected diners",
            "active diners", "share of diners affected", "root cause (fault type)",
            "how it was resolved",
        }),
    ),
    "outage": Pairing(
        "factory-outage.md", OUTAGE, OUTAGE_WRONG,
        confirmed=frozenset({
            "first impact", "end of the impact window", "alert pending", "alert firing",
            "page sent", "acknowledgement", "mitigation", "alert resolved",
            "impact duration (MTTM)", "share of orders failed", "share of diners affected",
            "pizzas sold", "root cause (fault type)", "how it was resolved",
        }),
        contradicted=frozenset({
            "alert firing", "page sent", "share of orders failed", "share of diners affected",
            "pizzas sold", "root cause (fault type)", "how it was resolved",
        }),
    ),
    "template": Pairing(
        "template-factory-auth.md", TEMPLATE, TEMPLATE_WRONG,
        confirmed=frozenset({
            "first impact", "end of the impact window", "page sent", "acknowledgement",
            "mitigation", "impact duration (MTTM)", "failed orders", "affected diners",
            "share of diners affected", "root cause (fault type)", "how it was resolved",
        }),
        contradicted=frozenset({
            "acknowledgement", "affected diners", "failed orders", "share of diners affected",
            "root cause (fault type)", "how it was resolved",
        }),
        # It states its start once in local time ("at 13:33") beside "19:33 UTC".
        slips=frozenset({"first impact"}),
    ),
}  # fmt: skip

# An incident of our own: a `fail` fault ended by the report link, declared as its alert fired.
OWN = Story(
    "fail", at("2026-11-25T12:00:00"), at("2026-11-25T12:03:00"), "reported",
    declared=at("2026-11-25T12:00:35"), pending=at("2026-11-25T12:00:20"),
    firing=at("2026-11-25T12:00:35"), page=at("2026-11-25T12:00:35"),
    ack=at("2026-11-25T12:01:10"), resolved=at("2026-11-25T12:03:30"),
    ledger=dict(failed=8, fulfilled=20, affected=4, active=10),
)  # fmt: skip

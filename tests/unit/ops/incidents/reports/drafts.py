"""Builders of facts and drafts for the report tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jwtpizza.ops.incidents.feed_parsing import Fault
from jwtpizza.ops.incidents.ledger import Ledger
from jwtpizza.ops.incidents.reports.draft import Draft, EarlierIncident, root_cause
from jwtpizza.ops.incidents.reports.figures import AlertSpan, Facts, Page, compute
from jwtpizza.ops.incidents.timeline import Entry, Source

T0 = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_ledger(**overrides: Any) -> Ledger:
    values: dict[str, Any] = dict(
        by_status={"fulfilled": 30, "rejected": 8}, failed=8, queued_then_fulfilled=0,
        still_open=0, lost=0, affected_diners=3, active_diners=12, revenue_failed=0.4,
        revenue_recovered=0.0, revenue_open=0.0,
    )  # fmt: skip
    values.update(overrides)
    return Ledger(**values)


def make_facts(**overrides: Any) -> Facts:
    values: dict[str, Any] = dict(
        declared_at=t(40),
        faults=[Fault(1, "demo", "fail", t(-60), t(0), t(150), t(150), "reported")],
        alerts=[AlertSpan("PizzaFactoryFailures", t(20), t(35), t(170), 1.0)],
        pages=[Page(t(36), 1, "console", "delivered")],
        acked_at=t(66),
        resolved_at=t(180),
        ledger=make_ledger(),
        expected_alerts=["PizzaFactoryFailures"],
    )  # fmt: skip
    values.update(overrides)
    return Facts(**values)


def make_timeline() -> list[Entry]:
    return [
        Entry(t(0), Source.CHAOS, "chaos-started", "chaos `fail` on vendor demo: started",
              "chaos:1:started", "http://factory/api/chaos/events?since=x"),
        Entry(t(2), Source.LOG, "report-link", "first error with a report link",
              "report-link:service", "http://shop/api/ops/logs?q=req_1"),
        Entry(t(35), Source.ALERT, "alert-firing", "alert PizzaFactoryFailures firing",
              "alert:a:firing"),
        Entry(t(66), Source.RESPONDER, "ack", "acknowledged by alice", "ack:1",
              data={"by": "alice"}),
        Entry(t(149), Source.RUNBOOK, "runbook-step", "followed the report link: resolved",
              "runbook:1:1"),
        Entry(t(150), Source.CHAOS, "chaos-ended", "chaos `fail` on vendor demo: ended",
              "chaos:1:ended"),
    ]  # fmt: skip


def make_draft(facts: Facts | None = None, **overrides: Any) -> Draft:
    facts = facts or make_facts()
    timeline = overrides.pop("timeline", make_timeline())
    values: dict[str, Any] = dict(
        incident_id=3, title="PizzaFactoryFailures", severity="critical", status="resolved",
        declared_at=facts.declared_at, figures=compute(facts), timeline=timeline,
        root_cause=root_cause(list(facts.faults), timeline), roles={"commander": "alice"},
        earlier=[EarlierIncident(1, "Pizza failures", t(-86400), "postmortem_written")],
        now=t(200),
    )  # fmt: skip
    values.update(overrides)
    return Draft(**values)

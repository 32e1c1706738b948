"""The measured figures of an incident, computed from recorded facts (no I/O, nothing typed in).

- fault start: the chaos feed's `started`, else the first symptom (first 5xx, first alert);
- detection: the first alert firing from the fault's start on (an alert already firing
  before it, such as the host's load, did not detect it), and likewise the first page;
- MTTD = detection - fault start; MTTA = first acknowledgement - first page;
- MTTM = mitigation - fault start, where mitigation is the first of the fault ending (chaos
  feed) and a responder marking the incident mitigated; MTTR = resolution - fault start;
- orders and diners from the service's order ledger for the window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jwtpizza.ops.incidents.feed_parsing import Fault, parse_time
from jwtpizza.ops.incidents.ledger import Ledger


@dataclass(frozen=True)
class AlertSpan:
    """One alert's life during the incident."""

    name: str
    pending_at: datetime | None = None
    firing_at: datetime | None = None
    resolved_at: datetime | None = None
    value: float | None = None
    # How many times it began firing: more than once in one incident is flapping.
    firings: int = 1


@dataclass(frozen=True)
class Page:
    """One notification: its escalation step (1 = first), receiver and delivery outcome,
    and the page (one escalation) it belongs to."""

    at: datetime
    step: int
    receiver: str
    outcome: str
    page_id: int | None = None


@dataclass(frozen=True)
class Facts:
    """Everything recorded about an incident that the figures are computed from."""

    declared_at: datetime
    faults: Sequence[Fault] = ()
    first_symptom_at: datetime | None = None
    alerts: Sequence[AlertSpan] = ()
    pages: Sequence[Page] = ()
    acked_at: datetime | None = None
    marked_mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    ledger: Ledger | None = None
    expected_alerts: Sequence[str] = ()
    mttd_target: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class Figures:
    fault_start: datetime
    fault_start_source: str
    fault_end: datetime | None
    detected_at: datetime | None
    detected_by: str | None
    first_page_at: datetime | None
    acked_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    mttd: timedelta | None
    mtta: timedelta | None
    mttm: timedelta | None
    mttr: timedelta | None
    ledger: Ledger | None
    fired: list[AlertSpan] = field(default_factory=list)
    never_fired: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    escalated_before_ack: bool = False
    mttd_target: timedelta = timedelta(minutes=2)
    # Separate escalations (pages) for this one incident, and the alerts that fired again.
    pages_opened: int = 0
    flapped: list[AlertSpan] = field(default_factory=list)


def _first(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


def _since(start: datetime, end: datetime | None) -> timedelta | None:
    return None if end is None else end - start


def fault_start(facts: Facts) -> tuple[datetime, str]:
    """When the fault truly began, and how we know."""
    started = _first(*(f.started_at for f in facts.faults))
    if started is not None:
        return started, "chaos feed"
    symptom = _first(facts.first_symptom_at, *(a.pending_at for a in facts.alerts))
    if symptom is not None:
        return symptom, "first symptom"
    return facts.declared_at, "declaration"


def compute(facts: Facts) -> Figures:
    """The incident's figures from its facts."""
    start, source = fault_start(facts)
    fault_end = _fault_end(facts.faults)
    fired = sorted((a for a in facts.alerts if a.firing_at), key=lambda a: a.firing_at or start)
    detector = next((a for a in fired if a.firing_at and a.firing_at >= start), None)
    detected = detector.firing_at if detector else None
    first_page = min((p.at for p in facts.pages if p.at >= start), default=None)
    mitigated = _first(fault_end, facts.marked_mitigated_at)
    # Late: an expected alert that fired after the MTTD target (or, with no expectation,
    # the first alert, when detection itself was late).
    watched = [a for a in fired if a.name in facts.expected_alerts] or fired[:1]
    late = [a.name for a in watched if a.firing_at and a.firing_at - start > facts.mttd_target]
    fired_names = {a.name for a in fired}
    return Figures(
        fault_start=start,
        fault_start_source=source,
        fault_end=fault_end,
        detected_at=detected,
        detected_by=detector.name if detector else None,
        first_page_at=first_page,
        acked_at=facts.acked_at,
        mitigated_at=mitigated,
        resolved_at=facts.resolved_at,
        mttd=_since(start, detected),
        mtta=None if first_page is None else _since(first_page, facts.acked_at),
        mttm=_since(start, mitigated),
        mttr=_since(start, facts.resolved_at),
        ledger=facts.ledger,
        fired=fired,
        never_fired=[name for name in facts.expected_alerts if name not in fired_names],
        late=late,
        escalated_before_ack=_escalated(facts),
        mttd_target=facts.mttd_target,
        pages_opened=_pages_opened(facts.pages),
        flapped=[a for a in fired if a.firings > 1],
    )


def _pages_opened(pages: Sequence[Page]) -> int:
    """How many escalations began: first steps, one per page."""
    first_steps = [p for p in pages if p.step == 1]
    return len({p.page_id for p in first_steps if p.page_id is not None}) or len(first_steps)


def _fault_end(faults: Sequence[Fault]) -> datetime | None:
    """When the last fault ended, if every fault has ended."""
    if not faults or any(f.ended_at is None for f in faults):
        return None
    return max(f.ended_at for f in faults if f.ended_at is not None)


def _escalated(facts: Facts) -> bool:
    """Whether a page past the first escalation step went out before anyone acknowledged."""
    ack = facts.acked_at
    return any(p.step > 1 and (ack is None or p.at < ack) for p in facts.pages)


def window(figures: Figures, now: datetime) -> tuple[datetime, datetime]:
    """The incident's UTC window: fault start to resolution (or now)."""
    return figures.fault_start, figures.resolved_at or now


def span_from_transitions(name: str, transitions: Sequence[Mapping[str, Any]]) -> AlertSpan:
    """An alert's span from its recorded transitions (`state`, `at`, optional `value`)."""
    times: dict[str, datetime] = {}
    value = None
    firings = 0
    for t in transitions:
        times.setdefault(str(t["state"]), parse_time(t["at"]))
        firings += t.get("state") == "firing"
        if t.get("state") == "firing" and t.get("value") is not None:
            value = float(t["value"])
    return AlertSpan(
        name=name,
        pending_at=times.get("pending"),
        firing_at=times.get("firing"),
        resolved_at=times.get("resolved") or times.get("inactive"),
        value=value,
        firings=max(firings, 1),
    )

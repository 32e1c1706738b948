"""What a postmortem says, before it is rendered: the root cause, the gaps that become action
items, and earlier incidents with the same cause (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jwtpizza.ops.incidents.feeds import Fault
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.reports.figures import Figures


@dataclass(frozen=True)
class RootCause:
    key: str  # the same key means the same cause, across incidents (`chaos:fail`)
    summary: str
    details: Sequence[str] = ()


@dataclass(frozen=True)
class EarlierIncident:
    incident_id: int
    title: str
    declared_at: datetime
    status: str


@dataclass(frozen=True)
class ActionItem:
    title: str
    why: str


@dataclass(frozen=True)
class Draft:
    incident_id: int
    title: str
    severity: str
    status: str
    declared_at: datetime
    figures: Figures
    timeline: Sequence[Entry]
    root_cause: RootCause | None
    roles: Mapping[str, str] = field(default_factory=dict)
    earlier: Sequence[EarlierIncident] = ()
    now: datetime | None = None

    @property
    def runbook_entries(self) -> list[Entry]:
        return [e for e in self.timeline if e.source == Source.RUNBOOK]

    @property
    def action_items(self) -> list[ActionItem]:
        return action_items(self.figures, runbook_followed=bool(self.runbook_entries))


def _at(moment: datetime | None) -> str:
    return "not recorded" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def root_cause_from_fault(fault: Fault) -> RootCause:
    """The cause as the factory's chaos record states it: type, vendor and schedule."""
    details = [
        f"chaos type `{fault.type}` injected on the factory for vendor `{fault.vendor}`",
        f"initiated {_at(fault.initiated_at)}, in effect from {_at(fault.started_at)}",
    ]
    if fault.ended_at is not None:
        how = {"reported": "the report link was followed", "expired": "its duration ran out"}
        reason = fault.end_reason or "ended"
        details.append(f"ended {_at(fault.ended_at)}: {how.get(reason, reason)}")
    summary = f"the pizza factory's `{fault.type}` chaos fault (vendor `{fault.vendor}`)"
    return RootCause(key=f"chaos:{fault.type}", summary=summary, details=details)


def root_cause_from_integrity(entry: Entry) -> RootCause:
    """The cause as the integrity check found it (an entry of kind `integrity-finding`)."""
    problems = sorted(str(p) for p in entry.data.get("problems", ()))
    key = "integrity:" + ",".join(problems)
    summary = "the service's order ledger or references failed the integrity check"
    return RootCause(key=key, summary=summary, details=[f"problem: `{p}`" for p in problems])


def root_cause(faults: Sequence[Fault], timeline: Sequence[Entry]) -> RootCause | None:
    """The chaos record's cause, else the integrity check's finding, else unknown."""
    if faults:
        return root_cause_from_fault(faults[0])
    finding = next((e for e in timeline if e.kind == "integrity-finding"), None)
    return None if finding is None else root_cause_from_integrity(finding)


def _seconds(figures: Figures) -> float:
    return figures.mttd.total_seconds() if figures.mttd else 0.0


def action_items(figures: Figures, *, runbook_followed: bool) -> list[ActionItem]:
    """Corrective tasks derived from the gaps the figures show."""
    items: list[ActionItem] = []
    target = figures.mttd_target.total_seconds()
    for name in figures.late:
        why = f"MTTD was {_seconds(figures):.0f} s, above the {target:.0f} s target"
        items.append(ActionItem(f"Make alert `{name}` fire sooner", why))
    for name in figures.never_fired:
        why = "it was expected for this kind of fault and never fired"
        items.append(ActionItem(f"Fix or add alert `{name}`", why))
    if figures.detected_at is None:
        items.append(ActionItem("Add an alert for this fault", "no alert fired at all"))
    if figures.escalated_before_ack:
        why = "the first page was not acknowledged before the escalation's next step"
        items.append(ActionItem("Shorten the time to acknowledge the first page", why))
    if not runbook_followed:
        why = "no runbook action is on the timeline"
        items.append(ActionItem("Write or enable a runbook for this alert", why))
    if figures.ledger is not None and figures.ledger.lost:
        why = f"{figures.ledger.lost} accepted orders were lost"
        items.append(ActionItem("Find and fix how orders were lost", why))
    return items

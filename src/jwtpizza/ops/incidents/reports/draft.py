"""What a postmortem says, before it is rendered: the root cause, the gaps that become action
items, and earlier incidents with the same cause (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jwtpizza.ops.incidents.feed_parsing import Fault
from jwtpizza.ops.incidents.reports.figures import Figures
from jwtpizza.ops.incidents.timeline import Entry, Source


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
    # How many times faster than real time the run went (a compressed scenario); 1 is live.
    speed: float = 1.0
    # Per SLO, the share of its 30-day error budget the incident's window spent.
    budget_spent: Mapping[str, float] = field(default_factory=dict)

    @property
    def runbook_entries(self) -> list[Entry]:
        return [e for e in self.timeline if e.source == Source.RUNBOOK]

    @property
    def action_items(self) -> list[ActionItem]:
        return action_items(
            self.figures,
            runbook_followed=bool(self.runbook_entries),
            ended_by_hand=ended_by_hand(self.timeline),
            breaker_open=breaker_open_after_fix(self.figures, self.timeline, self.now),
            speed=self.speed,
        )


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


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 order`, `2 orders` (`many` for an irregular plural)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def was(count: int) -> str:
    """The verb for `count` things: `1 was`, `2 were`."""
    return "was" if count == 1 else "were"


def seconds(span: timedelta | None, speed: float = 1.0) -> str:
    return "an unmeasured time" if span is None else f"{span.total_seconds() * speed:.0f} s"


# A breaker still open this long after the fault ended kept a recovered factory unreachable.
BREAKER_GRACE = timedelta(seconds=30)


def ended_by_hand(timeline: Sequence[Entry]) -> bool:
    """Whether a person ended the fault (its report link followed) with no runbook on it."""
    reported = any(e.kind == "chaos-reported" for e in timeline)
    return reported and not any(e.source == Source.RUNBOOK for e in timeline)


def breaker_open_after_fix(
    figures: Figures, timeline: Sequence[Entry], now: datetime | None
) -> timedelta | None:
    """How long the circuit breaker stayed open after the fault ended, when that was longer
    than `BREAKER_GRACE` (until it closed, or until `now` if it never did); else None."""
    end = figures.fault_end
    moves = [e for e in timeline if e.kind == "breaker"]
    if end is None or not moves:
        return None
    before = [e for e in moves if e.at <= end]
    after = [e for e in moves if e.at > end]
    if not after and (not before or before[-1].data.get("state") == "closed"):
        return None
    closed = next((e.at for e in after if e.data.get("state") == "closed"), None)
    stayed = (closed or now or end) - end
    return stayed if stayed > BREAKER_GRACE else None


def action_items(
    figures: Figures,
    *,
    runbook_followed: bool,
    ended_by_hand: bool = False,
    breaker_open: timedelta | None = None,
    speed: float = 1.0,
) -> list[ActionItem]:
    """Corrective tasks derived from what happened: the gaps the figures show, alerts that
    flapped, pages repeated for one fault, a late acknowledgement, a runbook done by hand,
    a breaker that stayed open after the fix, lost orders."""
    items: list[ActionItem] = []
    target = seconds(figures.mttd_target, speed)
    for name in figures.late:
        why = f"MTTD was {seconds(figures.mttd, speed)}, above the {target} target"
        items.append(ActionItem(f"Make alert `{name}` fire sooner", why))
    for name in figures.never_fired:
        why = "it was expected for this kind of fault and never fired"
        items.append(ActionItem(f"Fix or add alert `{name}`", why))
    if figures.detected_at is None:
        items.append(ActionItem("Add an alert for this fault", "no alert fired at all"))
    for alert in figures.flapped:
        why = f"it fired {plural(alert.firings, 'time')} in this one incident"
        items.append(ActionItem(f"Give alert `{alert.name}` hysteresis (keep_firing_for)", why))
    if figures.pages_opened > 1:
        why = f"{plural(figures.pages_opened, 'separate page')} went out for this one incident"
        items.append(ActionItem("Page once per fault: group its alerts into one page", why))
    items += _ack_items(figures, speed)
    items += _runbook_items(runbook_followed=runbook_followed, ended_by_hand=ended_by_hand)
    if breaker_open is not None:
        why = (
            f"it kept the factory unreachable {seconds(breaker_open, speed)} after the fault ended"
        )
        items.append(ActionItem("Make the circuit breaker recover on its own", why))
    lost = figures.ledger.lost if figures.ledger is not None else 0
    if lost:
        why = f"{plural(lost, 'accepted order')} {was(lost)} lost"
        items.append(ActionItem("Find and fix how orders were lost", why))
    return items


def _ack_items(figures: Figures, speed: float) -> list[ActionItem]:
    late = figures.mtta is not None and figures.mtta > figures.mttd_target
    if not (figures.escalated_before_ack or late):
        return []
    why = (
        "the first page was not acknowledged before the escalation's next step"
        if figures.escalated_before_ack
        else f"the first page waited {seconds(figures.mtta, speed)} for an acknowledgement"
    )
    return [ActionItem("Shorten the time to acknowledge the first page", why)]


def _runbook_items(*, runbook_followed: bool, ended_by_hand: bool) -> list[ActionItem]:
    if ended_by_hand:
        why = "a person ended the fault by hand, with no runbook action on the timeline"
        return [ActionItem("Write or enable a runbook for the steps done by hand", why)]
    if not runbook_followed:
        why = "no runbook action is on the timeline"
        return [ActionItem("Write or enable a runbook for this alert", why)]
    return []

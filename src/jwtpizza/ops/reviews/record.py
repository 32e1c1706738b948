"""What ops holds about an incident, as the values a review checks claims against (no I/O).

Every value carries its source, so each verdict can name the record it was checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from jwtpizza.ops.incidents.reports.draft import Draft

LEDGER = "order ledger (GET /api/order/stats for the incident window)"


@dataclass(frozen=True)
class Fact:
    value: datetime | timedelta | float | str
    source: str
    # Other moments the same words may mean (any alert firing, any page): a time claim is
    # confirmed when it matches one of them.
    others: tuple[tuple[datetime, str], ...] = ()


@dataclass(frozen=True)
class Record:
    incident_id: int
    fault_start: datetime
    facts: dict[str, Fact] = field(default_factory=dict)

    def get(self, name: str) -> Fact | None:
        return self.facts.get(name)


def _evidence(draft: Draft, kind: str) -> str:
    entry = next((e for e in draft.timeline if e.kind == kind and e.evidence), None)
    return f" <{entry.evidence}>" if entry else ""


def _cause(draft: Draft) -> tuple[str | None, str | None]:
    """The fault type and how it ended (`reported`: the link; `expired`: by itself), from the
    chaos record's root cause, else the timeline's chaos entries."""
    cause = draft.root_cause
    kind = cause.key.split(":", 1)[1] if cause and cause.key.startswith("chaos:") else None
    details = " ".join(cause.details) if cause else ""
    ended = " ".join(e.text for e in draft.timeline if e.kind == "chaos-ended")
    for said in (details, ended):  # the chaos record first, then what the timeline kept
        if "report link was followed" in said or "(reported)" in said:
            return kind, "reported"
        if "duration ran out" in said or "(expired)" in said:
            return kind, "expired"
    return kind, None


def record_of(draft: Draft) -> Record:
    """The checkable values of a drafted incident."""
    f = draft.figures
    chaos = f"chaos feed{_evidence(draft, 'chaos-started')}"
    start_source = chaos if f.fault_start_source == "chaos feed" else f.fault_start_source
    first = f.fired[0] if f.fired else None
    pending = min((a.pending_at for a in f.fired if a.pending_at), default=None)
    last_resolved = max((a.resolved_at for a in f.fired if a.resolved_at), default=None)
    ended_by_fault = f.fault_end is not None and f.mitigated_at == f.fault_end
    mitigation = (
        f"chaos feed (fault ended){_evidence(draft, 'chaos-ended')}"
        if ended_by_fault
        else "incident record (marked mitigated)"
    )
    moments: dict[str, tuple[datetime | None, str]] = {
        "fault_start": (f.fault_start, start_source),
        "pending": (pending, "alert history (first alert pending)"),
        "firing": (f.detected_at, f"alert history (`{first.name}` firing)" if first else ""),
        "page": (f.first_page_at, "page log (first notification)"),
        "ack": (f.acked_at, "incident record (first acknowledgement)"),
        "declared": (draft.declared_at, "incident record (declared)"),
        "mitigated": (f.mitigated_at, mitigation),
        "resolved": (f.resolved_at, "incident record (resolved)"),
        "alert_resolved": (last_resolved, "alert history (last alert resolved)"),
    }
    facts = {k: Fact(v, s) for k, (v, s) in moments.items() if v is not None}
    for name, others in _alternatives(draft).items():
        if name in facts:
            facts[name] = replace(facts[name], others=tuple(others))
    if "mitigated" in facts:
        ends = [(f.resolved_at, "incident record (resolved)")] if f.resolved_at else []
        facts["window_end"] = replace(facts["mitigated"], others=tuple(ends))
    spans = {"mttd": f.mttd, "mtta": f.mtta, "mttm": f.mttm, "mttr": f.mttr}
    # A compressed run states its durations in scenario time, as ops' own draft does.
    scaled = "" if draft.speed == 1 else f", in scenario time (x{draft.speed:g} the wall clock)"
    for name, span in spans.items():
        if span is not None:
            facts[name] = Fact(
                span * draft.speed, f"measured {name.upper()} (from the moments above{scaled})"
            )
    _ledger_facts(draft, facts)
    fault_type, ended = _cause(draft)
    if fault_type:
        facts["cause"] = Fact(fault_type, chaos)
    if ended:
        facts["resolved_by"] = Fact(ended, f"chaos feed (fault ended: {ended})")
    return Record(draft.incident_id, f.fault_start, facts)


_SAME_WORDS = {
    "fault_start": ("report-link", "first-5xx", "queue-engaged", "breaker"),
    "mitigated": ("chaos-reported", "chaos-ended", "status-mitigated", "runbook-step"),
    "pending": ("alert-pending",),
    "firing": ("alert-firing",),
    "alert_resolved": ("alert-resolved",),
    "page": ("page",),
    "ack": ("ack", "page-ack"),
}


def _alternatives(draft: Draft) -> dict[str, list[tuple[datetime, str]]]:
    found: dict[str, list[tuple[datetime, str]]] = {}
    for name, kinds in _SAME_WORDS.items():
        found[name] = [(e.at, f"timeline: {e.text}") for e in draft.timeline if e.kind in kinds]
    return found


def _ledger_facts(draft: Draft, facts: dict[str, Fact]) -> None:
    ledger = draft.figures.ledger
    if ledger is None:
        return
    total = sum(ledger.by_status.values())
    values: dict[str, float | None] = {
        "failed_orders": float(ledger.failed),
        "affected_diners": float(ledger.affected_diners),
        "active_diners": float(ledger.active_diners),
        "affected_share": ledger.affected_share,
        "failed_share": ledger.failed / total if total else None,
        "sold": float(ledger.by_status.get("fulfilled", 0)),
        "revenue_at_risk": ledger.revenue_at_risk,
    }
    for name, value in values.items():
        if value is not None:
            facts[name] = Fact(value, LEDGER)


def record_of_fault(
    fault_id: int, fault_type: str, start: datetime, end: datetime | None, reason: str | None
) -> Record:
    """The checkable values of a fault the factory recorded (a student's, with no ops record
    of alerts, pages or orders)."""
    source = f"factory chaos record (fault {fault_id})"
    facts = {"fault_start": Fact(start, source), "cause": Fact(fault_type, source)}
    if end is not None:
        facts["mitigated"] = facts["window_end"] = Fact(end, f"{source}, ended")
        facts["mttm"] = Fact(end - start, f"{source}, start to end")
    if reason in ("reported", "expired"):
        facts["resolved_by"] = Fact(reason, f"{source}, ended: {reason}")
    return Record(fault_id, start, facts)

"""Each incident's response times from what its timeline recorded, and their averages by
fault type and by responder (no I/O).

The chaos entries the timeline kept stand in for the chaos feed, so the stats need no call to
the factory: the figures are the same ones the postmortem draft computes.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Any

from jwtpizza.ops.incidents.feed_parsing import Fault
from jwtpizza.ops.incidents.models import Incident
from jwtpizza.ops.incidents.reports.figures import compute
from jwtpizza.ops.incidents.reports.service import facts_from
from jwtpizza.ops.incidents.timeline import Entry

MEASURES = ("mttd", "mtta", "mttm", "mttr")


@dataclass(frozen=True)
class Row:
    incident_id: int
    declared_at: datetime
    title: str
    fault_type: str
    responder: str
    seconds: dict[str, float | None]

    def as_json(self) -> dict[str, Any]:
        return {
            "incident": self.incident_id,
            "declaredAt": self.declared_at.isoformat(),
            "title": self.title,
            "faultType": self.fault_type,
            "responder": self.responder,
            **self.seconds,
        }


def faults_in(timeline: Sequence[Entry]) -> list[Fault]:
    """The faults the timeline's chaos entries tell of."""
    times: dict[int, dict[str, Any]] = {}
    for e in timeline:
        if e.source != "chaos" or "faultId" not in e.data:
            continue
        fault = times.setdefault(int(e.data["faultId"]), {"type": str(e.data.get("type", "?"))})
        what = e.kind.removeprefix("chaos-")
        fault.setdefault(f"{what}_at", e.at)
    return [
        Fault(
            fault_id,
            "",
            f["type"],
            f.get("initiated_at"),
            f.get("started_at"),
            f.get("reported_at"),
            f.get("ended_at"),
        )
        for fault_id, f in sorted(times.items())
    ]


def row(incident: Incident, timeline: Sequence[Entry]) -> Row:
    faults = faults_in(timeline)
    figures = compute(facts_from(incident, timeline, faults, expected=(), mttd_target=120))
    spans = {"mttd": figures.mttd, "mtta": figures.mtta, "mttm": figures.mttm, "mttr": figures.mttr}
    return Row(
        incident.id,
        incident.declared_at,
        incident.title,
        faults[0].type if faults else (incident.root_cause or "unknown"),
        incident.acked_by or "nobody",
        {k: None if v is None else round(v.total_seconds(), 1) for k, v in spans.items()},
    )


def grouped(rows: Iterable[Row], key: str) -> list[dict[str, Any]]:
    """Per value of `key` (faultType or responder): how many incidents and mean seconds."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[r.fault_type if key == "faultType" else r.responder].append(r)
    out = []
    for name, members in sorted(groups.items()):
        means: dict[str, float | None] = {}
        for m in MEASURES:
            values = [v for r in members if (v := r.seconds[m]) is not None]
            means[m] = round(fmean(values), 1) if values else None
        out.append({key: name, "incidents": len(members), **means})
    return out


def as_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["incident", "declared_at", "fault_type", "responder", *MEASURES])
    for r in rows:
        values = ["" if r.seconds[m] is None else r.seconds[m] for m in MEASURES]
        writer.writerow(
            [r.incident_id, r.declared_at.isoformat(), r.fault_type, r.responder, *values]
        )
    return out.getvalue()

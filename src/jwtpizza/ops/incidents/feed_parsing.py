"""What the components' feeds say, as timeline entries and fault records (no I/O).

- the factory's chaos feed (`GET /api/chaos/events`): each fault's initiated, started,
  reported and ended events;
- a component's log search (`GET /api/ops/logs`): the first error that carries a report
  link, the first 5xx of each route, breaker transitions, and the queue engaging and draining.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from jwtpizza.ops.incidents.timeline import Entry, Source

REPORT_LINK = re.compile(r"https?://[^\s\"'\\]+/api/support/[^\s\"'\\]+/report/[A-Za-z0-9]+")


def parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Fault:
    """One chaos fault as the feed tells it."""

    fault_id: int
    vendor: str
    type: str
    initiated_at: datetime | None = None
    started_at: datetime | None = None
    reported_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the fault was in effect at some moment of [start, end]."""
        if self.started_at is None or self.started_at > end:
            return False
        return self.ended_at is None or self.ended_at >= start


def faults_from(events: Iterable[Mapping[str, Any]]) -> list[Fault]:
    """Group feed events into faults, oldest start first."""
    fields: dict[int, dict[str, Any]] = {}
    for event in events:
        fault_id = int(event["faultId"])
        record = fields.setdefault(
            fault_id, {"fault_id": fault_id, "vendor": event["vendorId"], "type": event["type"]}
        )
        record[f"{event['event']}_at"] = parse_time(event["time"])
        if event["event"] == "ended":
            record["end_reason"] = event.get("reason")
    faults = [Fault(**record) for record in fields.values()]
    return sorted(
        faults, key=lambda f: (f.started_at or f.initiated_at or datetime.max, f.fault_id)
    )


def chaos_entries(
    events: Iterable[Mapping[str, Any]], fault_ids: set[int], factory_url: str
) -> list[Entry]:
    """The feed's events of the given faults, each linked to the feed from its moment on."""
    entries = []
    for event in events:
        if int(event["faultId"]) not in fault_ids:
            continue
        at = parse_time(event["time"])
        what = event["event"]
        text = f"chaos `{event['type']}` on vendor {event['vendorId']}: {what}"
        if event.get("reason"):
            text += f" ({event['reason']})"
        if event.get("announced"):
            text += " [announced: its alerts paged nobody]"
        since = urlencode({"since": (at - timedelta(seconds=1)).isoformat()})
        entries.append(
            Entry(
                at=at,
                source=Source.CHAOS,
                kind=f"chaos-{what}",
                text=text,
                key=f"chaos:{event['id']}",
                evidence=f"{factory_url}/api/chaos/events?{since}",
                data={
                    "faultId": int(event["faultId"]),
                    "type": event["type"],
                    "announced": bool(event.get("announced")),
                },
            )
        )
    return entries


def same_origin(url: str, base_url: str) -> bool:
    """Whether `url` has the scheme, host and port of `base_url`."""
    try:
        found, base = urlsplit(url), urlsplit(base_url)
        return (found.scheme, found.hostname, found.port) == (base.scheme, base.hostname, base.port)
    except ValueError:  # a port out of range
        return False


def report_links_in(record: Mapping[str, Any]) -> list[str]:
    """Every report link anywhere in a log record, in order, once each."""
    return list(dict.fromkeys(REPORT_LINK.findall(json.dumps(record, default=str))))


def report_link_in(log: Mapping[str, Any]) -> str | None:
    """The factory report link a log record carries, if any."""
    for name in ("resBody", "msg", "error", "url"):
        value = log.get(name)
        if value is None:
            continue
        found = REPORT_LINK.search(value if isinstance(value, str) else str(value))
        if found:
            return found.group(0)
    return None


# How the factory words its refusal of an order too big for its oven.
OVEN_FULL = "oven is full"


def _is_error(log: Mapping[str, Any]) -> bool:
    status = log.get("status")
    return log.get("level") == "error" or (isinstance(status, int) and status >= 500)


def log_evidence(base_url: str, log: Mapping[str, Any]) -> str:
    """A log search that finds this record again: by its request id, else by its second."""
    at = parse_time(log["time"])
    params = {"since": (at - timedelta(seconds=1)).isoformat(), "limit": "20"}
    if log.get("requestId"):
        params["q"] = str(log["requestId"])
    return f"{base_url}/api/ops/logs?{urlencode(params)}"


def is_refusal(log: Mapping[str, Any]) -> bool:
    """The factory's refusal by design of an order it cannot bake (the traffic's deliberate
    22-pizza order): its answer, or the service's record of it, names the full oven."""
    return OVEN_FULL in str(log.get("resBody", "")).lower()


def log_entries(logs: Iterable[Mapping[str, Any]], component: str, base_url: str) -> list[Entry]:
    """The timeline facts in one component's logs (records oldest first). The queue counts
    as drained at the first drain after it began queueing (a lone in-flight order draining
    in normal operation is not an event). A refusal by design is no symptom: neither its
    record nor the diner's 5xx of the same request are."""
    logs = list(logs)
    refused = {log.get("requestId") for log in logs if is_refusal(log)} - {None}
    entries: list[Entry] = []
    engaged = False
    for log in logs:
        if is_refusal(log) or log.get("requestId") in refused:
            continue
        entry = _log_entry(log, component, base_url)
        if entry is None or (entry.kind == "queue-drained" and not engaged):
            continue
        engaged = engaged or entry.kind == "queue-engaged"
        entries.append(entry)
    return entries


def _log_entry(log: Mapping[str, Any], component: str, base_url: str) -> Entry | None:
    kind, key, text, data = _classify(log, component)
    if kind is None:
        return None
    source = Source.RESILIENCE if log.get("type") == "resilience" else Source.LOG
    return Entry(
        at=parse_time(log["time"]),
        source=source,
        kind=kind,
        text=text,
        key=key,
        evidence=log_evidence(base_url, log),
        data=data,
    )


def _classify(
    log: Mapping[str, Any], component: str
) -> tuple[str | None, str, str, dict[str, Any]]:
    link = report_link_in(log) if _is_error(log) else None
    if link is not None:
        text = f"first error in the {component} logs carrying a report link: {link}"
        return "report-link", f"report-link:{component}", text, {"url": link}
    status = log.get("status")
    if log.get("type") == "http" and isinstance(status, int) and status >= 500:
        route = str(log.get("route") or log.get("path"))
        text = f"first {status} from {component} on {log.get('method')} {route}"
        return "first-5xx", f"5xx:{component}:{route}", text, {"route": route, "status": status}
    if log.get("type") == "resilience":
        return _resilience(log, component)
    return None, "", "", {}


def _resilience(
    log: Mapping[str, Any], component: str
) -> tuple[str | None, str, str, dict[str, Any]]:
    message = str(log.get("msg", ""))
    at = str(log.get("time"))
    if " breaker " in f" {message}" and "->" in message:
        state = message.rsplit("->", 1)[1].strip()
        text = f"{component}: {message}" + (f" ({log['why']})" if log.get("why") else "")
        return "breaker", f"breaker:{component}:{at}:{state}", text, {"state": state}
    if message == "order queued":
        text = f"{component} began queueing orders (first: order {log.get('order_id')})"
        return "queue-engaged", f"queue-engaged:{component}", text, {}
    if message == "queue drained":
        text = f"{component}: the order queue drained ({log.get('previous_depth')} waiting before)"
        return "queue-drained", f"queue-drained:{component}", text, {}
    return None, "", "", {}

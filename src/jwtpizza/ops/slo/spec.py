"""SLO files in Sloth's `prometheus/v1` format, read and checked.

Sloth's spec (https://sloth.dev) is plain YAML that names a service, its SLOs, each SLO's
objective (percent), its SLI as an error query over a total query with `{{.window}}` where
the range goes, and the page and ticket alerts. We pick it over OpenSLO because it is small,
widely used, and the rules it generates are the SRE workbook's multi-window, multi-burn-rate
alerts, which `generate.py` reproduces.

A file is refused as a whole with `SloFileInvalid` naming the file, the field and the reason:
an objective outside (0, 100), an SLI query that does not parse or reads a metric the pizza
service does not export, a key Sloth does not know, or a plugin SLI (not supported).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import promql_parser as pp
import yaml

from jwtpizza.observability.metrics import Metrics
from jwtpizza.ops.errors import SloFileInvalid
from jwtpizza.ops.promql.engine import compile_expr
from jwtpizza.ops.promql.plan import Unsupported

# deploy/slo/ in a source checkout.
DEFAULT_SLO_DIR = Path(__file__).resolve().parents[4] / "deploy" / "slo"
VERSION = "prometheus/v1"
WINDOW = "{{.window}}"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ALERT = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
FILE_KEYS = {"version", "service", "labels", "slos"}
SLO_KEYS = {"name", "objective", "description", "labels", "sli", "alerting"}
ALERTING_KEYS = {"name", "labels", "annotations", "page_alert", "ticket_alert"}
ALERT_KEYS = {"disable", "labels", "annotations"}
# Series the rules themselves write, which an SLI may read besides the exported metrics.
RULE_SERIES = {"up", "ALERTS", "ALERTS_FOR_STATE"}


@dataclass(frozen=True)
class AlertSpec:
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Slo:
    service: str
    name: str
    objective: float
    description: str
    error_query: str
    total_query: str
    labels: dict[str, str]
    alert_name: str
    alert: AlertSpec
    page: AlertSpec
    ticket: AlertSpec

    @property
    def id(self) -> str:
        return f"{self.service}-{self.name}"

    @property
    def error_budget(self) -> float:
        return round(1 - self.objective / 100, 12)


@cache
def exported_metrics() -> frozenset[str]:
    """The series names the service and factory expose (counters as `_total`, histograms
    as `_bucket`, `_count` and `_sum`)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    names = set(RULE_SERIES)
    for family in Metrics().registry.collect():
        names |= {family.name + s for s in suffixes.get(family.type, ("",))}
    return frozenset(names)


def load_dir(folder: Path) -> list[Slo]:
    return [slo for path in sorted(folder.glob("*.yml")) for slo in load_file(path)]


def load_file(path: Path) -> list[Slo]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise SloFileInvalid(f"{path}: cannot read: {error}") from error
    try:
        return list(_slos(document))
    except ValueError as error:
        raise SloFileInvalid(f"{path}: {error}") from error


def _slos(document: Any) -> Iterator[Slo]:
    _mapping(document, "(file)", FILE_KEYS)
    if document.get("version") != VERSION:
        raise ValueError(f"version: {document.get('version')!r} is not {VERSION!r}")
    service = _text(document, "service", "service")
    labels = _strings(document.get("labels"), "labels")
    slos = document.get("slos")
    if not isinstance(slos, list) or not slos:
        raise ValueError("slos: a list of at least one SLO is required")
    names = [_slo(raw, f"slos[{i}]", service, labels) for i, raw in enumerate(slos)]
    for index, slo in enumerate(names):
        if [s.name for s in names].count(slo.name) > 1:
            raise ValueError(f"slos[{index}].name: {slo.name!r} is defined more than once")
        yield slo


def _slo(raw: Any, where: str, service: str, labels: dict[str, str]) -> Slo:
    _mapping(raw, where, SLO_KEYS)
    name = _text(raw, "name", f"{where}.name")
    if not NAME.match(name):
        raise ValueError(f"{where}.name: {name!r} is not lowercase letters, digits and dashes")
    objective = raw.get("objective")
    if isinstance(objective, bool) or not isinstance(objective, int | float):
        raise ValueError(f"{where}.objective: {objective!r} is not a number")
    if not 0 < objective < 100:
        raise ValueError(f"{where}.objective: {objective:g} is not between 0 and 100 (exclusive)")
    error_query, total_query = _sli(raw.get("sli"), f"{where}.sli")
    alerting = raw.get("alerting")
    _mapping(alerting, f"{where}.alerting", ALERTING_KEYS)
    alert_name = _text(alerting, "name", f"{where}.alerting.name")
    if not ALERT.match(alert_name):
        raise ValueError(f"{where}.alerting.name: {alert_name!r} is not an alert name")
    return Slo(
        service=service,
        name=name,
        objective=float(objective),
        description=str(raw.get("description", "")),
        error_query=error_query,
        total_query=total_query,
        labels={**labels, **_strings(raw.get("labels"), f"{where}.labels")},
        alert_name=alert_name,
        alert=_alert(alerting, f"{where}.alerting"),
        page=_alert(alerting.get("page_alert") or {}, f"{where}.alerting.page_alert"),
        ticket=_alert(alerting.get("ticket_alert") or {}, f"{where}.alerting.ticket_alert"),
    )


def _sli(raw: Any, where: str) -> tuple[str, str]:
    _mapping(raw, where, {"events", "raw", "plugin"})
    if "events" not in raw:
        raise ValueError(f"{where}: only `events` SLIs (error_query and total_query) are supported")
    events = raw["events"]
    _mapping(events, f"{where}.events", {"error_query", "total_query"})
    queries = tuple(
        _query(_text(events, key, f"{where}.events.{key}"), f"{where}.events.{key}")
        for key in ("error_query", "total_query")
    )
    return queries[0], queries[1]


def _query(text: str, where: str) -> str:
    if WINDOW not in text:
        raise ValueError(f"{where}: the query has no {WINDOW} range")
    concrete = text.replace(WINDOW, "5m")
    try:
        compile_expr(concrete)
    except Unsupported as error:
        raise ValueError(f"{where}: {error}") from error
    unknown = sorted(set(_metric_names(pp.parse(concrete))) - exported_metrics())
    if unknown:
        raise ValueError(f"{where}: unknown metric(s) {unknown}: the service does not export them")
    return text


def _metric_names(node: Any) -> Iterator[str]:
    if isinstance(node, pp.VectorSelector):
        if node.name:
            yield node.name
        return
    for attribute in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        if child is not None:
            yield from _metric_names(child)
    for argument in getattr(node, "args", None) or []:
        yield from _metric_names(argument)


def _alert(raw: Any, where: str) -> AlertSpec:
    keys = ALERT_KEYS if where.endswith("_alert") else ALERTING_KEYS
    _mapping(raw, where, keys)
    if raw.get("disable"):
        raise ValueError(f"{where}.disable: every SLO pages and tickets here")
    return AlertSpec(
        labels=_strings(raw.get("labels"), f"{where}.labels"),
        annotations=_strings(raw.get("annotations"), f"{where}.annotations"),
    )


def _mapping(raw: Any, where: str, keys: set[str]) -> None:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a mapping is required")
    if unknown := set(raw) - keys:
        raise ValueError(f"{where}: unknown key(s) {sorted(map(str, unknown))}")


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: text is required")
    return value


def _strings(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
        raise ValueError(f"{where}: a mapping of names to text is required")
    return {key: str(value) for key, value in raw.items()}

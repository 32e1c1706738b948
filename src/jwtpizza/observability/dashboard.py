"""The metric names a Grafana dashboard queries, so a test can check each one really exists
in a scrape of a running component."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NOT_METRICS = re.compile(
    r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"|'[^']*'|\b(by|without|on|ignoring|group_left|group_right)"
    r"\s*\([^)]*\)"
)
_WORDS = (
    "sum rate irate increase avg min max count histogram_quantile by without on "
    "ignoring topk bottomk avg_over_time max_over_time min_over_time sum_over_time "
    "delta deriv abs clamp_min clamp_max round and or unless offset bool time vector "
    "scalar label_replace group_left group_right count_over_time last_over_time"
)
PROMQL_WORDS = frozenset(_WORDS.split())


def panel_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, PromQL expression) for every Prometheus target, rows included."""
    for panel in _panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            expr = target.get("expr")
            if isinstance(expr, str) and not _is_loki(panel, target):
                yield str(panel.get("title", "")), expr


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _is_loki(panel: dict[str, Any], target: dict[str, Any]) -> bool:
    kinds = {
        str(panel.get("datasource", {}).get("type")),
        str(target.get("datasource", {}).get("type")),
    }
    return "loki" in kinds or panel.get("type") == "logs"


def metric_names(expr: str) -> set[str]:
    """Metric names in one PromQL expression (label matchers, ranges and functions removed)."""
    stripped = _NOT_METRICS.sub(" ", expr)
    names = {m.group(0) for m in _IDENT.finditer(stripped)}
    return {n for n in names if n not in PROMQL_WORDS and not n.isdigit()}


def dashboard_metric_names(path: Path) -> dict[str, set[str]]:
    """Every scraped metric the dashboard at `path` queries, mapped to the panels that use it:
    not the series Prometheus makes itself, `ALERTS` and the recording rules' `level:metric:ops`
    (tests/unit/ops/test_grafana_dashboard.py checks those against the rules)."""
    dashboard = json.loads(path.read_text())
    found: dict[str, set[str]] = {}
    for title, expr in panel_queries(dashboard):
        for name in metric_names(expr):
            if ":" not in name and name != "ALERTS":
                found.setdefault(name, set()).add(title)
    return found


def scraped_metric_names(exposition: str) -> set[str]:
    """Sample names in a Prometheus text scrape (`_bucket`, `_total` and so on included)."""
    names = set()
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names

"""The shipped Grafana dashboard: chaos windows and incidents as annotations (queries on the
chaos and `ALERTS` series), SLO and error-budget panels reading series the SLO rules record,
and every Prometheus query parses (promql-parser, Prometheus's own grammar)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest
import yaml

from jwtpizza.observability.dashboard import metric_names, panel_queries

ROOT = Path(__file__).parents[3]
DASHBOARD = json.loads((ROOT / "deploy" / "grafana" / "jwt-pizza-dashboard.json").read_text())
SLO_RULES = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules" / "slo.yml").read_text())
GRAFANA_VARIABLE = re.compile(r"\$(__\w+|\{\w+\}|\w+)")


def concrete(expr: str) -> str:
    """The query as Grafana sends it: its variables replaced ($job in a regex, $__interval)."""
    return GRAFANA_VARIABLE.sub(lambda m: "1m" if m.group(1).startswith("__") else ".*", expr)


def annotations() -> list[dict[str, Any]]:
    return [a for a in DASHBOARD["annotations"]["list"] if "expr" in a]


def recorded() -> set[str]:
    return {r["record"] for g in SLO_RULES["groups"] for r in g["rules"] if "record" in r}


@pytest.mark.parametrize(
    "expr",
    [e for _, e in panel_queries(DASHBOARD)] + [a["expr"] for a in annotations()],
)
def test_every_query_parses(expr: str) -> None:
    pp.parse(concrete(expr))


def test_chaos_windows_and_incidents_are_annotations() -> None:
    by_series = {frozenset(metric_names(a["expr"])): a for a in annotations()}
    chaos = by_series[frozenset({"chaos_active"})]
    incidents = by_series[frozenset({"ALERTS"})]
    assert 'alertstate="firing"' in incidents["expr"] and "severity" in incidents["expr"]
    for annotation in (chaos, incidents):
        assert annotation["enable"] and annotation["datasource"]["type"] == "prometheus"
        assert "{{" in annotation["titleFormat"]  # says which fault or alert


def test_slo_and_budget_panels_read_recorded_series() -> None:
    used = {
        name for title, expr in panel_queries(DASHBOARD) if title.startswith("SLO")
        for name in metric_names(expr) if ":" in name
    }  # fmt: skip
    assert {"slo:period_error_budget_remaining:ratio", "slo:current_burn_rate:ratio"} <= used
    assert used <= recorded(), used - recorded()
    burn_alerts = [e for t, e in panel_queries(DASHBOARD) if 'scope="slo"' in e]
    assert burn_alerts and all("ALERTS" in e for e in burn_alerts)

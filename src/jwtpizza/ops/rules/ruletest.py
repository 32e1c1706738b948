"""Run promtool's rule unit-test files (`promtool test rules`) through our own evaluator.

The same file proves a rule to both: `input_series` in promtool's expanding notation
(`0+10x5`, `1x3`, `_`, `_x2`, `stale`), `alert_rule_test` with `exp_alerts` (firing alerts,
labels without `alertname`, annotations), and `promql_expr_test` with `exp_samples`. Groups
are evaluated on a virtual clock at every `evaluation_interval` from 0 up to the last
`eval_time` of either kind, as promtool does, so expressions can read recorded series.
`run_file` returns the failures as readable lines (none means the file passes).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import promql_parser as pp
import yaml

from jwtpizza.ops.alerts.events import AlertBus, AlertState
from jwtpizza.ops.monitor.store import STALE_NAN, SampleStore, labels_of
from jwtpizza.ops.promql.engine import compile_expr
from jwtpizza.ops.promql.values import NAME, Labels
from jwtpizza.ops.rules.loader import duration_seconds, load_files
from jwtpizza.ops.rules.service import RuleManager

MISSING = None
Value = float | None


class TestFileInvalid(ValueError):
    """The test file itself is malformed."""


def series_labels(text: str) -> Labels:
    """`name{a="b"}` (or `{__name__="x", a="b"}`) as a label set."""
    node = pp.parse(text)
    if not isinstance(node, pp.VectorSelector):
        raise TestFileInvalid(f"series {text!r} is not a metric name with labels")
    labels = {m.name: m.value for m in node.matchers.matchers}
    if node.name:
        labels[NAME] = node.name
    return labels_of(labels)


def _number(text: str) -> float:
    if text == "stale":
        return STALE_NAN
    return float(text)


def expand_values(text: str) -> list[Value]:
    """promtool's value notation: `1 2 _ stale`, `a+bxn`, `a-bxn`, `axn`, `_xn`."""
    out: list[Value] = []
    for item in str(text).split():
        if item == "_":
            out.append(MISSING)
        elif "x" in item and not item.lower().startswith(("inf", "+inf", "-inf", "nan")):
            out.extend(_expand(item))
        else:
            out.append(_number(item))
    return out


def _expand(item: str) -> list[Value]:
    head, _, count_text = item.rpartition("x")
    count = int(count_text)
    if head == "_":
        return [MISSING] * count
    for sign in ("+", "-"):
        start_text, found, step_text = head[1:].partition(sign)
        if found:
            start = float(head[0] + start_text)
            step = float(step_text) * (1 if sign == "+" else -1)
            return [start + step * i for i in range(count + 1)]
    return [float(head)] * (count + 1)


@dataclass
class TestGroup:
    """One entry of `tests:`."""

    interval_ms: int
    series: list[tuple[Labels, list[Value]]]
    alert_tests: list[dict[str, Any]]
    expr_tests: list[dict[str, Any]]
    name: str = ""


@dataclass
class TestRun:
    failures: list[str] = field(default_factory=list)


def _ms(text: Any, what: str) -> int:
    try:
        return int(duration_seconds(text, what) * 1000)
    except ValueError as error:
        raise TestFileInvalid(str(error)) from error


def parse_test_groups(document: dict[str, Any]) -> Iterator[TestGroup]:
    for index, raw in enumerate(document.get("tests") or []):
        yield TestGroup(
            interval_ms=_ms(raw.get("interval", "1m"), "interval"),
            series=[
                (series_labels(s["series"]), expand_values(s["values"]))
                for s in raw.get("input_series") or []
            ],
            alert_tests=list(raw.get("alert_rule_test") or []),
            expr_tests=list(raw.get("promql_expr_test") or []),
            name=str(raw.get("name", f"test #{index + 1}")),
        )


def store_for(group: TestGroup) -> SampleStore:
    store = SampleStore(retention_ms=10**15, max_samples_per_series=10**9)
    for labels, values in group.series:
        for i, value in enumerate(values):
            if value is not MISSING:
                store.add(labels, i * group.interval_ms, value)
    return store


def run_file(path: str | Path) -> list[str]:
    """Every failure in the test file, as `name: what was expected, what we got` lines."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise TestFileInvalid(f"{path}: {error}") from error
    rule_files = [str(path.parent / f) for f in document.get("rule_files") or []]
    specs = load_files(rule_files)
    eval_ms = _ms(document.get("evaluation_interval", "1m"), "evaluation_interval")
    failures: list[str] = []
    for group in parse_test_groups(document):
        failures += _run_group(group, specs, eval_ms)
    return failures


def _run_group(group: TestGroup, specs: Any, eval_ms: int) -> list[str]:
    store = store_for(group)
    rules = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=eval_ms / 1000)
    rules.install(specs)
    checks: dict[int, list[dict[str, Any]]] = {}
    for test in group.alert_tests:
        checks.setdefault(_ms(test["eval_time"], "eval_time"), []).append(test)
    failures = []
    expr_times = [_ms(test["eval_time"], "eval_time") for test in group.expr_tests]
    last = max([*checks, *expr_times], default=0)
    ts = 0
    while ts <= last:
        for rule_group in rules.groups:
            rules.step(rule_group, ts)
        for test in checks.get(ts, []):
            failures += _check_alerts(group.name, rules, test, ts)
        ts += eval_ms
    for test in group.expr_tests:
        failures += _check_expr(group.name, store, test)
    return failures


def _check_alerts(name: str, rules: RuleManager, test: dict[str, Any], ts: int) -> list[str]:
    alertname = test["alertname"]
    got = sorted(
        (sorted(dict(alert.labels).items()), sorted(alert.annotations.items()))
        for rule, alert in rules.alerts()
        if rule.spec.name == alertname and alert.state is AlertState.FIRING
    )
    expected = sorted(
        (
            sorted({**(e.get("exp_labels") or {}), "alertname": alertname}.items()),
            sorted((e.get("exp_annotations") or {}).items()),
        )
        for e in test.get("exp_alerts") or []
    )
    expected = [([(k, str(v)) for k, v in lb], [(k, str(v)) for k, v in an]) for lb, an in expected]
    if got == expected:
        return []
    return [f"{name}: alertname {alertname}, time {ts / 1000:g}s:\n  exp: {expected}\n  got: {got}"]


def _check_expr(name: str, store: SampleStore, test: dict[str, Any]) -> list[str]:
    expr, ts = test["expr"], _ms(test["eval_time"], "eval_time")
    got = sorted((s.labels, s.value) for s in compile_expr(expr).vector(store, ts))
    expected = sorted(
        (series_labels(e["labels"]) if e.get("labels") else (), float(e["value"]))
        for e in test.get("exp_samples") or []
    )
    if len(got) == len(expected) and all(
        g[0] == e[0] and _same(g[1], e[1]) for g, e in zip(got, expected, strict=True)
    ):
        return []
    return [f"{name}: expr {expr!r}, time {ts / 1000:g}s:\n  exp: {expected}\n  got: {got}"]


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)

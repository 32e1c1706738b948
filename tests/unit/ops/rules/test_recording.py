"""Recording rules in our evaluator: loading, refusing bad ones, and the promtool test file
that `promtool test rules` also passes (tests/e2e/test_promtool_fidelity.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.errors import RuleFileInvalid
from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.rules.loader import RecordRuleSpec, load_text
from jwtpizza.ops.rules.ruletest import run_file
from jwtpizza.ops.rules.service import RuleManager

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "promtool"


def test_the_recording_rule_test_file_passes() -> None:
    assert run_file(FIXTURES / "recording_test.yml") == []


def test_a_recording_rule_loads_with_static_labels() -> None:
    [group] = load_text(
        "groups: [{name: g, rules: [{record: 'job:x:sum', expr: sum(x), labels: {a: b}}]}]",
        source="r.yml",
    )
    [rule] = group.rules
    assert isinstance(rule, RecordRuleSpec)
    assert (rule.name, dict(rule.labels), group.alerting) == ("job:x:sum", {"a": "b"}, ())


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("{record: 'bad name', expr: x}", "not a valid metric name"),
        ("{record: r, expr: x, for: 1m}", "unknown key(s) ['for']"),
        ("{record: r, alert: A, expr: x}", "`record` or `alert`, not both"),
        ("{record: r}", "`expr` is required"),
        ("{record: r, expr: x, labels: {__name__: y}}", "not a label name a rule can set"),
    ],
)
def test_a_bad_recording_rule_is_refused_with_the_reason(rule: str, reason: str) -> None:
    with pytest.raises(RuleFileInvalid, match=r"r\.yml: group 'g'") as error:
        load_text(f"groups: [{{name: g, rules: [{rule}]}}]", source="r.yml")
    assert reason in str(error.value)


def test_a_duplicate_series_fails_the_rule_and_writes_nothing() -> None:
    store = SampleStore(retention_ms=10**9, max_samples_per_series=100)
    store.add((("__name__", "x"), ("i", "1")), 0, 1.0)
    store.add((("__name__", "x"), ("i", "2")), 0, 2.0)
    rules = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=60)
    rules.install(
        load_text(
            "groups: [{name: g, rules: [{record: r, expr: x, labels: {i: ''}}]}]", source="r.yml"
        )
    )
    rules.step(rules.groups[0], 0)
    assert "same labelset" in (rules.groups[0].rules[0].last_error or "")
    assert list(store.select("r")) == []

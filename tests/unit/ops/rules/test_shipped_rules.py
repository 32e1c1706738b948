"""The shipped rule files load in our evaluator, and our evaluator passes the same promtool
unit-test files that `promtool test rules` passes (tests/e2e/test_promtool_fidelity.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jwtpizza.ops.rules.loader import load_files
from jwtpizza.ops.rules.ruletest import run_file

DEPLOY = Path(__file__).resolve().parents[4] / "deploy" / "prometheus"
RULE_FILES = sorted((DEPLOY / "rules").glob("*.yml"))
TEST_FILES = sorted((DEPLOY / "tests").glob("*.yml"))


def test_every_shipped_rule_loads_and_has_a_severity_and_a_runbook() -> None:
    groups = load_files([str(path) for path in RULE_FILES])
    rules = [rule for group in groups for rule in group.alerting]
    assert len(rules) >= 15
    for rule in rules:
        severities = ("critical", "high", "moderate", "low")
        if rule.name == "Watchdog":  # the dead man's switch is no problem of any severity
            severities = ("none",)
        assert rule.labels["severity"].source in severities
        runbook = rule.annotations["runbook_url"].source
        assert runbook == f"docs/runbooks/{rule.name}.md"
        assert (DEPLOY.parents[1] / runbook).is_file(), f"{runbook} is missing"


def test_every_shipped_rule_has_a_firing_unit_test() -> None:
    tested = {
        line.split("alertname:")[1].strip().rstrip("}")
        for path in TEST_FILES
        for line in path.read_text().splitlines()
        if "alertname:" in line and "eval_time" not in line
    }
    names = {r.name for g in load_files([str(p) for p in RULE_FILES]) for r in g.alerting}
    assert names <= tested, f"rules without an exp_alerts test: {sorted(names - tested)}"


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_our_evaluator_passes_the_promtool_test_file(path: Path) -> None:
    assert run_file(path) == []

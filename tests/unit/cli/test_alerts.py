"""`jwtpizza alerts check|test`: offline rule checks through our evaluator."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jwtpizza.cli.main import app

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "prometheus"


def test_check_and_test_pass_on_the_shipped_files() -> None:
    runner = CliRunner()
    rules = [str(p) for p in sorted((DEPLOY / "rules").glob("*.yml"))]
    result = runner.invoke(app, ["alerts", "check", *rules])
    assert result.exit_code == 0, result.output
    assert "rules OK" in result.output
    tests = [str(p) for p in sorted((DEPLOY / "tests").glob("*.yml"))]
    result = runner.invoke(app, ["alerts", "test", *tests])
    assert result.exit_code == 0, result.output
    assert result.output.count("SUCCESS") == len(tests)


def test_a_rule_outside_the_subset_is_one_line_naming_rule_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("groups: [{name: g, rules: [{alert: Top, expr: 'topk(1, up)'}]}]")
    result = CliRunner().invoke(app, ["alerts", "check", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {bad}: group 'g', rule 'Top': expr aggregation topk is not in the evaluated subset"
    ]


def test_a_failing_rule_test_exits_1_with_what_differs(tmp_path: Path) -> None:
    (tmp_path / "r.yml").write_text(
        "groups: [{name: g, rules: [{alert: Up, expr: 'up == 1', labels: {severity: low}}]}]"
    )
    (tmp_path / "t.yml").write_text(
        """rule_files: [r.yml]
tests:
  - input_series: [{series: 'up{job="a"}', values: '1x3'}]
    alert_rule_test: [{eval_time: 1m, alertname: Up}]
"""
    )
    result = CliRunner().invoke(app, ["alerts", "test", str(tmp_path / "t.yml")])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "alertname Up, time 60s" in result.output

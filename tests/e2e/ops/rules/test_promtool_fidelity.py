"""Our PromQL evaluator and alert state machine against the real thing: Debian's promtool.

- The shipped rule files pass `promtool check rules`, and their unit tests pass
  `promtool test rules` (our evaluator passes the same files: tests/unit/ops).
- Property tests: hypothesis draws random series (counters with resets, gaps, stale
  markers) and random expressions from the evaluated subset; our result is written as the
  expected samples of a `promql_expr_test` and promtool must agree. Alert rules with random
  `for` and `keep_firing_for` are compared the same way through `alert_rule_test`.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtpizza.ops.alerts.events import AlertBus, AlertState
from jwtpizza.ops.promql.engine import compile_expr
from jwtpizza.ops.rules.loader import load_text
from jwtpizza.ops.rules.ruletest import parse_test_groups, store_for
from jwtpizza.ops.rules.service import RuleManager

DEPLOY = Path(__file__).resolve().parents[4] / "deploy" / "prometheus"
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is not installed (Debian package prometheus)"
    return path


def run_promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], capture_output=True, text=True, timeout=60, cwd=cwd, check=False
    )


def test_shipped_rules_pass_promtool_check() -> None:
    result = run_promtool("check", "rules", *map(str, sorted((DEPLOY / "rules").glob("*.yml"))))
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_rule_tests_pass_promtool_test() -> None:
    tests = sorted((DEPLOY / "tests").glob("*.yml"))
    result = run_promtool("test", "rules", *map(str, tests))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(tests)


def test_recording_rule_fixture_passes_promtool_test() -> None:
    fixtures = Path(__file__).resolve().parents[3] / "fixtures" / "promtool"
    result = run_promtool("test", "rules", "recording_test.yml", cwd=fixtures)
    assert result.returncode == 0, result.stdout + result.stderr


# random series ----------------------------------------------------------------------------

LABEL_SETS = [{"job": "x", "inst": "1"}, {"job": "x", "inst": "2"}, {"job": "y", "inst": "1"}]
STEPS = 16  # samples one minute apart, 0m..15m


def _counter_values(draw: Any) -> list[str]:
    value, out = draw(st.integers(0, 20)), []
    for _ in range(STEPS):
        kind = draw(st.sampled_from(["inc", "inc", "inc", "same", "reset", "gap", "stale"]))
        if kind == "inc":
            value += draw(st.integers(1, 30))
        elif kind == "reset":
            value = draw(st.integers(0, 5))
        if kind == "gap":
            out.append("_")
        elif kind == "stale":
            out.append("stale")
        else:
            out.append(str(value))
    return out


@st.composite
def input_series(draw: Any) -> list[dict[str, str]]:
    series = []
    for name in ("a", "b"):
        for labels in draw(
            st.lists(st.sampled_from(LABEL_SETS), min_size=1, max_size=3, unique_by=str)
        ):
            text = ", ".join(f'{k}="{v}"' for k, v in labels.items())
            series.append(
                {"series": f"{name}{{{text}}}", "values": " ".join(_counter_values(draw))}
            )
    for le in ("0.1", "1", "+Inf"):
        base = 0 if le == "0.1" else 5
        values = " ".join(str(base * i + draw(st.integers(0, 3)) * i) for i in range(STEPS))
        series.append({"series": f'h_bucket{{job="x", le="{le}"}}', "values": values})
    return series


# random expressions from the subset -------------------------------------------------------

SELECTORS = ["a", 'a{job="x"}', 'b{job!="x"}', 'a{inst=~"1|2"}', 'b{inst!~"2"}', "b"]
RANGE_FUNCTIONS = [
    "rate",
    "irate",
    "increase",
    "delta",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "last_over_time",
    "stddev_over_time",
]


def vectors(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.sampled_from(SELECTORS),
        st.builds(
            lambda f, s, r: f"{f}({s}[{r}])",
            st.sampled_from(RANGE_FUNCTIONS),
            st.sampled_from(SELECTORS),
            st.sampled_from(["1m", "2m", "5m"]),
        ),
    )
    if depth == 0:
        return leaf
    inner = vectors(depth - 1)
    return st.one_of(
        leaf,
        st.builds(
            lambda op, mod, e: f"{op}{mod}({e})",
            st.sampled_from(["sum", "avg", "min", "max", "count"]),
            st.sampled_from(["", " by (job)", " without (inst)", " by (job, inst)"]),
            inner,
        ),
        st.builds(
            lambda e, op, b, n: f"{e} {op}{b} {n}",
            inner,
            st.sampled_from(["+", "-", "*", "/", ">", "<", ">=", "==", "!="]),
            st.sampled_from(["", " bool"]),
            st.sampled_from(["0", "1", "2.5", "10"]),
        ),
        st.builds(
            lambda x, op, y: f"sum by (job) ({x}) {op} sum by (job) ({y})",
            inner,
            st.sampled_from(["+", "/", ">", "< bool"]),
            inner,
        ),
        st.builds(
            lambda x, op, m, y: f"({x}) {op}{m} ({y})",
            inner,
            st.sampled_from(["and", "or", "unless"]),
            st.sampled_from(["", " on (job)", " ignoring (inst)"]),
            inner,
        ),
        st.builds(
            lambda q, r: f"histogram_quantile({q}, sum by (le) (rate(h_bucket[{r}])))",
            st.sampled_from(["0.5", "0.9", "0.99"]),
            st.sampled_from(["2m", "5m"]),
        ),
        st.builds(lambda s: f"absent({s})", st.sampled_from([*SELECTORS, 'a{job="z"}'])),
        st.builds(lambda e: f"-({e})", inner),
    )


def _yaml_float(value: float) -> Any:
    if math.isnan(value):
        return ".nan"
    return value


def _label_text(labels: tuple[tuple[str, str], ...]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels) + "}"


def _got_samples(output: str) -> dict[str, float]:
    """promtool's `got:` line: `{labels} value, {labels} value`."""
    match = re.search(r"got: (.*)", output)
    assert match, output
    return {
        labels: float(value)
        for labels, value in re.findall(r"(\{[^}]*\}) (\S+?)(?:,|$)", match.group(1))
    }


def _normalised(labels: str) -> str:
    pairs = re.findall(r'(\w+)="([^"]*)"', labels)
    return _label_text(tuple(sorted(pairs)))


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@PROPERTY
@given(series=input_series(), expr=vectors(2), minute=st.integers(1, STEPS))
def test_expressions_agree_with_promtool(
    series: list[dict[str, str]], expr: str, minute: int, tmp_path_factory: Any
) -> None:
    document = {"tests": [{"interval": "1m", "input_series": series}]}
    [group] = list(parse_test_groups(document))
    ours = compile_expr(expr).vector(store_for(group), minute * 60_000)
    expected = [{"labels": _label_text(s.labels), "value": _yaml_float(s.value)} for s in ours]
    document["tests"][0]["promql_expr_test"] = [
        {"expr": expr, "eval_time": f"{minute}m", "exp_samples": expected}
    ]
    path = tmp_path_factory.mktemp("prop") / "expr_test.yml"
    path.write_text(yaml.safe_dump(document))
    result = run_promtool("test", "rules", str(path))
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    assert "got:" in output, f"{expr} at {minute}m: promtool failed otherwise:\n{output}"
    theirs = {_normalised(k): v for k, v in _got_samples(output).items()}
    mine = {_label_text(s.labels): s.value for s in ours}
    assert theirs.keys() == mine.keys(), f"{expr} at {minute}m:\n{output}"
    for labels, value in mine.items():
        assert _close(value, theirs[labels]), f"{expr} at {minute}m {labels}: {value}\n{output}"


@PROPERTY
@given(
    series=input_series(),
    expr=st.sampled_from(
        ["sum by (job) (rate(a[2m])) > 0.3", "a > 40", "increase(b[1m]) > 5", 'absent(a{job="y"})']
    ),
    hold=st.sampled_from(["0s", "1m", "2m"]),
    keep=st.sampled_from(["0s", "1m", "3m"]),
)
def test_alert_states_agree_with_promtool(
    series: list[dict[str, str]], expr: str, hold: str, keep: str, tmp_path_factory: Any
) -> None:
    rules_text = yaml.safe_dump(
        {
            "groups": [
                {
                    "name": "prop",
                    "rules": [
                        {
                            "alert": "Prop",
                            "expr": expr,
                            "for": hold,
                            "keep_firing_for": keep,
                            "labels": {"severity": "low"},
                            "annotations": {"v": "{{ $value }} {{ $labels.job }}"},
                        }
                    ],
                }
            ]
        }
    )
    document: dict[str, Any] = {"tests": [{"interval": "1m", "input_series": series}]}
    [group] = list(parse_test_groups(document))
    store = store_for(group)
    manager = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=60)
    manager.install(load_text(rules_text, source="prop.yml"))
    checks = []
    for minute in range(STEPS + 3):
        manager.step(manager.groups[0], minute * 60_000)
        firing = [
            {
                "exp_labels": {k: v for k, v in alert.labels if k != "alertname"},
                "exp_annotations": dict(alert.annotations),
            }
            for _rule, alert in manager.alerts()
            if alert.state is AlertState.FIRING
        ]
        checks.append({"eval_time": f"{minute}m", "alertname": "Prop", "exp_alerts": firing})
    folder = tmp_path_factory.mktemp("alert")
    (folder / "rules.yml").write_text(rules_text)
    document["rule_files"] = ["rules.yml"]
    document["evaluation_interval"] = "1m"
    document["tests"][0]["alert_rule_test"] = checks
    (folder / "test.yml").write_text(yaml.safe_dump(document))
    result = run_promtool("test", "rules", "test.yml", cwd=folder)
    assert result.returncode == 0, f"{expr} for {hold} keep {keep}:\n{result.stdout}"


FORMAT_RULES = """
groups:
  - name: formats
    rules:
      - alert: Formats
        expr: v > -1e30
        labels: {value: "{{ $value }}"}
        annotations:
          plain: "{{ $value }} on {{ $labels.i }}"
          human: "{{ $value | humanize }}"
          pct: "{{ humanizePercentage $value }}"
          fixed: '{{ printf "%.2f" $value }}'
"""
FORMAT_VALUES = [
    "1000000", "123456", "1234567", "0.0001", "0.00001", "1e21", "12", "-2.5", "0.05",
    "1234", "0", "0.16666666666666669", "-0.000123", "999.95", "1e-9",
]  # fmt: skip


def test_value_formatting_in_templates_agrees_with_promtool(tmp_path: Path) -> None:
    """`{{ $value }}` as Go prints a float, humanize, humanizePercentage and printf."""
    series = [{"series": f'v{{i="{i}"}}', "values": v} for i, v in enumerate(FORMAT_VALUES)]
    document: dict[str, Any] = {"tests": [{"interval": "1m", "input_series": series}]}
    [group] = list(parse_test_groups(document))
    manager = RuleManager(store=store_for(group), bus=AlertBus(), default_interval_seconds=60)
    manager.install(load_text(FORMAT_RULES, source="formats.yml"))
    manager.step(manager.groups[0], 0)
    firing = [
        {
            "exp_labels": {k: v for k, v in alert.labels if k != "alertname"},
            "exp_annotations": dict(alert.annotations),
        }
        for _rule, alert in manager.alerts()
    ]
    assert len(firing) == len(FORMAT_VALUES)
    (tmp_path / "rules.yml").write_text(FORMAT_RULES)
    document["rule_files"] = ["rules.yml"]
    document["tests"][0]["alert_rule_test"] = [
        {"eval_time": "0m", "alertname": "Formats", "exp_alerts": firing}
    ]
    (tmp_path / "test.yml").write_text(yaml.safe_dump(document))
    result = run_promtool("test", "rules", "test.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


@PROPERTY
@given(
    series=input_series(),
    first=vectors(1),
    second=st.sampled_from(
        ["sum without (inst) (r1)", "r1 * 2", "r1 > 1", "max by (job) (r1) - 1", "absent(r1)"]
    ),
    minutes=st.lists(st.integers(1, STEPS), min_size=1, max_size=3, unique=True),
)
def test_recording_rules_agree_with_promtool(
    series: list[dict[str, str]], first: str, second: str, minutes: list[int], tmp_path_factory: Any
) -> None:
    """Two recording rules and an alert in one group: the second rule and the alert read what
    the rules before them recorded at the same evaluation; vanished series go stale."""
    rules_text = yaml.safe_dump(
        {
            "groups": [
                {
                    "name": "rec",
                    "rules": [
                        {"record": "r1", "expr": first, "labels": {"rec": "one"}},
                        {"record": "r2", "expr": second},
                        {"alert": "Rec", "expr": "r2 > 0", "labels": {"severity": "low"}},
                    ],
                }
            ]
        }
    )
    document: dict[str, Any] = {"tests": [{"interval": "1m", "input_series": series}]}
    [group] = list(parse_test_groups(document))
    store = store_for(group)
    manager = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=60)
    manager.install(load_text(rules_text, source="rec.yml"))
    alerts = []
    for minute in range(max(minutes) + 1):
        manager.step(manager.groups[0], minute * 60_000)
        firing = [
            {"exp_labels": {k: v for k, v in alert.labels if k != "alertname"}}
            for _rule, alert in manager.alerts()
            if alert.state is AlertState.FIRING
        ]
        alerts.append({"eval_time": f"{minute}m", "alertname": "Rec", "exp_alerts": firing})
    exprs = [
        {
            "expr": name,
            "eval_time": f"{minute}m",
            "exp_samples": [
                {"labels": _label_text(s.labels), "value": _yaml_float(s.value)}
                for s in compile_expr(name).vector(store, minute * 60_000)
            ],
        }
        for name in ("r1", "r2")
        for minute in minutes
    ]
    folder = tmp_path_factory.mktemp("rec")
    (folder / "rules.yml").write_text(rules_text)
    document |= {"rule_files": ["rules.yml"], "evaluation_interval": "1m"}
    document["tests"][0] |= {"alert_rule_test": alerts, "promql_expr_test": exprs}
    (folder / "test.yml").write_text(yaml.safe_dump(document))
    result = run_promtool("test", "rules", "test.yml", cwd=folder)
    assert result.returncode == 0, f"r1 = {first}; r2 = {second}:\n{result.stdout}"

"""Our routing tree against Alertmanager's own: random trees (all four matcher operators,
`continue`, nesting) and random label sets, routed by us and by Debian's `amtool config
routes test` on the same YAML. The receivers, in order, must agree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtpizza.ops.notify.config import parse_config

pytestmark = pytest.mark.slow

VALUES = {
    "severity": ["critical", "high", "moderate", "low"],
    "component": ["service", "factory", "ops"],
    "job": ["jwt-pizza-service", "jwt-pizza-factory"],
}
PATTERNS = ["critical|high", "fact", "fact.*", ".*service", "serv|ops", "s.+", "[a-m].*", ""]

names = st.sampled_from(sorted(VALUES))


@st.composite
def matcher(draw: st.DrawFn) -> str:
    name = draw(names)
    op = draw(st.sampled_from(["=", "!=", "=~", "!~"]))
    if op in ("=~", "!~"):
        value = draw(st.sampled_from(PATTERNS))
    else:
        value = draw(st.sampled_from([*VALUES[name], ""]))
    return f'{name}{op}"{value}"'


@st.composite
def route(draw: st.DrawFn, depth: int, receivers: list[str]) -> dict[str, Any]:
    node: dict[str, Any] = {"matchers": draw(st.lists(matcher(), min_size=1, max_size=2))}
    if draw(st.booleans()):
        node["receiver"] = draw(st.sampled_from(receivers))
    if draw(st.booleans()):
        node["continue"] = True
    if depth > 0:
        children = draw(st.lists(route(depth - 1, receivers), max_size=3))
        if children:
            node["routes"] = children
    return node


@st.composite
def config(draw: st.DrawFn) -> dict[str, Any]:
    receivers = ["root", "a", "b", "c", "d"]
    return {
        "route": {
            "receiver": "root",
            "routes": draw(st.lists(route(2, receivers), min_size=1, max_size=4)),
        },
        "receivers": [{"name": r} for r in receivers],
    }


labels = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(values) for name, values in VALUES.items()}
)


def amtool_routes(path: Path, alert: dict[str, str]) -> list[str]:
    amtool = shutil.which("amtool")
    assert amtool, "amtool is not installed (Debian package prometheus-alertmanager)"
    args = [amtool, "config", "routes", "test", f"--config.file={path}"]
    args += [f"{k}={v}" for k, v in sorted(alert.items())]
    done = subprocess.run(args, capture_output=True, text=True, check=True, timeout=20)
    return done.stdout.strip().split(",")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=config(), alerts=st.lists(labels, min_size=1, max_size=4))
def test_routes_agree_with_alertmanager(
    tree: dict[str, Any], alerts: list[dict[str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(tree))
    ours = parse_config(tree).route
    for alert in alerts:
        assert [r.receiver for r in ours.match(alert)] == amtool_routes(path, alert), alert

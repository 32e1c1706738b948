"""Unknown `JWTPIZZA_*` variables are named at start-up, with the closest known name, instead
of being dropped without a word (pydantic-settings ignores what it does not know)."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

from jwtpizza.cli.variables import known_variables, unknown_variables, warn_unknown_variables
from tests.support.processes import JWTPIZZA

ROOT = Path(__file__).parents[3]
# Where the project's code, scripts and docs name variables (full names, not prefixes).
MENTIONS = ("src", "tests", "scripts", "bench", "deploy", "docs", ".ci", "README.md")
# They show misspelt names on purpose.
SHOW_MISSPELLINGS = ("variables.py", "test_variables.py")


def test_a_misspelt_setting_is_named_with_the_closest_known_name() -> None:
    lines = unknown_variables({"JWTPIZZA_FACTORY_ORDER_DELAY": "3", "PATH": "/bin"})
    assert lines == [
        "warning: JWTPIZZA_FACTORY_ORDER_DELAY is not a JWTPIZZA setting and is ignored "
        "(did you mean JWTPIZZA_FACTORY_ORDER_DELAY_SECONDS?)"
    ]


def test_a_name_close_to_nothing_gets_no_guess() -> None:
    assert unknown_variables({"JWTPIZZA_ZZZ": "1"}) == [
        "warning: JWTPIZZA_ZZZ is not a JWTPIZZA setting and is ignored"
    ]


def test_known_variables_of_every_prefix_and_other_variables_pass_in_any_case() -> None:
    environ = {
        "JWTPIZZA_JWT_SECRET": "s", "jwtpizza_demo": "true",
        "JWTPIZZA_RESILIENCE_MAX_ATTEMPTS": "2",
        "JWTPIZZA_OPS_INCIDENTS_AUTOPILOT": "1", "JWTPIZZA_OPS_PROBE_EMAIL": "d@jwt.com",
        "JWTPIZZA_OPS_ACK_SECRET": "x", "JWTPIZZA_OPS_NOTIFY_CONFIG": "n.yml",
        "JWTPIZZA_OBS_LOG_STDOUT": "1", "JWTPIZZA_DATA_DIR": "/d", "JWTPIZZA_TOKEN": "t",
    }  # fmt: skip
    assert unknown_variables(environ) == []


def test_a_nested_settings_class_is_no_variable_of_its_own() -> None:
    # ServiceSettings.resilience reads JWTPIZZA_RESILIENCE_*, not JWTPIZZA_RESILIENCE.
    assert "JWTPIZZA_RESILIENCE" not in known_variables()
    assert "JWTPIZZA_RESILIENCE_BREAKER_ENABLED" in known_variables()


def test_every_variable_the_project_names_is_known() -> None:
    named: set[str] = set()
    for entry in MENTIONS:
        path = ROOT / entry
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if file.name in SHOW_MISSPELLINGS or "__pycache__" in file.parts:
                continue
            text = file.read_text("utf-8", errors="ignore")
            named.update(re.findall(r"\bJWTPIZZA_[A-Z0-9_]*[A-Z0-9]\b", text))
    assert sorted(named - known_variables()) == []


def test_warnings_go_to_the_stream_given() -> None:
    out = io.StringIO()
    warn_unknown_variables({"JWTPIZZA_OPS_PORTT": "1"}, out)
    assert "did you mean JWTPIZZA_OPS_PORT?" in out.getvalue()


def test_a_command_that_starts_a_component_warns_before_it_runs(tmp_path: Path) -> None:
    env = {**os.environ, "JWTPIZZA_DATA_DIR": str(tmp_path), "JWTPIZZA_FACTORY_DEMOO": "1"}
    run = subprocess.run(
        [JWTPIZZA, "factory", "rotate-key"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "JWTPIZZA_FACTORY_DEMOO is not a JWTPIZZA setting" in run.stderr
    assert "did you mean JWTPIZZA_FACTORY_DEMO?" in run.stderr
    # Its help does not pay for importing every settings class, nor warns.
    help_run = subprocess.run(
        [JWTPIZZA, "factory", "--help"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert help_run.returncode == 0 and "JWTPIZZA_FACTORY_DEMOO" not in help_run.stderr

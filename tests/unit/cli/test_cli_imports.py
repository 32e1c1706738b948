"""The CLI imports only what a command needs: help and light commands load no web framework,
ORM or migration tool. Checked on the modules a fresh interpreter has loaded, not on time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jwtpizza.cli.main import COMMANDS, load_command

HEAVY = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "jwtpizza.db")
# Groups whose own help and light subcommands need none of HEAVY (the others run servers or
# open a database in every subcommand).
LIGHT_GROUPS = ["alert", "alerts", "incident", "silence", "oncall", "logs", "db", "admin",
                "chaos", "class", "factory", "scenario", "traffic", "up", "ops",
                "service"]  # fmt: skip

PROBE = """
import contextlib, io, json, sys
from jwtpizza.cli.main import app
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    app(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported after `jwtpizza ARGS`."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_top_level_help_imports_no_command_module() -> None:
    modules = loaded_after("--help")
    assert heavy_in(modules) == []
    assert not [m for m in modules if m.startswith("jwtpizza.cli.") and m not in
                ("jwtpizza.cli.main", "jwtpizza.cli.errors")]  # fmt: skip


@pytest.mark.parametrize("group", LIGHT_GROUPS)
def test_a_group_help_imports_no_framework_orm_or_migrations(group: str) -> None:
    assert heavy_in(loaded_after(group, "--help")) == []


def test_a_light_command_imports_no_framework_orm_or_migrations() -> None:
    rules = Path(__file__).parents[3] / "deploy/prometheus/rules/service.yml"
    modules = loaded_after("alerts", "check", str(rules))
    assert "jwtpizza.ops.rules.loader" in modules  # it did check the file
    assert heavy_in(modules) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_summary_is_the_commands_own_help(name: str) -> None:
    command = load_command(name)
    assert command.get_short_help_str(limit=500) == COMMANDS[name][1]

"""The CLI imports only what a command needs: help and light commands load no web framework,
ORM or migration tool. Checked on the modules a fresh interpreter has loaded, not on time."""

from __future__ import annotations

import json
import os
import socket
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


def loaded_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter has imported after `jwtpizza ARGS`."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


# Commands that only talk HTTP (or read files): they run, against a port where nothing
# listens, and must not have loaded a server stack, the ORM, or httpx's own command-line
# client (click, pygments), which together cost seconds of CPU per command under load.
HTTP_ONLY = [
    ["logs", "--factory", "--token", "t0k"],
    ["logs", "--token", "t0k"],
    ["incident", "list", "--token", "t0k"],
    ["alerts", "list", "--token", "t0k"],
    ["alert", "ack", "1", "--token", "t0k"],
    ["oncall", "--token", "t0k"],
    ["silence", "list", "--token", "t0k"],
    ["scenario", "list"],
]
SERVER_STACKS = ("jwtpizza.service.app", "jwtpizza.factory.app", "jwtpizza.ops.app",
                 "jwtpizza.scenarios.runner", "click", "pygments")  # fmt: skip


@pytest.mark.parametrize("args", HTTP_ONLY, ids=" ".join)
def test_a_command_that_only_talks_http_loads_no_server_stack(
    args: list[str], tmp_path: Path
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    urls = {"service": nowhere, "factory": nowhere, "ops": nowhere}
    (tmp_path / "endpoints.json").write_text(json.dumps(urls))
    modules = loaded_after(*args, env={"JWTPIZZA_DATA_DIR": str(tmp_path)})
    assert heavy_in(modules) == []
    assert not [m for m in SERVER_STACKS if m in modules]


def test_a_light_command_imports_no_framework_orm_or_migrations() -> None:
    rules = Path(__file__).parents[3] / "deploy/prometheus/rules/service.yml"
    modules = loaded_after("alerts", "check", str(rules))
    assert "jwtpizza.ops.rules.loader" in modules  # it did check the file
    assert heavy_in(modules) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_summary_is_the_commands_own_help(name: str) -> None:
    command = load_command(name)
    assert command.get_short_help_str(limit=500) == COMMANDS[name][1]

"""`jwtpizza incident ...` against a running ops app (on a loopback port)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.ops.app import create_app
from tests.support.live import free_port, serving

from ..ops_kit import ADMIN_TOKEN, ops_settings
from .kit import FACTORY, IncidentWorld, incident_settings


@pytest.fixture
def ops_url(tmp_path: Path) -> Iterator[str]:
    app = create_app(
        ops_settings(tmp_path, factory_url=FACTORY), http_transport=IncidentWorld().transport(),
        start_loops=False, incidents=incident_settings(),
    )  # fmt: skip
    with serving(app, free_port()) as url:
        yield url


def run(ops_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["incident", *args, "--url", ops_url, "--token", ADMIN_TOKEN])
    return result.exit_code, result.output


def test_declare_act_and_write_the_report(ops_url: str, tmp_path: Path) -> None:
    code, out = run(ops_url, "declare", "Orders failing", "--severity", "critical")
    assert code == 0 and out.startswith("#1    active") and "Orders failing" in out
    assert run(ops_url, "ack", "1")[0] == 0
    assert run(ops_url, "note", "1", "looking at the factory logs")[0] == 0
    code, out = run(ops_url, "show", "1")
    assert "acknowledged by a" in out and "looking at the factory logs" in out
    assert run(ops_url, "resolve", "1")[0] == 0
    code, out = run(ops_url, "report", "1", "--out", str(tmp_path / "incidentReports"))
    assert code == 0 and "incident 1 is postmortem_written" in out
    text = (tmp_path / "incidentReports" / "incident-1.md").read_text()
    headings = [t for t in MarkdownIt("commonmark").parse(text) if t.type == "heading_open"]
    assert len(headings) == 10
    assert run(ops_url, "list", "--status", "postmortem_written")[1].startswith("#1 ")


def test_bad_input_is_one_line_and_a_non_zero_exit(ops_url: str) -> None:
    code, out = run(ops_url, "show", "42")
    assert code == 1 and out == "error: unknown incident 42 (HTTP 404)\n"
    run(ops_url, "declare", "x")
    run(ops_url, "resolve", "1")
    code, out = run(ops_url, "resolve", "1")
    assert code == 1 and "a resolved incident cannot become resolved" in out
    code, out = run(ops_url, "note", "1", "too late")
    assert code == 1 and out.strip() == (
        "error: cannot add a note: the incident is resolved (HTTP 409)"
    )


def test_ops_refuses_to_start_with_a_runbook_naming_an_unknown_step(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "Bad.yml").write_text("trigger: {alerts: [A]}\nsteps: [restart_everything]\n")
    env = {
        "JWTPIZZA_OPS_INCIDENTS_RUNBOOK_DIR": str(folder),
        "JWTPIZZA_OPS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
    }
    result = CliRunner().invoke(cli, ["ops"], env=env)
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {folder / 'Bad.yml'}: step 1: unknown step")
    assert result.output.count("\n") == 1

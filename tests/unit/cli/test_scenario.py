"""`scenario run`'s own parts, without a stack: a second responder session on the same
scenario is refused in one line while the first holds its lock, a bad option is one line,
and the scorecard's tables show the response beside the report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from jwtpizza.cli.scenario import _only_session, _response_table, _table, app
from jwtpizza.scenarios import AlertResult, Scorecard, load
from jwtpizza.scenarios.scorecard import Response


def test_a_second_session_on_the_same_scenario_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWTPIZZA_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    with _only_session("factory-fail"):
        second = runner.invoke(app, ["run", "factory-fail", "--responder", "me"])
        other = runner.invoke(app, ["run", "factory-fial", "--responder", "me"])
    assert second.exit_code == 1
    lock = tmp_path / "scenario-factory-fail.lock"
    assert second.output.strip().splitlines() == [
        f"error: scenario factory-fail already has a responder session on this data folder "
        f"(lock {lock}); finish that one first"
    ]
    assert other.exit_code == 1 and "unknown scenario 'factory-fial'" in other.output
    with _only_session("factory-fail"):  # released with the first session
        pass


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["run", "factory-fail", "--pager", "sms"],
         "error: No such option: --pager (see `jwtpizza scenario run --help`)"),
        (["list", "--all"], "error: No such option: --all (see `jwtpizza scenario list --help`)"),
        (["replay"], "error: No such command 'replay'. (see `jwtpizza scenario --help`)"),
    ],
)  # fmt: skip
def test_a_bad_option_or_command_is_one_line(args: list[str], line: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [line]


def test_the_tables_show_the_response_beside_the_report() -> None:
    scenario = load("unannounced-chaos")
    response = Response(paged_after=60, ack_after_page=95, link_followed_after=170,
                        fault_ended_after=170, ended_by="link", resolved_after=300,
                        paged_by=["sms", "push"], pages_for_fault=1,
                        pages_per_incident={1: 1})  # fmt: skip
    cards = [
        Scorecard(scenario=scenario.name, speed=1.0, resilience=mode, responder="me",
                  alerts=[AlertResult("FactoryChaosErrors", 180, 50)], incident=1,
                  incident_resolved=True, postmortem="p.md", response=response)
        for mode in ("off", "on")
    ]  # fmt: skip
    cards[1].response = replace(response, extra_incidents=["incident 2 (FactoryCircuitOpen)"])
    for card in cards:
        card.judge(scenario)
    console = Console(record=True, width=200)
    console.print(_table(scenario, cards))
    console.print(_response_table(scenario, cards))
    text = console.export_text()
    assert "you, resilience off" in text and "report / scenario file" in text
    assert "incident 2 (FactoryCircuitOpen)" in text
    for row in ("acknowledged after the first page", "report link followed after the start",
                "pages for the fault's alert", "report vs replay: paged by"):  # fmt: skip
        assert row in text
    assert "sms then push ✓" in text and "1m 35s" in text and "2m 50s (link)" in text

"""`jwtpizza scenario list | run NAME`: replay a real incident end to end, with a scorecard."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from jwtpizza.cli.errors import fail, readable_errors

if TYPE_CHECKING:
    from jwtpizza.scenarios import Scenario, Scorecard

app = typer.Typer(help="Replay the real incidents: list the scenarios, run one with a scorecard")
console = Console()


@app.command("list")
def list_scenarios() -> None:
    """The scenarios, with what each replays."""
    from jwtpizza.scenarios import ScenarioError, available, load
    from jwtpizza.scenarios.scorecard import clock

    table = Table("scenario", "fault", "runs for", "what happened", box=None)
    for name in available():
        try:
            scenario = load(name)
        except ScenarioError as exc:
            fail(str(exc))
        fault = " ".join(filter(None, [scenario.fault.kind, scenario.fault.type]))
        table.add_row(name, fault, clock(scenario.run_for), scenario.title)
    console.print(table)


def _modes(resilience: str) -> list[Literal["on", "off"]]:
    if resilience == "both":
        return ["off", "on"]
    if resilience in ("on", "off"):
        return [resilience]  # type: ignore[list-item]
    fail(f"--resilience must be on, off or both (got {resilience!r})")


def _table(scenario: Scenario, cards: list[Scorecard]) -> Table:
    from jwtpizza.scenarios.scorecard import clock

    table = Table(f"{scenario.name}", *(f"resilience {c.resilience}" for c in cards),
                  title=scenario.title)  # fmt: skip
    rows: list[tuple[str, list[str]]] = [
        ("speed / wall time", [f"x{c.speed:g} / {c.wall_seconds:.0f}s" for c in cards]),
        ("MTTD", [clock(c.mttd) for c in cards]),
        ("MTTA", [clock(c.mtta) for c in cards]),
        ("MTTM", [clock(c.mttm) for c in cards]),
        ("MTTR", [clock(c.mttr) for c in cards]),
        ("orders failed", [str(c.failed) for c in cards]),
        ("failed by design (22 pizzas)", [str(c.failed_by_design) for c in cards]),
        ("orders queued", [str(c.queued) for c in cards]),
        ("orders lost", [str(c.lost) for c in cards]),
        ("orders duplicated", [str(c.duplicated) for c in cards]),
    ]
    for i, expected in enumerate(scenario.expect):
        rows.append((f"alert {expected.name} (by {clock(expected.within)})", [
            f"{c.alerts[i].outcome} {clock(c.alerts[i].fired_after)}" for c in cards
        ]))  # fmt: skip
    rows.append(("unexpected pages", [str(len(c.noise)) for c in cards]))
    rows.append(("postmortem", [c.postmortem or "-" for c in cards]))
    rows.append(("verdict", [
        "PASS" if c.passed else "FAIL: " + "; ".join(c.problems) for c in cards
    ]))  # fmt: skip
    for label, values in rows:
        table.add_row(label, *values)
    return table


@app.command("run")
def run_scenario(
    name: Annotated[str, typer.Argument(help="A scenario name (see `list`) or a .yml file")],
    speed: Annotated[
        float | None, typer.Option(help="Time compression (default: the scenario's CI speed)")
    ] = None,
    autopilot: Annotated[
        bool, typer.Option("--autopilot", help="Runbooks respond on their own")
    ] = False,
    resilience: Annotated[
        str, typer.Option(metavar="on|off|both", help="Default: the scenario's setting")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="The scorecard as JSON")] = False,
    reports: Annotated[Path, typer.Option(metavar="DIR", help="Where the postmortems go")] = Path(
        "incidentReports"
    ),
) -> None:
    """Bring a throwaway stack up, drive traffic, inject the fault on schedule, let detection,
    paging and the incident happen, end the fault, write the postmortem, print the scorecard.
    Exit 0 when the verdict is a pass, 1 when it is not."""
    # The runner brings the whole stack in: imported here so `scenario --help` stays quick.
    from jwtpizza.scenarios import ScenarioError, load, run

    with readable_errors():
        try:
            scenario = load(name)
        except ScenarioError as exc:
            fail(str(exc))
        pace = scenario.ci_speed if speed is None else speed
        if not pace > 0:
            fail(f"--speed must be more than 0 (got {pace:g})")
        modes = _modes(resilience or scenario.resilience)
        say = (lambda _line: None) if as_json else (lambda line: console.log(line))
        cards = []
        try:
            for mode in modes:
                with tempfile.TemporaryDirectory(prefix="jwtpizza-scenario-") as folder:
                    cards.append(asyncio.run(run(
                        scenario, speed=pace, resilience=mode, autopilot=autopilot,
                        folder=Path(folder), reports=reports.resolve(), say=say,
                    )))  # fmt: skip
        except KeyboardInterrupt:
            fail("interrupted: the fault was ended and the stack stopped", code=130)
    if as_json:
        typer.echo(json.dumps([c.as_json() for c in cards], indent=2))
    else:
        console.print(_table(scenario, cards))
    if not all(c.passed for c in cards):
        raise typer.Exit(1)

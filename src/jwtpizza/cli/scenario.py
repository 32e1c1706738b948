"""`jwtpizza scenario list | run NAME`: replay a real incident end to end, with a scorecard."""

from __future__ import annotations

import asyncio
import fcntl
import json
import signal
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

from jwtpizza.cli.errors import fail, readable_errors

if TYPE_CHECKING:
    from jwtpizza.scenarios import Scenario, Scorecard
    from jwtpizza.scenarios.stack import Channels


def _one_line(error: UsageError, where: str) -> NoReturn:
    fail(f"{error.format_message()} (see `jwtpizza scenario{where} --help`)", 2)


class _OneLine(TyperCommand):
    """A command whose bad option or argument is one line, as every other bad input."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as error:
            _one_line(error, f" {info_name}")


class _OneLineGroup(TyperGroup):
    """`scenario` itself: an unknown subcommand is one line too."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            _one_line(error, "")


app = typer.Typer(
    cls=_OneLineGroup,
    help="Replay the real incidents: list the scenarios, run one with a scorecard",
)
console = Console()
stderr = Console(stderr=True)


@app.command("list", cls=_OneLine)
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

    table = Table(
        f"{scenario.name}", *(f"resilience {c.resilience}" for c in cards), title=scenario.title
    )
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
        rows.append(
            (
                f"alert {expected.name} (by {clock(expected.within)})",
                [f"{c.alerts[i].outcome} {clock(c.alerts[i].fired_after)}" for c in cards],
            )
        )
    for name in dict.fromkeys(b.name for c in cards for b in c.burn):
        found = [next((b for b in c.burn if b.name == name), None) for c in cards]
        rows.append(
            (
                f"burn-rate page {name}",
                [
                    "-" if b is None else f"fired {clock(b.fired_after)}, {b.pages} page(s)"
                    for b in found
                ],
            )
        )
    rows.append(("unexpected pages", [str(len(c.noise)) for c in cards]))
    rows.append(
        ("other incidents", [", ".join(c.response.extra_incidents) or "none" for c in cards])
    )
    rows.append(("postmortem", [c.postmortem or "-" for c in cards]))
    rows.append(("its review", [_review_line(c) for c in cards]))
    rows.append(
        ("verdict", ["PASS" if c.passed else "FAIL: " + "; ".join(c.problems) for c in cards])
    )
    for label, values in rows:
        table.add_row(label, *values)
    return table


def _review_line(card: Scorecard) -> str:
    found = card.review
    if found is None:
        return "-"
    return (
        f"{found.confirmed} confirmed, {len(found.contradicted)} contradicted, "
        f"{found.not_checkable} not checkable; score {found.score}"
    )


@contextmanager
def _only_session(name: str) -> Iterator[None]:
    """One person's session per scenario on this data folder: a lock file held while it
    runs (the system drops it with the process, however it ends)."""
    from jwtpizza.settings import data_dir

    path = data_dir() / f"scenario-{name}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError as exc:
        fail(f"cannot write the session lock {path} ({exc.strerror})")
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fail(
                f"scenario {name} already has a responder session on this data folder "
                f"(lock {path}); finish that one first"
            )
        yield


async def _enter() -> None:
    """Wait for Enter on a terminal; start at once when nobody types (a script, a test)."""
    if sys.stdin.isatty():
        await asyncio.to_thread(input, "Press Enter to start the clock. ")


def _response_table(scenario: Scenario, cards: list[Scorecard]) -> Table:
    """The responder's figures per run beside the report's (scenario time)."""
    from jwtpizza.scenarios.scorecard import clock

    report = scenario.report
    who = "you" if cards[0].responder == "me" else "simulated"
    table = Table(
        "response",
        *(f"{who}, resilience {c.resilience}" for c in cards),
        "report / scenario file",
        title="The response",
    )
    seed_ack = report.ack_after if report and report.ack_after else scenario.responder.ack_after
    lasted = clock(report.fault_lasted) if report and report.fault_lasted else "-"
    ended = f"{lasted} ({report.ended_by})" if report and report.ended_by else lasted
    rows = [
        ("first page after the fault started", [clock(c.response.paged_after) for c in cards], "-"),
        ("acknowledged after the first page",
         [clock(c.response.ack_after_page) for c in cards], clock(seed_ack)),
        ("report link followed after the start",
         [clock(c.response.link_followed_after) for c in cards], "-"),
        ("fault ended after the start", [
            f"{clock(c.response.fault_ended_after)} ({c.response.ended_by or '-'})" for c in cards
        ], ended),
        ("incident resolved after the start",
         [clock(c.response.resolved_after) for c in cards], "-"),
        ("pages for the fault's alert", [str(c.response.pages_for_fault) for c in cards], "1"),
        ("pages per incident", [
            ", ".join(f"#{k}: {v}" for k, v in c.response.pages_per_incident.items()) or "-"
            for c in cards
        ], "1"),
    ]  # fmt: skip
    for label, values, seed in rows:
        table.add_row(label, *values, seed)
    for name in dict.fromkeys(f.name for c in cards for f in c.facts):
        shown = [next((f for f in c.facts if f.name == name), None) for c in cards]
        seed = next(f.report for f in shown if f is not None)
        table.add_row(
            f"report vs replay: {name}",
            *(
                "-" if f is None else f"{f.replay} {'' if f.ok is None else '✓' if f.ok else '✗'}"
                for f in shown
            ),
            seed,
        )
    return table


@app.command("run", cls=_OneLine)
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
    responder: Annotated[
        str, typer.Option(metavar="sim|me", help="me: you respond (speed 1 unless --speed)")
    ] = "sim",
    email: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="Also email pages (through --smtp)")
    ] = None,
    smtp: Annotated[
        str, typer.Option(metavar="HOST:PORT", help="A local SMTP sink, plain SMTP")
    ] = "localhost:1025",
    ntfy: Annotated[
        str | None, typer.Option(metavar="URL", help="Also push pages to this ntfy topic URL")
    ] = None,
) -> None:
    """Bring a throwaway stack up, drive traffic, inject the fault on schedule, let detection,
    paging and the incident happen, end the fault, write the postmortem, print the scorecard.
    With `--responder me` nobody is simulated: you are paged and respond from the console.
    Exit 0 when the verdict is a pass, 1 when it is not."""
    # The runner brings the whole stack in: imported here so `scenario --help` stays quick.
    from jwtpizza.scenarios import ScenarioError, load

    with readable_errors():
        try:
            scenario = load(name)
        except ScenarioError as exc:
            fail(str(exc))
        if responder not in ("sim", "me"):
            fail(f"--responder must be sim or me (got {responder!r})")
        person = responder == "me"
        if person and autopilot:
            fail("--autopilot answers for the responder; with --responder me, you do")
        pace = (1.0 if person else scenario.ci_speed) if speed is None else speed
        if not pace > 0:
            fail(f"--speed must be more than 0 (got {pace:g})")
        modes = _modes(resilience or scenario.resilience)
        channels = _channels(email, smtp, ntfy)
        # With --json the scorecard alone goes to stdout; a person still reads the run.
        told = stderr if as_json else console
        say = (lambda _line: None) if as_json and not person else (lambda line: told.log(line))
        try:
            with _only_session(scenario.name) if person else nullcontext():
                cards = [
                    _run_once(scenario, mode, pace, autopilot, person, reports, say, channels)
                    for mode in modes
                ]
        except KeyboardInterrupt:
            fail("interrupted: the fault was ended and the stack stopped", code=130)
    if as_json:
        typer.echo(json.dumps([c.as_json() for c in cards], indent=2))
    else:
        console.print(_table(scenario, cards))
        console.print(_response_table(scenario, cards))
    if not all(c.passed for c in cards):
        raise typer.Exit(1)


def _channels(email: str | None, smtp: str, ntfy: str | None) -> Channels:
    from urllib.parse import urlsplit

    host, _, port = smtp.rpartition(":")
    if not host or not port.isdigit():
        fail(f"--smtp must be host:port (got {smtp!r})")
    if ntfy is not None:
        url = urlsplit(ntfy)
        if url.scheme not in ("http", "https") or not url.netloc or not url.path.strip("/"):
            fail(f"--ntfy must be a topic URL like http://localhost:8080/jwt-pizza (got {ntfy!r})")
    if email is not None and "@" not in email:
        fail(f"--email must be an address (got {email!r})")
    from jwtpizza.scenarios.stack import Channels

    return Channels(email=email, smtp=smtp, ntfy=ntfy)


def _run_once(
    scenario: Scenario,
    mode: Literal["on", "off"],
    pace: float,
    autopilot: bool,
    person: bool,
    reports: Path,
    say: Callable[[str], None],
    channels: Channels,
) -> Scorecard:
    from jwtpizza.scenarios.runner import run

    with tempfile.TemporaryDirectory(prefix="jwtpizza-scenario-") as folder:
        return asyncio.run(
            _interruptible(
                run(
                    scenario,
                    speed=pace,
                    resilience=mode,
                    autopilot=autopilot,
                    folder=Path(folder),
                    reports=reports.resolve(),
                    say=say,
                    person=person,
                    channels=channels,
                    ready=_enter,
                )
            )
        )


async def _interruptible(body: Coroutine[Any, Any, Scorecard]) -> Scorecard:
    """`body` as a task that Ctrl-C cancels (ending the fault and stopping the stack on its
    way out), then reported as the interrupt it was. The handler is the run's own, so Ctrl-C
    works even where the process was started with SIGINT ignored or handled elsewhere."""
    task = asyncio.ensure_future(body)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        if task.cancelled():
            raise KeyboardInterrupt from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGINT)

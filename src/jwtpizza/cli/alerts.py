"""`jwtpizza alerts`: the alerts ops holds now, their history and the loaded rules; and
`jwtpizza alerts check|test` to load rule files or run promtool-format rule unit tests
through our own evaluator, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail, readable_errors
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request

app = typer.Typer(help="Alerts: what is pending or firing, history, rules, rule tests.")


def _labels(labels: dict[str, str]) -> str:
    shown = {k: v for k, v in labels.items() if k not in ("alertname", "severity")}
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(shown.items())) + "}"


def _time(value: str | None) -> str:
    return (value or "")[:19].replace("T", " ")


def alert_line(alert: dict[str, Any]) -> str:
    """`firing    high      FactoryChaosErrors {job=...} since 12:00:05  summary`."""
    since = alert["firedAt"] if alert["state"] == "firing" else alert["activeAt"]
    if alert["state"] == "resolved":
        since = alert["resolvedAt"]
    severity = alert["labels"].get("severity", "")
    summary = alert["annotations"].get("summary", "")
    return (
        f"{alert['state']:<9} {severity:<9} {alert['rule']} {_labels(alert['labels'])} "
        f"since {_time(since)}  {summary}"
    ).rstrip()


@app.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    history: Annotated[bool, typer.Option("--history", help="state changes, newest first")] = False,
    rule: Annotated[str | None, typer.Option(help="only this alert rule")] = None,
    limit: Annotated[int, typer.Option(help="at most this many history lines")] = 50,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show the alerts pending, firing or recently resolved (or their history)."""
    if ctx.invoked_subcommand is not None:
        return
    params: dict[str, Any] = {"limit": limit} | ({"rule": rule} if rule else {})
    body = ops_request("GET", "/api/ops/alerts", url=url, token=token, params=params)
    if history:
        for event in body["history"]:
            typer.echo(
                f"{_time(event['at'])} {event['previous']:>8} -> {event['state']:<9} "
                f"{event['rule']} {_labels(event['labels'])}"
            )
        return
    if not body["alerts"]:
        typer.echo("no alerts pending or firing")
    for alert in body["alerts"]:
        typer.echo(alert_line(alert))


@app.command("rules")
def rules(url: UrlOption = None, token: TokenOption = None) -> None:
    """The loaded rule groups, each rule's health and how long it took."""
    body = ops_request("GET", "/api/ops/rules", url=url, token=token)
    for group in body["groups"]:
        typer.echo(f"{group['name']} ({group['file']}, every {group['intervalSeconds']:g}s)")
        for r in group["rules"]:
            error = f"  error: {r['lastError']}" if r["lastError"] else ""
            typer.echo(
                f"  {r['health']:<7} {r['name']:<26} for {r['forSeconds']:g}s, "
                f"{r['alerts']} active, {r['evaluationSeconds'] * 1000:.2f} ms{error}"
            )


@app.command("reload")
def reload(url: UrlOption = None, token: TokenOption = None) -> None:
    """Reload the rule files on a running ops (a bad file changes nothing)."""
    body = ops_request("POST", "/api/ops/rules/reload", url=url, token=token)
    count = sum(len(g["rules"]) for g in body["groups"])
    typer.echo(f"loaded {count} rules in {len(body['groups'])} groups")


@app.command("check")
def check(files: Annotated[list[Path], typer.Argument(help="rule files")]) -> None:
    """Load rule files as ops would (like `promtool check rules`)."""
    from jwtpizza.ops.rules.loader import load_files

    with readable_errors():
        for path in files:
            groups = load_files([str(path)])
            typer.echo(f"{path}: {sum(len(g.rules) for g in groups)} rules OK")


@app.command("test")
def test(files: Annotated[list[Path], typer.Argument(help="promtool rule test files")]) -> None:
    """Run promtool-format rule unit tests through ops's evaluator (like `promtool test
    rules`)."""
    from jwtpizza.ops.rules.ruletest import TestFileInvalid, run_file

    failed = False
    with readable_errors():
        for path in files:
            try:
                failures = run_file(path)
            except TestFileInvalid as error:
                fail(str(error))
            typer.echo(f"{path}: {'FAILED' if failures else 'SUCCESS'}")
            for failure in failures:
                typer.echo(f"  {failure}")
            failed = failed or bool(failures)
    if failed:
        raise typer.Exit(1)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _run_all(resilience: str, reports: Path) -> list[dict[str, Any]]:
    """Every scenario once, at its CI speed on autopilot; their scorecards as JSON."""
    import asyncio
    import tempfile

    from jwtpizza.scenarios import available, load
    from jwtpizza.scenarios.runner import run

    cards = []
    for name in available():
        scenario = load(name)
        typer.echo(f"running {name} (x{scenario.ci_speed:g}, resilience {resilience})", err=True)
        with tempfile.TemporaryDirectory(prefix="jwtpizza-quality-") as folder:
            card = asyncio.run(
                run(
                    scenario,
                    speed=scenario.ci_speed,
                    resilience=resilience,  # type: ignore[arg-type]
                    autopilot=True,
                    folder=Path(folder),
                    reports=reports.resolve(),
                )
            )
        cards.append(card.as_json())
    return cards


def _read(results: list[Path]) -> list[dict[str, Any]]:
    import json

    cards: list[dict[str, Any]] = []
    for path in results:
        try:
            body = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            fail(f"{path}: not a scorecard file (`jwtpizza scenario run --json`): {error}")
        cards += body if isinstance(body, list) else [body]
    return cards


@app.command("quality")
def quality(
    results: Annotated[
        list[Path] | None,
        typer.Argument(help="scorecards saved from `jwtpizza scenario run --json`; none: run all"),
    ] = None,
    resilience: Annotated[
        str, typer.Option(metavar="on|off", help="for the runs (off: faults reach the diners)")
    ] = "off",
    reports: Annotated[Path, typer.Option(metavar="DIR", help="the runs' postmortems")] = Path(
        "incidentReports"
    ),
) -> None:
    """Per rule: precision (its pages that matched a real fault), recall (fault runs it paged
    in) and mean detection time; and, on noise-only traffic, each rule's pages side by side."""
    from jwtpizza.ops.slo.spec import DEFAULT_SLO_DIR, load_dir
    from jwtpizza.scenarios.quality import quality as measure
    from jwtpizza.scenarios.quality import side_by_side
    from jwtpizza.scenarios.scorecard import clock

    if resilience not in ("on", "off"):
        fail(f"--resilience must be on or off (got {resilience!r})")
    with readable_errors():
        cards = _read(results) if results else _run_all(resilience, reports)
        burn = {slo.alert_name for slo in load_dir(DEFAULT_SLO_DIR)}
    typer.echo(f"{len(cards)} runs, {sum(1 for c in cards if c.get('fault'))} with a fault")
    typer.echo(f"{'rule':<28} {'pages':>5} {'precision':>9} {'recall':>7} {'detection':>10}")
    for rule in measure(cards):
        typer.echo(
            f"{rule.rule:<28} {rule.pages:>5} {_percent(rule.precision):>9} "
            f"{_percent(rule.recall):>7} {clock(rule.detection):>10}"
        )
    noise = side_by_side(cards, burn)
    if any(not c.get("fault") for c in cards):
        shown = ", ".join(f"{name} {count}" for name, count in noise.items())
        typer.echo(f"pages on noise-only traffic (no fault), same traffic: {shown}")

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

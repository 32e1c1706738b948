"""`jwtpizza slo`: each SLO's error budget left and burn rate, from a running ops; and
`jwtpizza slo generate` to turn the SLO files into the Prometheus rule file, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail, readable_errors
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request

app = typer.Typer(help="SLOs: error budget and burn rate; generate the burn-rate rules.")


def _ratio(value: float | None, scale: float = 100, unit: str = "%") -> str:
    return "-" if value is None else f"{value * scale:.2f}{unit}"


def slo_line(slo: dict[str, Any]) -> str:
    """`order-success  objective 99.50%  budget left 87.20%  burn 0.31x now, 0.13x over 30d`."""
    return (
        f"{slo['slo']:<20} objective {_ratio(slo['objective']):>7}  "
        f"budget left {_ratio(slo['budgetRemaining']):>8}  "
        f"burn {_ratio(slo['currentBurnRate'], 1, 'x')} now, "
        f"{_ratio(slo['periodBurnRate'], 1, 'x')} over 30d"
    )


@app.callback(invoke_without_command=True)
def slo(ctx: typer.Context, url: UrlOption = None, token: TokenOption = None) -> None:
    """Show each SLO's remaining 30-day error budget and its burn rate."""
    if ctx.invoked_subcommand is not None:
        return
    body = ops_request("GET", "/api/ops/slo", url=url, token=token)
    if not body:
        typer.echo("no SLO data yet (are the SLO rules loaded, and has ops evaluated them?)")
    for entry in body:
        typer.echo(slo_line(entry))


@app.command("generate")
def generate(
    slo_dir: Annotated[Path | None, typer.Option(help="folder of SLO files")] = None,
    out: Annotated[Path | None, typer.Option(help="rule file to write")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="only say whether the rule file is up to date")
    ] = False,
) -> None:
    """Turn the SLO files (Sloth prometheus/v1) into recording rules and burn-rate alerts."""
    from jwtpizza.ops.settings import DEFAULT_RULES_DIR
    from jwtpizza.ops.slo.generate import rule_file
    from jwtpizza.ops.slo.spec import DEFAULT_SLO_DIR, load_dir

    source = slo_dir or DEFAULT_SLO_DIR
    target = out or DEFAULT_RULES_DIR / "slo.yml"
    with readable_errors():
        slos = load_dir(source)
        if not slos:
            fail(f"{source}: no SLO files (*.yml)")
        text = rule_file(slos)
    if check:
        if not target.is_file() or target.read_text() != text:
            fail(f"{target} is out of date: run `jwtpizza slo generate`")
        typer.echo(f"{target} is up to date ({len(slos)} SLOs)")
        return
    target.write_text(text)
    typer.echo(f"wrote {target}: {len(slos)} SLOs, {len(slos) * 2} burn-rate alerts")

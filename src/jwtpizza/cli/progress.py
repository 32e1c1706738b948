"""`jwtpizza incident stats [--csv]`: response times per incident, by fault type and responder."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request

MEASURES = ("mttd", "mtta", "mttm", "mttr")


def _cells(values: dict[str, Any]) -> str:
    return " ".join(f"{'-' if values[m] is None else f'{values[m]:.0f}s':>7}" for m in MEASURES)


def as_text(found: dict[str, Any]) -> str:
    head = " ".join(f"{m.upper():>7}" for m in MEASURES)
    lines = [f"{'#':<5}{'declared (UTC)':<21}{'fault':<12}{'responder':<14}{head}"]
    for r in found["incidents"]:
        lines.append(
            f"{r['incident']:<5}{r['declaredAt'][:19].replace('T', ' '):<21}"
            f"{r['faultType'][:11]:<12}{r['responder'][:13]:<14}{_cells(r)}"
        )
    for key, title in (("faultType", "By fault type"), ("responder", "By responder")):
        lines.append(f"{title} (mean):")
        for g in found["byFaultType" if key == "faultType" else "byResponder"]:
            lines.append(f"  {g[key][:24]:<25}{g['incidents']:>3} incidents {_cells(g)}")
    return "\n".join(lines)


def stats(
    csv: Annotated[bool, typer.Option("--csv", help="print one CSV row per incident")] = False,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """MTTD, MTTA, MTTM and MTTR per incident over time, by fault type and by responder."""
    if csv:
        typer.echo(
            ops_request("GET", "/api/ops/stats.csv", url=url, token=token, text=True), nl=False
        )
        return
    typer.echo(as_text(ops_request("GET", "/api/ops/stats", url=url, token=token)))

"""`jwtpizza silence add|list|expire`: mute alerts for a while, see and end silences."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request

app = typer.Typer(help="Silences: mute matching alerts until they expire.", no_args_is_help=True)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """`90s`, `30m`, `2h` or `1d` in seconds."""
    number, unit = text[:-1], text[-1:]
    if unit not in UNITS or not number.replace(".", "", 1).isdigit() or float(number) <= 0:
        fail(f"duration {text!r}: use a number with s, m, h or d (e.g. 30m)")
    return float(number) * UNITS[unit]


def _matcher_text(matcher: dict[str, Any]) -> str:
    op = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}
    return f'{matcher["name"]}{op[(matcher["isRegex"], matcher["isEqual"])]}"{matcher["value"]}"'


def _line(silence: dict[str, Any]) -> str:
    matchers = ", ".join(_matcher_text(m) for m in silence["matchers"])
    until = silence["endsAt"][:19].replace("T", " ")
    return f"#{silence['id']:<4} {silence['state']:<8} until {until}  {{{matchers}}}  " + (
        f"{silence['createdBy']}: {silence['comment']}".rstrip(": ")
    )


@app.command("add")
def add(
    matchers: Annotated[list[str], typer.Argument(help='e.g. severity="warning" job=~"svc.*"')],
    duration: Annotated[str, typer.Option(help="how long: 30m, 2h, 1d")] = "1h",
    comment: Annotated[str, typer.Option(help="why")] = "",
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Silence the alerts all the matchers select."""
    body = {"matchers": matchers, "durationSeconds": parse_duration(duration), "comment": comment}
    typer.echo(_line(ops_request("POST", "/api/ops/silences", url=url, token=token, json=body)))


@app.command("list")
def list_(
    state: Annotated[str | None, typer.Option(help="pending, active or expired")] = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """List silences, newest first."""
    params = {"state": state} if state else {}
    for silence in ops_request("GET", "/api/ops/silences", url=url, token=token, params=params):
        typer.echo(_line(silence))


@app.command("expire")
def expire(silence_id: int, url: UrlOption = None, token: TokenOption = None) -> None:
    """End a silence now."""
    typer.echo(
        _line(ops_request("DELETE", f"/api/ops/silences/{silence_id}", url=url, token=token))
    )

"""`jwtpizza logs`: recent structured logs of a component, read over its HTTP API."""

from __future__ import annotations

import os
from typing import Annotated, Any

import httpx
import typer


def _token(client: httpx.Client, token: str | None, email: str | None) -> str:
    if token:
        return token
    if not email:
        raise typer.BadParameter("give --token, set JWTPIZZA_TOKEN, or log in with --email")
    password = typer.prompt("password", hide_input=True)
    response = client.put("/api/auth", json={"email": email, "password": password})
    if response.status_code != 200:
        raise typer.BadParameter(f"login failed: {response.json().get('message', response.text)}")
    return str(response.json()["token"])


def printable(value: object) -> str:
    """A field as text that cannot steer the terminal or start a line of its own: control
    characters (escapes, newlines, carriage returns, bidi overrides) are shown escaped."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def format_line(raw: dict[str, Any]) -> str:
    """One readable line: time, level, type, then the fields a responder scans first."""
    log = {key: None if value is None else printable(value) for key, value in raw.items()}
    head = f"{str(log.get('time', ''))[:23]} {str(log.get('level', '')).upper():5} "
    head += f"{log.get('type', ''):9}"
    if log.get("type") == "http":
        body = f"{log.get('method')} {log.get('path')} -> {log.get('status')} "
        body += f"{log.get('durationMs')}ms {log.get('resBody') or ''}"
    elif log.get("type") == "factory":
        body = f"{log.get('method')} {log.get('url')} -> {log.get('status', log.get('error'))} "
        body += f"{log.get('resBody') or ''}"
    elif log.get("type") == "db":
        body = f"{log.get('sql')} {log.get('params') or ''}"
    else:
        body = f"{log.get('msg', '')} {log.get('error', '')}"
    return f"{head} {body}".rstrip()


def logs(
    level: Annotated[
        str | None, typer.Option(help="minimum level: debug, info, warn, error")
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", help="http, db, factory, ...")] = None,
    grep: Annotated[str | None, typer.Option(help="text to search for")] = None,
    since: Annotated[str | None, typer.Option(help="10m, 2h, 1d or an ISO time")] = None,
    status: Annotated[str | None, typer.Option(help="e.g. 500 or 5xx")] = None,
    route: Annotated[str | None, typer.Option(help="route template")] = None,
    limit: Annotated[int, typer.Option(help="at most this many lines")] = 100,
    url: Annotated[str, typer.Option(help="the component's base URL")] = "http://127.0.0.1:3000",
    token: Annotated[str | None, typer.Option(help="admin token (or JWTPIZZA_TOKEN)")] = None,
    email: Annotated[str | None, typer.Option(help="log in as this admin")] = None,
) -> None:
    """Show recent logs of the service (or the factory, with --url)."""
    params = {"level": level, "type": type_, "q": grep, "since": since, "status": status}
    params |= {"route": route, "limit": str(limit)}
    with httpx.Client(base_url=url, timeout=10.0) as client:
        bearer = _token(client, token or os.environ.get("JWTPIZZA_TOKEN"), email)
        response = client.get(
            "/api/ops/logs",
            params={k: v for k, v in params.items() if v is not None},
            headers={"Authorization": f"Bearer {bearer}"},
        )
    if response.status_code != 200:
        typer.echo(f"error {response.status_code}: {response.text}", err=True)
        raise typer.Exit(1)
    for log in response.json()["logs"]:
        typer.echo(format_line(log))

"""`jwtpizza logs`: recent structured logs of a component, read over its HTTP API."""

from __future__ import annotations

import os
from typing import Annotated, Any

import httpx
import typer

from jwtpizza.cli.endpoints import endpoint
from jwtpizza.cli.errors import CliError, ask_password, readable_errors


def _service_token(client: httpx.Client, email: str | None, password: str | None) -> str:
    """Log in to the service as an admin: the password from JWTPIZZA_PASSWORD, a prompt, or
    a line on standard input."""
    if not email:
        raise CliError("give --token (or JWTPIZZA_TOKEN), or log in with --email ADMIN")
    password = password or ask_password(f"password for {email}")
    response = client.put("/api/auth", json={"email": email, "password": password})
    if response.status_code != 200:
        raise CliError(f"login as {email} failed: {_message(response)}")
    return str(response.json()["token"])


def _message(response: httpx.Response) -> str:
    """The `message` of a JSON error answer, else the start of its text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])
    return response.text[:200] or response.reason_phrase


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
        str | None, typer.Option(metavar="LEVEL", help="Minimum level: debug, info, warn, error")
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", metavar="TYPE", help="http, db, factory, ...")
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Search messages and bodies (SQL too with --sql)"),
    ] = None,
    sql: Annotated[bool, typer.Option("--sql", help="Let --grep search SQL statements")] = False,
    since: Annotated[
        str | None, typer.Option(metavar="WHEN", help="10m, 2h, 1d or an ISO time")
    ] = None,
    status: Annotated[str | None, typer.Option(metavar="CODE", help="e.g. 500 or 5xx")] = None,
    route: Annotated[str | None, typer.Option(metavar="ROUTE", help="Route template")] = None,
    limit: Annotated[int, typer.Option(metavar="N", help="At most this many lines")] = 100,
    factory: Annotated[
        bool, typer.Option("--factory", help="The factory's logs (default: the service's)")
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(
            metavar="URL", help="The component's base URL (default: the one `up` started)"
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="JWTPIZZA_TOKEN",
            metavar="TOKEN",
            help="Service: an admin's token. Factory: its admin API key.",
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option(metavar="EMAIL", help="Service: log in as this admin")
    ] = None,
) -> None:
    """Show a running component's recent logs.

    The service needs an admin: --token (or JWTPIZZA_TOKEN), or --email, which asks for
    the password (or reads JWTPIZZA_PASSWORD, or a line on standard input). The factory has
    no password logins: give its admin API key with --token (`jwtpizza up` prints it).
    """
    params = {"level": level, "type": type_, "q": grep, "since": since, "status": status}
    params |= {"route": route, "limit": str(limit), "sql": "true" if sql else None}
    base = endpoint("factory" if factory else "service", url)
    with readable_errors(), httpx.Client(base_url=base, timeout=10.0) as client:
        if factory and not token:
            raise CliError(
                "the factory's logs need its admin API key: pass --token KEY "
                "(`jwtpizza up` prints it)"
            )
        bearer = token or _service_token(client, email, os.environ.get("JWTPIZZA_PASSWORD"))
        response = client.get(
            "/api/ops/logs",
            params={k: v for k, v in params.items() if v is not None},
            headers={"Authorization": f"Bearer {bearer}"},
        )
        if response.status_code != 200:
            raise CliError(f"{base} answered {response.status_code}: {_message(response)}")
    for log in response.json()["logs"]:
        typer.echo(format_line(log))

"""Calls to the ops component's admin API from the CLI: one readable line on failure.

Every call needs an admin token of the pizza service (`--token` or `JWTPIZZA_TOKEN`),
which the ops component checks with the service.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import httpx
import typer

from jwtpizza.cli.endpoints import endpoint
from jwtpizza.cli.errors import fail

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="the ops component's base URL (default: the one `up` started)"),
]
TokenOption = Annotated[str | None, typer.Option(help="admin token (or JWTPIZZA_TOKEN)")]


def ops_request(
    method: str, path: str, *, url: str | None, token: str | None, text: bool = False, **kw: Any
) -> Any:
    """The JSON answer of `method path` on ops (at `url`, else where `jwtpizza up` runs it; its
    text with `text`), or exit 1 with the server's message."""
    url = endpoint("ops", url)
    bearer = token or os.environ.get("JWTPIZZA_TOKEN")
    if not bearer:
        fail("give --token or set JWTPIZZA_TOKEN (an admin token of the pizza service)")
    timeout = kw.pop("timeout", 30.0)
    try:
        with httpx.Client(base_url=url, timeout=timeout) as client:
            response = client.request(
                method, path, headers={"Authorization": f"Bearer {bearer}"}, **kw
            )
    except httpx.HTTPError as error:
        fail(f"cannot reach the ops component at {url} ({type(error).__name__})")
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        fail(f"{message} (HTTP {response.status_code})")
    return response.text if text else response.json()

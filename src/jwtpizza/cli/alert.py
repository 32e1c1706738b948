"""`jwtpizza alert ack`: acknowledge a page so its escalation stops."""

from __future__ import annotations

from typing import Any

import typer

from jwtpizza.cli.errors import fail
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request

app = typer.Typer(help="Act on alerts: acknowledge their pages.", no_args_is_help=True)


def _open_pages_for(name: str, url: str | None, token: str | None) -> list[dict[str, Any]]:
    pages = ops_request(
        "GET", "/api/ops/pages", url=url, token=token, params={"status": "triggered"}
    )
    return [
        page
        for page in pages
        if name in page["title"].split() or page["groupKey"].endswith(f'alertname="{name}"}}')
    ]


@app.command("ack")
def ack(
    page: str = typer.Argument(help="a page id, or an alert name to ack its open pages"),
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Acknowledge a page (by id) or every open page of an alert (by name)."""
    if page.isdigit():
        ids = [int(page)]
    else:
        ids = [p["id"] for p in _open_pages_for(page, url, token)]
        if not ids:
            fail(f"no open page for alert {page}")
    for page_id in ids:
        answer = ops_request("POST", f"/api/ops/pages/{page_id}/ack", url=url, token=token)
        typer.echo(f"{answer['message']}: {answer['page']['title']}")

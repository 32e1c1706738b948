"""`jwtpizza oncall`: who is on call, the coming handoffs, the escalation chain, open pages."""

from __future__ import annotations

from typing import Annotated

import typer

from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request


def oncall(
    days: Annotated[float, typer.Option(help="show handoffs this many days ahead")] = 7,
    at: Annotated[str | None, typer.Option(help="an ISO time instead of now")] = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show who is on call and the pages still waiting for an acknowledgement."""
    params: dict[str, str | float] = {"days": days} | ({"at": at} if at else {})
    answer = ops_request("GET", "/api/ops/oncall", url=url, token=token, params=params)
    for schedule in answer["schedules"]:
        typer.echo(f"{schedule['name']}: {schedule['onCall'] or 'nobody'} on call")
        for shift in schedule["shifts"][1:]:
            typer.echo(
                f"  {shift['startsAt'][:16].replace('T', ' ')}  -> {shift['user'] or 'nobody'}"
            )
    for policy in answer["policies"]:
        chain = " -> ".join(
            f"{kind} {name}" + (f", wait {step['waitSeconds']:g}s" if step["waitSeconds"] else "")
            for step in policy["steps"]
            for kind, name in step["notify"].items()
        )
        typer.echo(f"policy {policy['name']}: {chain}")
    pages = ops_request(
        "GET", "/api/ops/pages", url=url, token=token, params={"status": "triggered"}
    )
    for page in pages:
        typer.echo(f"open page #{page['id']} since {page['createdAt'][:19]}: {page['title']}")

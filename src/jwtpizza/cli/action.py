"""`jwtpizza action ...`: action items tracked by ops (owner, due date, status, priority, link)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request
from jwtpizza.cli.review import read_report

app = typer.Typer(
    help="Action items: list, add, mark done, export, create from postmortems.",
    no_args_is_help=True,
)
IncidentOption = Annotated[int | None, typer.Option(help="only this incident's items")]


def _line(item: dict[str, Any]) -> str:
    due = item["due"] or "-"
    late = " OVERDUE" if item["overdue"] else ""
    where = f" #{item['incident']}" if item["incident"] else ""
    return (
        f"{item['id']:<4} {item['status']:<5} {item['priority']:<6} {due:<10}{late} "
        f"{item['owner'] or '-'}: {item['title']}{where}"
    )


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="open or done")] = None,
    incident: IncidentOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="only open items past due")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="print CSV")] = False,
    markdown: Annotated[bool, typer.Option("--md", help="print a Markdown task list")] = False,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """List action items, oldest first (or export them as CSV or Markdown)."""
    params: dict[str, Any] = {"overdue": str(overdue).lower()}
    params |= {k: v for k, v in (("status", status), ("incident", incident)) if v is not None}
    if csv or markdown:
        path = "/api/ops/actions" + (".csv" if csv else ".md")
        typer.echo(
            ops_request("GET", path, url=url, token=token, params=params, text=True), nl=False
        )
        return
    for item in ops_request("GET", "/api/ops/actions", url=url, token=token, params=params):
        typer.echo(_line(item))


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        fail(f"--due must be a date like 2026-12-31, not {text!r}")


@app.command("add")
def add(
    title: str,
    owner: Annotated[str | None, typer.Option(help="who does it")] = None,
    due: Annotated[str | None, typer.Option(help="due date, YYYY-MM-DD")] = None,
    priority: Annotated[str, typer.Option(help="high, medium or low")] = "medium",
    link: Annotated[str | None, typer.Option(help="where it is tracked")] = None,
    incident: Annotated[int | None, typer.Option(help="the incident it comes from")] = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Add an action item by hand."""
    body = {
        "title": title,
        "owner": owner,
        "due": due and _day(due),
        "priority": priority,
        "link": link,
        "incident": incident,
    }
    typer.echo(_line(ops_request("POST", "/api/ops/actions", url=url, token=token, json=body)))


@app.command("done")
def done(number: int, url: UrlOption = None, token: TokenOption = None) -> None:
    """Mark an action item done."""
    path = f"/api/ops/actions/{number}/done"
    typer.echo(_line(ops_request("POST", path, url=url, token=token)))


@app.command("from-draft")
def from_draft(incident: int, url: UrlOption = None, token: TokenOption = None) -> None:
    """Track the action items of ops' draft postmortem of an incident."""
    body = {"incident": incident}
    for item in ops_request("POST", "/api/ops/actions/from-draft", url=url, token=token, json=body):
        typer.echo(_line(item))


@app.command("from-report")
def from_report(
    file: Annotated[Path, typer.Argument(help="the postmortem, in Markdown")],
    incident: Annotated[int, typer.Option(help="the incident it describes")],
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Track the items listed in a written postmortem's Action items section."""
    body = {"incident": incident, "markdown": read_report(file)}
    for item in ops_request(
        "POST", "/api/ops/actions/from-report", url=url, token=token, json=body
    ):
        typer.echo(_line(item))

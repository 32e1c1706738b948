"""`jwtpizza incident ...`: incidents and postmortems, through the ops component's admin API.

Every command needs an admin token of the pizza service (`--token` or `JWTPIZZA_TOKEN`),
which the ops component checks with the service.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request
from jwtpizza.cli.progress import stats
from jwtpizza.cli.review import review as review_report

app = typer.Typer(
    help="Incidents: declare, act on, and write their postmortems.", no_args_is_help=True
)


def _request(method: str, path: str, url: str | None, token: str | None, **kw: Any) -> Any:
    return ops_request(method, f"/api/ops/incidents{path}", url=url, token=token, **kw)


def _line(incident: dict[str, Any]) -> str:
    return (
        f"#{incident['id']:<4} {incident['status']:<18} {incident['severity']:<13} "
        f"{incident['declaredAt'][:19]}  {incident['title']}"
    )


def _show(incident: dict[str, Any]) -> None:
    typer.echo(_line(incident))
    for role, person in sorted(incident.get("roles", {}).items()):
        typer.echo(f"  {role}: {person}")
    for entry in incident.get("timeline") or []:
        evidence = f"  <{entry['evidence']}>" if entry.get("evidence") else ""
        typer.echo(f"  {entry['at'][11:19]} {entry['source']:<10} {entry['text']}{evidence}")


@app.command("declare")
def declare(
    title: str,
    severity: Annotated[str, typer.Option(help="critical .. informational")] = "high",
    commander: Annotated[str | None, typer.Option(help="the incident commander")] = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Declare an incident by hand."""
    body = {"title": title, "severity": severity, "commander": commander}
    _show(_request("POST", "", url, token, json=body))


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="open, active, resolved ...")] = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """List incidents, newest first."""
    params = {"status": status} if status else {}
    for incident in _request("GET", "", url, token, params=params):
        typer.echo(_line(incident))


@app.command("show")
def show(number: int, url: UrlOption = None, token: TokenOption = None) -> None:
    """One incident with its roles, timeline and overdue action items."""
    _show(_request("GET", f"/{number}", url, token))
    late = {"incident": number, "overdue": "true"}
    for item in ops_request("GET", "/api/ops/actions", url=url, token=token, params=late):
        typer.echo(
            f"  OVERDUE action item {item['id']}: {item['title']} (due {item['due']}, "
            f"owner {item['owner'] or '-'})"
        )


@app.command("ack")
def ack(number: int, url: UrlOption = None, token: TokenOption = None) -> None:
    """Acknowledge an incident."""
    typer.echo(_line(_request("POST", f"/{number}/ack", url, token)))


@app.command("note")
def note(
    number: int,
    text: str,
    public: Annotated[bool, typer.Option("--public", help="a public status update")] = False,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Add a note (or, with --public, a status update)."""
    entry = _request("POST", f"/{number}/notes", url, token, json={"text": text, "public": public})
    typer.echo(f"{entry['at'][:19]} {entry['text']}")


@app.command("mitigate")
def mitigate(
    number: int,
    why: Annotated[str, typer.Option(help="what stopped the impact")] = "",
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Mark the incident mitigated (impact stopped)."""
    typer.echo(_line(_request("POST", f"/{number}/mitigate", url, token, json={"why": why})))


@app.command("resolve")
def resolve(
    number: int,
    why: Annotated[str, typer.Option(help="how it was resolved")] = "",
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Resolve the incident."""
    typer.echo(_line(_request("POST", f"/{number}/resolve", url, token, json={"why": why})))


@app.command("report")
def report(
    number: int,
    out: Annotated[Path, typer.Option(help="folder for incident-N.md")] = Path("incidentReports"),
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Draft the postmortem from measured facts into incidentReports/incident-N.md."""
    written = _request("POST", f"/{number}/report", url, token)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"incident-{number}.md"  # our name, never the one the server sends
    path.write_text(written["markdown"], encoding="utf-8")
    typer.echo(f"wrote {path} (incident {number} is {written['status']})")


@app.command("runbook")
def runbook(number: int, name: str, url: UrlOption = None, token: TokenOption = None) -> None:
    """Run a runbook on an incident now (each step goes on its timeline); waits for it."""
    started = _request("POST", f"/{number}/runbooks/{name}", url, token)
    result = started
    while result["status"] == "running":
        time.sleep(1.0)
        result = ops_request("GET", started["location"], url=url, token=token)
    if result["status"] != "finished":
        fail(f"runbook {name}: {result.get('message', 'the run failed')}")
    for step in result["steps"]:
        typer.echo(f"{'ok  ' if step['ok'] else 'FAIL'} {step['text']}")
    if result["escalated"]:
        fail(f"runbook {name} did not clear its alerts by its deadline: a person was paged")
    typer.echo(f"runbook {name}: alerts cleared")


app.command("review")(review_report)
app.command("stats")(stats)

"""`jwtpizza incident review FILE.md`: check a written postmortem against ops' record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail
from jwtpizza.cli.ops_api import TokenOption, UrlOption, ops_request

MARKS = {"confirmed": "ok ", "contradicted": "NO ", "not checkable": " ? "}


def read_report(path: Path) -> str:
    """The report's text, or exit with one line saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"{path} is not a Markdown report: it is not UTF-8 text")


def as_text(review: dict[str, Any]) -> str:
    """The review as lines of text: verdicts, sections, score and fixes."""
    lines = [f"Review against incident {review['incident_id']}: score {review['score']}/100"]
    lines += [f"  ({note})" for note in review["assumptions"]]
    for v in review["verdicts"]:
        measured = "" if v["measured"] is None else f"; measured {v['measured']}"
        lines.append(
            f"{MARKS[v['status']]} {v['section']}: {v['claim']}: {v['stated']}"
            f"{measured} [{v['source']}]"
        )
    gaps = [f"{s['name']} {s['status']}" for s in review["sections"] if s["status"] != "present"]
    lines.append("Sections: " + (", ".join(gaps) if gaps else "all nine present"))
    if review["fixes"]:
        lines.append("To fix:")
        lines += [f"  - {fix}" for fix in review["fixes"]]
    return "\n".join(lines)


def review(
    file: Annotated[Path, typer.Argument(help="the postmortem, in Markdown")],
    incident: Annotated[int | None, typer.Option(help="the incident it describes")] = None,
    tolerance: Annotated[float, typer.Option(help="seconds a stated time may be off")] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the review as JSON")] = False,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Check each claim of a written postmortem against what ops measured."""
    body = {"markdown": read_report(file), "incident": incident, "toleranceSeconds": tolerance}
    found = ops_request("POST", "/api/ops/reviews", url=url, token=token, json=body)
    typer.echo(json.dumps(found, indent=2) if as_json else as_text(found))

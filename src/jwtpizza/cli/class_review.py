"""`jwtpizza class review FOLDER`: each student's postmortem checked against the factory's
record of that student's faults; the results are kept in FOLDER/reviews.json for
`jwtpizza class report --reviews FOLDER`."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from jwtpizza.cli.errors import fail, readable_errors

RESULTS = "reviews.json"


def _best(text: str, faults: list[Any]) -> dict[str, Any]:
    """The review against the student's fault the report matches best."""
    from jwtpizza.ops.reviews.check import CONFIRMED, CONTRADICTED, review
    from jwtpizza.ops.reviews.record import record_of_fault
    from jwtpizza.ops.reviews.sections import split

    doc = split(text)
    reviews = [
        review(doc, record_of_fault(f.fault_id, f.type, f.start_at, f.ended_at, f.end_reason))
        for f in faults
    ]
    best = max(reviews, key=lambda r: r.score)
    statuses = [v.status for v in best.verdicts]
    return {
        "fault": best.incident_id,
        "score": best.score,
        "confirmed": statuses.count(CONFIRMED),
        "contradicted": statuses.count(CONTRADICTED),
        "fixes": best.fixes,
    }


def review_folder(
    folder: Annotated[Path, typer.Argument(help="students' reports, named by vendor id")],
    prefix: Annotated[str, typer.Option(help="Vendor ids are PREFIX-01, ...")] = "student",
) -> None:
    """Review every student's postmortem (FOLDER/PREFIX-NN*.md) against their faults."""
    from jwtpizza.factory.classroom import student_faults
    from jwtpizza.factory.settings import FactorySettings

    if not folder.is_dir():
        fail(f"{folder} is not a folder of reports")
    with readable_errors():
        faults = asyncio.run(student_faults(FactorySettings(), prefix=prefix))
    results: dict[str, Any] = {}
    pattern = re.compile(rf"{re.escape(prefix)}-\d+")
    for path in sorted(folder.glob("*.md")):
        found = pattern.search(path.stem)
        if found is None:
            typer.echo(f"{path.name}: skipped, no {prefix}-NN in its name")
            continue
        vendor = found.group(0)
        mine = [f for f in faults if f.vendor_id == vendor]
        results[vendor] = {"file": path.name, **_reviewed(path, mine)}
        typer.echo(_line(vendor, results[vendor]))
    (folder / RESULTS).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"wrote {folder / RESULTS} ({len(results)} reports)")


def _reviewed(path: Path, faults: list[Any]) -> dict[str, Any]:
    from jwtpizza.errors import JwtPizzaError

    if not faults:
        return {"problem": "the factory recorded no fault for this student"}
    try:
        return _best(path.read_text(encoding="utf-8"), faults)
    except UnicodeDecodeError:
        return {"problem": "not a Markdown report (not UTF-8 text)"}
    except JwtPizzaError as error:
        return {"problem": str(error)}


def _line(vendor: str, result: dict[str, Any]) -> str:
    if "problem" in result:
        return f"{vendor}: {result['file']}: {result['problem']}"
    counts = f"{result['confirmed']} confirmed, {result['contradicted']} contradicted"
    return (
        f"{vendor}: {result['file']}: score {result['score']}, {counts} (fault {result['fault']})"
    )


def reviewed_columns(folder: Path, vendors: list[str]) -> list[list[str]]:
    """Per vendor: whether its postmortem was reviewed, and the score."""
    path = folder / RESULTS
    if not path.is_file():
        fail(f"no {RESULTS} in {folder}: run `jwtpizza class review {folder}` first")
    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    columns = []
    for vendor in vendors:
        result = results.get(vendor, {})
        score = result.get("score")
        columns.append(["no", ""] if score is None else ["yes", str(score)])
    return columns

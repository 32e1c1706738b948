"""`jwtpizza class`: instructor mode. Works on the factory database, as `jwtpizza chaos` does."""

from __future__ import annotations

import asyncio
import csv
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from jwtpizza.cli.chaos import build_request
from jwtpizza.cli.class_review import review_folder, reviewed_columns
from jwtpizza.cli.errors import fail, readable_errors
from jwtpizza.factory.chaos.schemas import ScoreboardRow
from jwtpizza.factory.settings import FactorySettings

if TYPE_CHECKING:
    from jwtpizza.factory.classroom import Student

app = typer.Typer(
    help="Instructor mode: a class of vendors with surprise faults, and a scoreboard."
)
console = Console()
Prefix = Annotated[str, typer.Option(help="Vendor ids are PREFIX-01, PREFIX-02, ...")]
CsvFile = Annotated[Path | None, typer.Option("--csv", help="Also write CSV here (- for stdout)")]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    def write(out: TextIO) -> None:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)

    if str(path) == "-":
        write(sys.stdout)
        return
    with path.open("w", newline="", encoding="utf-8") as out:
        write(out)


def _table(header: list[str], rows: list[list[str]]) -> Table:
    table = Table()
    for column in header:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    return table


@app.command()
def create(
    students: Annotated[int, typer.Option(help="How many students (vendors)")],
    window: Annotated[
        str | None,
        typer.Option(help="Faults start within 10m/1h, or in START/END (ISO); default tomorrow"),
    ] = None,
    prefix: Prefix = "student",
    seed: Annotated[int | None, typer.Option(help="Seed of the fault types")] = None,
    csv_file: CsvFile = None,
) -> None:
    """Create the students' vendors with their API keys, each with a surprise fault."""
    if not 1 <= students <= 500:
        fail("--students must be between 1 and 500")
    from jwtpizza.factory.classroom import create_class

    with readable_errors():
        timed = window is not None and "/" in window
        request = build_request(
            now=False,
            at=None,
            within=None if timed else window,
            window=window if timed else None,
            options={},
        )
        roster = asyncio.run(
            create_class(
                FactorySettings(),
                students=students,
                prefix=prefix,
                request=request,
                rng=random.Random(seed),
            )
        )
    header, rows = ["vendor", "API key", "fault starts"], _roster_rows(roster)
    console.print(_table(header, rows))
    console.print(
        "Each student sets JWTPIZZA_FACTORY_API_KEY to their key; the fault's type is a surprise."
    )
    if csv_file:
        _write_csv(csv_file, header, rows)


def _roster_rows(roster: list[Student]) -> list[list[str]]:
    return [[s.vendor_id, s.api_key, s.fault_starts] for s in roster]


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _board_rows(board: list[ScoreboardRow]) -> list[list[str]]:
    return [
        [
            str(rank),
            row.vendor_id,
            str(row.faults),
            str(row.resolved),
            str(row.open),
            _seconds(row.best_seconds_to_resolve),
            _seconds(row.mean_seconds_to_resolve),
            _seconds(row.last_seconds_to_resolve),
        ]
        for rank, row in enumerate(board, 1)
    ]


@app.command()
def report(
    prefix: Prefix = "student",
    csv_file: CsvFile = None,
    reviews: Annotated[Path | None, typer.Option(help="folder `class review` wrote")] = None,
) -> None:
    """The class's scoreboard: time to resolve per student, fastest first, with faults
    resolved and (with --reviews) whether each postmortem was reviewed and its score."""
    from jwtpizza.factory.classroom import class_scoreboard

    with readable_errors():
        board = asyncio.run(class_scoreboard(FactorySettings(), prefix=prefix))
    header = ["rank", "vendor", "faults", "resolved", "open", "best s", "mean s", "last s"]
    rows = _board_rows(board)
    if reviews is not None:
        header += ["postmortem", "score"]
        reviewed = reviewed_columns(reviews, [row.vendor_id for row in board])
        rows = [row + extra for row, extra in zip(rows, reviewed, strict=True)]
    if csv_file is not None and str(csv_file) == "-":
        _write_csv(csv_file, header, rows)
        return
    console.print(_table(header, rows) if rows else f"No vendors named {prefix}-NN yet.")
    if csv_file:
        _write_csv(csv_file, header, rows)


app.command("review")(review_folder)

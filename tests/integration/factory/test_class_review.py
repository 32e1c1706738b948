"""`jwtpizza class review FOLDER` and the report's review columns, on a real factory database."""

from __future__ import annotations

import asyncio
import csv
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app
from jwtpizza.factory.classroom import student_faults
from jwtpizza.factory.settings import FactorySettings
from tests.integration.factory.test_factory_classroom import faults, follow_report_link


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FactorySettings:
    monkeypatch.setenv("JWTPIZZA_FACTORY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/f.db")
    monkeypatch.setenv("JWTPIZZA_FACTORY_PUBLIC_BASE_URL", "http://factory.test")
    return FactorySettings()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def report(start: str, end: str, cause: str) -> str:
    return (f"# Incident\n\n## Summary\nOrders failed between {start} UTC and {end} UTC.\n\n"
            f"## Root cause\nThe factory's chaos fault `{cause}`.\n\n"
            "## Resolution\nI followed the report link in the error.\n")  # fmt: skip


def test_review_a_class_folder_against_each_students_faults(
    settings: FactorySettings, tmp_path: Path
) -> None:
    run("class", "create", "--students", "2", "--window", "1s", "--seed", "2")
    time.sleep(1.2)  # every fault has started
    first = faults(settings)["student-01"]
    asyncio.run(follow_report_link(settings, str(first["token"]), str(first["fixCode"])))
    by_vendor = {f.vendor_id: f for f in asyncio.run(student_faults(settings, prefix="student"))}
    one, two = by_vendor["student-01"], by_vendor["student-02"]
    assert one.ended_at is not None
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "student-01.md").write_text(
        report(f"{one.start_at:%H:%M:%S}", f"{one.ended_at:%H:%M:%S}", one.type)
    )
    wrong = one.start_at + timedelta(hours=2)
    cause = "outage" if two.type == "ratelimit" else "ratelimit"
    (folder / "student-02-postmortem.md").write_text(
        report(f"{wrong:%H:%M:%S}", f"{wrong:%H:%M:%S}", cause)
    )
    (folder / "notes.md").write_text("# Notes\n")
    out = run("class", "review", str(folder))
    assert "notes.md: skipped, no student-NN in its name" in out
    results = json.loads((folder / "reviews.json").read_text())
    mine, theirs = results["student-01"], results["student-02"]
    # window start and end, cause and how it ended; six sections missing cost the rest
    assert (mine["contradicted"], mine["confirmed"], mine["score"]) == (0, 4, 65)
    assert theirs["contradicted"] >= 2 and theirs["score"] < mine["score"]  # start, cause
    table = run("class", "report", "--csv", "-", "--reviews", str(folder))
    board = list(csv.DictReader(table.splitlines()))
    scores = {row["vendor"]: (row["resolved"], row["postmortem"], row["score"]) for row in board}
    assert scores["student-01"] == ("1", "yes", "65")
    assert scores["student-02"] == ("0", "yes", str(theirs["score"]))
    missing = CliRunner().invoke(app, ["class", "report", "--reviews", str(tmp_path)])
    assert missing.exit_code == 1 and "run `jwtpizza class review" in missing.output


def test_bad_input_is_one_line(settings: FactorySettings, tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    missing = CliRunner().invoke(app, ["class", "review", str(nowhere)])
    assert missing.exit_code == 1
    assert missing.output == f"error: {nowhere} is not a folder of reports\n"
    run("class", "create", "--students", "1", "--window", "1s", "--seed", "2")
    time.sleep(1.2)  # the fault has started
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "student-01.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    (folder / "student-02.md").write_text("# Incident\n\n## Summary\nAt 10:00 UTC it broke.\n")
    out = run("class", "review", str(folder))
    assert "student-01: student-01.md: not a Markdown report (not UTF-8 text)\n" in out
    assert "student-02: student-02.md: the factory recorded no fault for this student\n" in out
    (folder / "student-01.md").write_text("# Incident\n\n## Summary\nIt broke, then it healed.\n")
    out = run("class", "review", str(folder))
    assert "student-01: student-01.md: the report states no times of day" in out

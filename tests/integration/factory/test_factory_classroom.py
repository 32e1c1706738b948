"""`jwtpizza class create|report` and `jwtpizza up --surprise` against a real factory database."""

from __future__ import annotations

import asyncio
import csv
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app
from jwtpizza.cli.practice import schedule_surprise
from jwtpizza.factory import control
from jwtpizza.factory.app import create_app
from jwtpizza.factory.chaos.domain import ChaosType
from jwtpizza.factory.chaos.service import RESOLVED
from jwtpizza.factory.settings import FactorySettings


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> FactorySettings:
    """A fresh factory database on each backend; the CLI reads it from the environment."""
    monkeypatch.setenv("JWTPIZZA_FACTORY_DATABASE_URL", database_url)
    monkeypatch.setenv("JWTPIZZA_FACTORY_PUBLIC_BASE_URL", "http://factory.test")
    return FactorySettings()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def faults(settings: FactorySettings) -> dict[str, dict[str, object]]:
    return {
        row["vendorId"]: row for row in asyncio.run(control.chaos_status(settings, vendor_id=None))
    }


async def follow_report_link(settings: FactorySettings, token: str, fix_code: str) -> str:
    factory = create_app(settings)
    async with (
        factory.router.lifespan_context(factory),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=factory), base_url="http://f"
        ) as client,
    ):
        answer = await client.get(f"/api/support/{token}/report/{fix_code}")
    assert answer.status_code == 200, answer.text
    message: str = answer.json()["message"]
    return message


def test_a_class_gets_keys_and_surprise_faults_within_the_window(
    settings: FactorySettings, tmp_path: Path
) -> None:
    roster_file = tmp_path / "roster.csv"
    before = datetime.now().astimezone()
    out = run(
        "class",
        "create",
        "--students",
        "3",
        "--window",
        "10m",
        "--seed",
        "1",
        "--csv",
        str(roster_file),
    )
    roster = list(csv.DictReader(roster_file.read_text().splitlines()))
    assert [row["vendor"] for row in roster] == ["student-01", "student-02", "student-03"]
    assert len({row["API key"] for row in roster}) == 3
    assert all(row["vendor"] in out for row in roster)
    scheduled = faults(settings)
    for row in roster:
        fault = scheduled[row["vendor"]]
        assert fault["state"] == "scheduled"
        assert fault["type"] in set(ChaosType)
        start = datetime.fromisoformat(str(fault["startDate"]))
        assert before <= start <= before + timedelta(minutes=10, seconds=5)


def test_creating_an_existing_student_changes_nothing(settings: FactorySettings) -> None:
    run("class", "create", "--students", "2")
    out = run("class", "create", "--students", "3", code=1)
    assert "vendor student-01 already exists; choose another prefix" in out
    assert "student-03" not in faults(settings)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--students", "0"], "--students must be between 1 and 500"),
        (["--students", "2", "--window", "soon"], "is not a duration"),
    ],
)
def test_bad_class_input_is_one_clear_line(
    settings: FactorySettings, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["class", "create", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_the_report_ranks_students_by_time_to_resolve(
    settings: FactorySettings, tmp_path: Path
) -> None:
    run("class", "create", "--students", "3", "--window", "1s", "--seed", "2")
    time.sleep(1.2)  # every fault has started
    scheduled = faults(settings)
    fixed = scheduled["student-02"]
    message = asyncio.run(follow_report_link(settings, str(fixed["token"]), str(fixed["fixCode"])))
    assert message == RESOLVED

    board_file = tmp_path / "board.csv"
    out = run("class", "report", "--csv", str(board_file))
    board = list(csv.DictReader(board_file.read_text().splitlines()))
    assert board[0]["vendor"] == "student-02"
    assert board[0]["resolved"] == "1" and float(board[0]["mean s"]) >= 0
    assert {row["vendor"] for row in board} == {"student-01", "student-02", "student-03"}
    assert all(row["resolved"] == "0" and row["mean s"] == "" for row in board[1:])
    assert "student-02" in out
    assert run("class", "report", "--csv", "-").startswith("rank,vendor,faults")


def test_a_surprise_is_a_random_type_within_the_window(settings: FactorySettings) -> None:
    from jwtpizza.factory.demo import ensure_demo_vendor

    asyncio.run(ensure_demo_vendor(settings))
    before = datetime.now().astimezone()
    chosen = asyncio.run(schedule_surprise(settings, within_seconds=600, rng=random.Random(5)))
    fault = faults(settings)["demo"]
    assert fault["type"] == chosen and fault["state"] == "scheduled"
    start = datetime.fromisoformat(str(fault["startDate"]))
    assert before <= start <= before + timedelta(seconds=605)

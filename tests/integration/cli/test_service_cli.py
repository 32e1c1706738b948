"""The service's CLI on a real SQLite file: migrate, seed, admin create, and the refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.db import Database
from jwtpizza.service.users import service as users


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "JWTPIZZA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "JWTPIZZA_BCRYPT_ROUNDS": "4",
        "JWTPIZZA_DATA_DIR": str(tmp_path),
    }


def run(env: dict[str, str], *args: str, prompt: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, input=prompt)
    return result.exit_code, result.output


def test_seed_needs_an_explicit_demo_flag(env: dict[str, str]) -> None:
    code, output = run(env, "db", "seed")
    assert code == 1 and "pass --demo" in output
    code, output = run(env, "db", "seed", "--demo")
    assert code == 0 and "a@jwt.com" in output
    code, _ = run(env, "db", "seed", "--demo")  # a second run changes nothing
    assert code == 0
    code, output = run(env, "db", "check")
    assert code == 0 and output.rstrip().endswith("every reference resolves")


def test_admin_create_prompts_twice_and_applies_the_password_policy(env: dict[str, str]) -> None:
    code, output = run(env, "admin", "create", "Ops Admin", "ops@jwt.com", prompt="s3cret!\n")
    assert code == 1 and "no database at" in output  # it never creates an empty one
    assert run(env, "db", "migrate")[0] == 0
    code, output = run(env, "admin", "create", "Ops Admin", "ops@jwt.com", prompt="abc\nabc\n")
    assert code == 1 and "password: must be at least 4 characters" in output
    code, output = run(
        env, "admin", "create", "Ops Admin", "ops@jwt.com", prompt="s3cret!\ns3cret!\n"
    )
    assert code == 0 and "admin ops@jwt.com created" in output
    assert "s3cret!" not in output
    code, output = run(env, "admin", "create", "Again", "OPS@jwt.com", prompt="s3cret!\ns3cret!\n")
    assert code == 1 and "already registered" in output
    code, output = run(env, "admin", "create", "Bad", "not-an-email", prompt="s3cret!\ns3cret!\n")
    assert code == 1 and "error: email: An email address must have an @-sign." in output


def test_the_service_refuses_to_start_without_a_secret_outside_demo_mode(
    env: dict[str, str],
) -> None:
    code, output = run(env, "service")
    assert code == 1
    assert "JWTPIZZA_JWT_SECRET must be set" in output
    code, output = run({**env, "JWTPIZZA_JWT_SECRET": "demo-jwt-secret-not-for-production"},
                       "service")  # fmt: skip
    assert code == 1 and "public demo value" in output


async def test_migrate_creates_no_accounts(env: dict[str, str]) -> None:
    """No default admin outside demo mode: a migrated database has no users at all."""
    code, output = await asyncio.to_thread(run, env, "db", "migrate")
    assert code == 0 and "up to date" in output
    db = Database(env["JWTPIZZA_DATABASE_URL"])
    async with db.reader() as session:
        assert await users.count(session=session) == 0
    await db.dispose()

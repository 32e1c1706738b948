"""The database backends the tests run against, and a brand-new database for each test.

SQLite is always there. MariaDB and PostgreSQL are used when their admin URLs are in the
environment (`eval "$(scripts/test-databases start)"` sets both); that user may create and
drop databases, so each test gets its own empty one and drops it afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

SERVER_URL_ENV = {
    "mysql": "JWTPIZZA_TEST_MYSQL_URL",
    "postgresql": "JWTPIZZA_TEST_POSTGRESQL_URL",
}
# Filled per test with the test's own tmp_path.
SQLITE_URL = "sqlite+aiosqlite:///{tmp_path}/test.db"
REQUIRE_ENV = "JWTPIZZA_REQUIRE_DB_BACKENDS"
# The SQLite case of a test parametrised by `db_backend` (its id among the test's ids).
SQLITE_CASE = re.compile(r"[\[-]sqlite[\]-]")


def database_urls() -> dict[str, str]:
    """`sqlite` (a template) and each server backend whose admin URL is configured."""
    urls = {"sqlite": SQLITE_URL}
    for backend, variable in SERVER_URL_ENV.items():
        if url := os.environ.get(variable):
            urls[backend] = url
    return urls


def required_backends() -> list[str]:
    """The backends that `JWTPIZZA_REQUIRE_DB_BACKENDS` (comma-separated) says must be tested."""
    value = os.environ.get(REQUIRE_ENV, "")
    return [name.strip() for name in value.split(",") if name.strip()]


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the URL of a new, empty database on `backend`; a server database is dropped after."""
    if backend == "sqlite":
        yield SQLITE_URL.format(tmp_path=tmp_path)
        return
    admin_url = make_url(database_urls()[backend])
    name = f"jp_{secrets.token_hex(6)}"
    # CREATE/DROP DATABASE cannot run inside a transaction on PostgreSQL.
    admin = create_async_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE: a connection the test left open must not keep its database alive.
            force = " WITH (FORCE)" if backend == "postgresql" else ""
            async with admin.connect() as connection:
                await connection.execute(text(f"DROP DATABASE {name}{force}"))
    finally:
        await admin.dispose()


class BackendRequirement:
    """A pytest plugin that fails the session when a required backend was not tested.

    CI sets `JWTPIZZA_REQUIRE_DB_BACKENDS=mysql,postgresql` so that a missing server URL, or
    a suite in which every server test was skipped or deselected, cannot pass quietly.
    """

    def __init__(self, required: list[str]) -> None:
        self.required = required
        self.executed: Counter[str] = Counter()
        self.problems: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and not report.skipped:
            self.executed.update(name for name in self.required if name in report.keywords)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        configured = database_urls()
        for name in self.required:
            if name not in SERVER_URL_ENV:
                self.problems.append(
                    f"{name}: unknown backend (known: {', '.join(SERVER_URL_ENV)})"
                )
            elif name not in configured:
                self.problems.append(f"{name}: {SERVER_URL_ENV[name]} is not set")
            elif not self.executed[name]:
                self.problems.append(f"{name}: no test ran against it")
        if self.problems and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.problems:
            return
        terminalreporter.section(f"{REQUIRE_ENV} not met", red=True, bold=True)
        for problem in self.problems:
            terminalreporter.write_line(problem, red=True)


class UnsetBackends:
    """Says in pytest's summary line how many database tests were not run because a
    server's URL is unset (each SQLite case stands for one per missing server)."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        self.not_run = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # From reports, not items: under pytest-xdist only the controller prints the summary.
        if report.when == "setup" and SQLITE_CASE.search(report.nodeid):
            self.not_run += len(self.missing)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.not_run:
            label = f"not run ({'/'.join(self.missing)} URLs unset)"
            # Placeholders with a `__dict__`: other plugins (Hypothesis) read every report's.
            placeholders = [SimpleNamespace() for _ in range(self.not_run)]
            terminalreporter.stats.setdefault(label, []).extend(placeholders)

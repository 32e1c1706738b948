"""Fixtures for every test: the database backends (see tests/support/dbservers.py).

`database_url` is a brand-new empty database for one test, on each configured backend in
turn: SQLite always, MariaDB (marker `mysql`) and PostgreSQL (marker `postgresql`) when
`scripts/test-databases start` has set their URLs. `server_database_url` is the same on the
servers only, for what SQLite cannot do (row locks, several writers).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.dbservers import (
    SERVER_URL_ENV,
    BackendRequirement,
    UnsetBackends,
    database_urls,
    fresh_database,
    required_backends,
)


def _backend_param(backend: str) -> Any:
    marks = [] if backend == "sqlite" else [getattr(pytest.mark, backend)]
    return pytest.param(backend, marks=marks, id=backend)


@pytest.fixture(params=[_backend_param(backend) for backend in database_urls()])
def db_backend(request: pytest.FixtureRequest) -> str:
    """`sqlite`, `mysql` or `postgresql`: each configured backend in turn."""
    backend: str = request.param
    return backend


@pytest.fixture
async def database_url(db_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database on `db_backend`, dropped after the test."""
    async with fresh_database(db_backend, tmp_path) as url:
        yield url


@pytest.fixture(
    params=[_backend_param(backend) for backend in database_urls() if backend != "sqlite"]
)
def server_backend(request: pytest.FixtureRequest) -> str:
    """`mysql` or `postgresql`: each configured database server in turn, for what SQLite lacks."""
    backend: str = request.param
    return backend


@pytest.fixture
async def server_database_url(server_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database on `server_backend`, dropped after the test."""
    async with fresh_database(server_backend, tmp_path) as url:
        yield url


def pytest_configure(config: pytest.Config) -> None:
    # `jwtpizza up` records its data folder under XDG_STATE_HOME; tests (and the processes
    # they start) get a state folder of their own, never the developer's.
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="jwtpizza-test-state-")
    # Under pytest-xdist the controller sees every worker's reports: it alone checks them.
    is_worker = hasattr(config, "workerinput")
    if (required := required_backends()) and not is_worker:
        config.pluginmanager.register(BackendRequirement(required), "jwtpizza-db-backends")
    if (missing := [n for n in SERVER_URL_ENV if n not in database_urls()]) and not is_worker:
        config.pluginmanager.register(UnsetBackends(missing), "jwtpizza-unset-backends")


def pytest_report_header() -> str:
    required = ", ".join(required_backends()) or "none"
    return f"database backends: {', '.join(database_urls())} (required: {required})"

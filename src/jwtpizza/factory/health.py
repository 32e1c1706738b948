"""Liveness and readiness of the factory, as every component has them."""

from __future__ import annotations

from fastapi import Request

from jwtpizza.db import Database
from jwtpizza.factory.runtime import Runtime
from jwtpizza.http.health import health_router


def _database(request: Request) -> Database:
    runtime: Runtime = request.app.state.runtime
    return runtime.db


router = health_router(_database, version_table="alembic_version_factory")

"""Liveness and readiness of the factory, as every component has them."""

from __future__ import annotations

from fastapi import Request

from jwtpizza.db import Database
from jwtpizza.factory.context import FactoryContext
from jwtpizza.http.health import health_router


def _database(request: Request) -> Database:
    context: FactoryContext = request.app.state.context
    return context.db


router = health_router(_database, version_table="alembic_version_factory")

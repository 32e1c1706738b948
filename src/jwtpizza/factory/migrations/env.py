"""Alembic environment: always online, over the connection `upgrade()` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import jwtpizza.factory.accounts
import jwtpizza.factory.badges.models
import jwtpizza.factory.chaos.models
import jwtpizza.factory.keys
import jwtpizza.factory.orders.models
import jwtpizza.factory.vendors.models  # noqa: F401 - registers the tables
from jwtpizza.factory.base import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run factory migrations through jwtpizza.factory.migrations.upgrade()")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="alembic_version_factory",
)
with context.begin_transaction():
    context.run_migrations()

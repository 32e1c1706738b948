"""Alembic environment: always online, over the connection `upgrade()` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from jwtpizza.ops.base import Base
from jwtpizza.ops.tables import import_models

import_models()
connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run ops migrations through jwtpizza.ops.migrations.upgrade()")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="alembic_version_ops",
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment for the pizza service: uses the connection `jwtpizza.db.migrate` passes."""

from alembic import context

from jwtpizza.service.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

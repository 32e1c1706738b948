"""Alembic environment: always online, over the connection `upgrade()` passes in."""

from __future__ import annotations

from jwtpizza.db.migrate import run_environment
from jwtpizza.ops.base import Base
from jwtpizza.ops.tables import import_models

import_models()
run_environment(Base.metadata, component="ops", version_table="alembic_version_ops")

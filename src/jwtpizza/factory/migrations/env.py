"""Alembic environment: always online, over the connection `upgrade()` passes in."""

from __future__ import annotations

import jwtpizza.factory.accounts
import jwtpizza.factory.badges.models
import jwtpizza.factory.chaos.models
import jwtpizza.factory.keys
import jwtpizza.factory.orders.models
import jwtpizza.factory.vendors.models  # noqa: F401 - registers the tables
from jwtpizza.db.migrate import run_environment
from jwtpizza.factory.base import Base

run_environment(Base.metadata, component="factory", version_table="alembic_version_factory")

"""Each component's migrations build exactly the tables its models declare.

Run in a fresh interpreter on a fresh SQLite file, a component's migrations (its `env.py`)
must have every table of the component's models in their target metadata: a new model
module that `env.py` does not import is missed there (autogenerate would not see it). On the
migrated file, Alembic's autogenerate comparison against all the models finds nothing to add,
drop or change.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

# component: (the function that migrates it, the module of its declarative `Base`)
COMPONENTS = {
    "factory": ("jwtpizza.factory.migrations:upgrade", "jwtpizza.factory.base"),
    "ops": ("jwtpizza.ops.migrations:upgrade", "jwtpizza.ops.base"),
    "service": ("jwtpizza.service.seed:migrate", "jwtpizza.service.database"),
}
VERSION_TABLES = {
    "factory": "alembic_version_factory",
    "ops": "alembic_version_ops",
    "service": "alembic_version",
}

MIGRATE = """
import asyncio, importlib, json, sys
from jwtpizza.db import Database

target, base_module, url = sys.argv[1:]
module, name = target.split(":")
upgrade = getattr(importlib.import_module(module), name)

async def main():
    db = Database(url, pooled=False)
    try:
        await upgrade(db)
    finally:
        await db.dispose()

asyncio.run(main())
print(json.dumps(sorted(importlib.import_module(base_module).Base.metadata.tables)))
"""


def all_models(component: str, base_module: str) -> MetaData:
    """The component's metadata once every one of its modules is imported."""
    package = importlib.import_module(f"jwtpizza.{component}")
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    metadata = importlib.import_module(base_module).Base.metadata
    assert isinstance(metadata, MetaData)
    return metadata


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_migrations_register_and_build_every_model_table(component: str, tmp_path: Path) -> None:
    target, base_module = COMPONENTS[component]
    path = tmp_path / f"{component}.db"
    migrated = subprocess.run(
        [sys.executable, "-c", MIGRATE, target, base_module, f"sqlite+aiosqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    registered = set(json.loads(migrated.stdout.strip().splitlines()[-1]))
    models = all_models(component, base_module)
    assert registered == set(models.tables)

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "version_table": VERSION_TABLES[component]}
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, models) == []
    finally:
        engine.dispose()

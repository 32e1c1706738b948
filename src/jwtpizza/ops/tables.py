"""Every ops table module, imported in one place so the metadata is complete for migrations.

Each part of ops that owns tables adds its `models` module here.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "jwtpizza.ops.alerts.models",
    "jwtpizza.ops.notify.models",
    "jwtpizza.ops.oncall.models",
    "jwtpizza.ops.incidents.models",
    "jwtpizza.ops.actions.models",
    "jwtpizza.ops.leadership",
)


def import_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)

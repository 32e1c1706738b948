"""Every `JWTPIZZA_*` environment variable the project reads, and the start-up check that
names the ones it does not read.

pydantic-settings ignores variables it does not know, so a misspelt setting
(`JWTPIZZA_FACTORY_ORDER_DELAY` for `JWTPIZZA_FACTORY_ORDER_DELAY_SECONDS`) would be dropped
without a word. The commands that start components call `warn_unknown_variables()` first: one
line per unknown variable on standard error, with the closest known name. The same catalog
generates the configuration page of the docs (`jwtpizza.cli.reference`).

Importing this module imports every component's settings (about a second), so the CLI imports
it only for the commands that start components.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO

from pydantic_settings import BaseSettings

from jwtpizza.factory.settings import FactorySettings
from jwtpizza.observability.settings import ObservabilitySettings
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.probes import ProbeSettings
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.service.settings import ServiceSettings

PREFIX = "JWTPIZZA_"


@dataclass(frozen=True)
class SettingsGroup:
    """One settings class: who reads it, and the variables it reads."""

    reader: str
    settings: type[BaseSettings]

    @property
    def prefix(self) -> str:
        return str(self.settings.model_config.get("env_prefix", ""))

    def fields(self) -> Iterator[str]:
        """Field names read from the environment (a nested settings class reads its own)."""
        for name, field in self.settings.model_fields.items():
            annotation = field.annotation
            if not (isinstance(annotation, type) and issubclass(annotation, BaseSettings)):
                yield name


SETTINGS_GROUPS = (
    SettingsGroup("pizza service", ServiceSettings),
    SettingsGroup("the service's factory calls", ResilienceSettings),
    SettingsGroup("pizza factory", FactorySettings),
    SettingsGroup("metrics, logs and traces of every component", ObservabilitySettings),
    SettingsGroup("ops", OpsSettings),
    SettingsGroup("ops: notification", NotifySettings),
    SettingsGroup("ops: on-call and the Alertmanager intake", OncallSettings),
    SettingsGroup("ops: incidents, reports and runbooks", IncidentSettings),
    SettingsGroup("ops: the synthetic order probe", ProbeSettings),
)


@dataclass(frozen=True)
class OtherVariable:
    """A variable read outside the settings classes (by the CLI or the test scripts)."""

    name: str
    reader: str
    secret: bool
    description: str


OTHER_VARIABLES = (
    OtherVariable(
        "JWTPIZZA_DATA_DIR", "every component and the CLI", False,
        "Where embedded SQLite files and keys live: this, else the folder the last "
        "`jwtpizza up` recorded (`$XDG_STATE_HOME/jwtpizza/data-dir`), else `./var`.",
    ),
    OtherVariable(
        "JWTPIZZA_TOKEN", "the CLI", True,
        "An admin token of the pizza service for `jwtpizza logs` and the ops commands "
        "(as `--token`).",
    ),
    OtherVariable(
        "JWTPIZZA_PASSWORD", "the CLI", True,
        "The password `jwtpizza logs --email` and `jwtpizza admin create` would ask for.",
    ),
    OtherVariable(
        "JWTPIZZA_TEST_MYSQL_URL", "the test scripts", True,
        "MariaDB server for the integration tests (`scripts/test-databases start` exports it).",
    ),
    OtherVariable(
        "JWTPIZZA_TEST_POSTGRESQL_URL", "the test scripts", True,
        "PostgreSQL server for the integration tests (`scripts/test-databases start` exports it).",
    ),
    OtherVariable(
        "JWTPIZZA_TEST_DB_DIR", "the test scripts", False,
        "Where `scripts/test-databases` keeps its servers (`/tmp/jwtpizza-dbs`).",
    ),
    OtherVariable(
        "JWTPIZZA_TEST_MYSQL_PORT", "the test scripts", False,
        "MariaDB's port in `scripts/test-databases`.",
    ),
    OtherVariable(
        "JWTPIZZA_TEST_POSTGRESQL_PORT", "the test scripts", False,
        "PostgreSQL's port in `scripts/test-databases`.",
    ),
    OtherVariable(
        "JWTPIZZA_PG_BIN", "the test scripts", False,
        "PostgreSQL's `bin` folder for `scripts/test-databases` (default: the newest installed).",
    ),
    OtherVariable(
        "JWTPIZZA_IMAGE", "the compose file and `scripts/containers`", False,
        "The image the compose stack runs and `scripts/containers` builds.",
    ),
    OtherVariable(
        "JWTPIZZA_ENV_FILE", "the compose file", False,
        "The env file holding the stack's secrets (`deploy/compose/.env`).",
    ),
    OtherVariable(
        "JWTPIZZA_HTTP_PORT", "the compose file", False,
        "Host port of the load balancer in front of the service replicas (3000).",
    ),
    OtherVariable(
        "JWTPIZZA_HTTP_BIND", "the compose file", False,
        "Host address the load balancer's port is published on (127.0.0.1).",
    ),
    OtherVariable(
        "JWTPIZZA_OPS_HTTP_PORT", "the compose file", False,
        "Host port of ops in the compose stack (3300).",
    ),
    OtherVariable(
        "JWTPIZZA_OPS_2_HTTP_PORT", "the compose file", False,
        "Host port of the standby ops in the compose stack (3301).",
    ),
    OtherVariable(
        "JWTPIZZA_CONTAINER_CACHE", "`scripts/containers`", False,
        "Where `scripts/containers` keeps its base images and podman configuration.",
    ),
    OtherVariable(
        "JWTPIZZA_TEST_WORKERS", "the test scripts", False,
        "pytest-xdist workers of `scripts/test` (2; 0 runs in one process).",
    ),
    OtherVariable(
        "JWTPIZZA_REQUIRE_DB_BACKENDS", "the test scripts", False,
        "Backends a test run must have tested (`.ci/run` sets `mysql,postgresql`).",
    ),
)  # fmt: skip


def known_variables() -> frozenset[str]:
    """Every `JWTPIZZA_*` name some part of the project reads."""
    names = {other.name for other in OTHER_VARIABLES}
    for group in SETTINGS_GROUPS:
        names.update(f"{group.prefix}{field}".upper() for field in group.fields())
    return frozenset(names)


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One line per `JWTPIZZA_*` variable in `environ` that nothing reads, with the closest
    known name when one is close."""
    known = known_variables()
    lines = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known:
            continue
        close = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        lines.append(f"warning: {name} is not a JWTPIZZA setting and is ignored{hint}")
    return lines


def warn_unknown_variables(
    environ: Mapping[str, str] | None = None, out: TextIO | None = None
) -> None:
    """Print `unknown_variables` on standard error (or `out`)."""
    for line in unknown_variables(os.environ if environ is None else environ):
        print(line, file=out or sys.stderr)

"""Schemathesis fuzzes the running apps from their own OpenAPI (the service as a diner and an
admin, the factory as a vendor and its admin, ops as a diner, an admin and anonymously): no
answer is a 5xx, and every answer (status, content type, body) is one the schema documents.
Examples per operation are bounded so the run stays within a few minutes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.kit import ADMIN, DINER, bearer, login
from tests.security.ops_stack import LiveOps, live_ops
from tests.support.live import LivePair, live_pair

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure is reported as found
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePair]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    # Limits high enough that the fuzzer reaches the routes behind them.
    with live_pair(
        tmp,
        factory_overrides={"order_delay_seconds": 0.05},
        login_max_failures=10_000,
        register_max_per_address=10_000,
    ) as pair:
        yield pair


@pytest.fixture(scope="module")
def running_ops(tmp_path_factory: pytest.TempPathFactory, running: LivePair) -> Iterator[LiveOps]:
    # Limits high enough that the fuzzer reaches the routes behind them, refusals at once.
    with live_ops(
        tmp_path_factory.mktemp("fuzz-ops"), running, public_reads_per_minute=100_000,
        refused_per_minute=100_000, refused_answer_delay_seconds=0,
        log_searches_per_minute=100_000,
    ) as ops:  # fmt: skip
        yield ops


@pytest.fixture(scope="module")
def headers_by_role(running: LivePair) -> dict[str, dict[str, str]]:
    return {
        "diner": bearer(login(running.shop, DINER)[1]),
        "admin": bearer(login(running.shop, ADMIN)[1]),
        "vendor": {"Authorization": f"Bearer {running.vendor_key}"},
        "factory-admin": running.admin(),
    }


def fuzz(base_url: str, roles: list[dict[str, str]], *, skip: tuple[str, ...] = ()) -> list[str]:
    """Fuzz every operation of the app at `base_url` (but the paths in `skip`); the failures,
    one line each."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    for path in skip:
        schema = schema.exclude(path=path)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            for headers in roles:
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

        try:
            run()
        except KeyboardInterrupt:
            raise
        except BaseException as failure:  # a failure group; reported with the operation
            failures.append(f"{operation.label}: {str(failure)[:2000]}")
    return failures


def test_service_answers_as_documented(
    running: LivePair, headers_by_role: dict[str, dict[str, str]]
) -> None:
    roles = [headers_by_role["diner"], headers_by_role["admin"]]
    assert fuzz(running.service_url, roles) == []


def test_factory_answers_as_documented(
    running: LivePair, headers_by_role: dict[str, dict[str, str]]
) -> None:
    roles = [headers_by_role["vendor"], headers_by_role["factory-admin"]]
    assert fuzz(running.factory_url, roles) == []


def test_ops_answers_as_documented(
    running_ops: LiveOps, headers_by_role: dict[str, dict[str, str]]
) -> None:
    roles = [headers_by_role["diner"], headers_by_role["admin"], {}]
    # Logging out would revoke the admin token the rest of the run uses.
    assert fuzz(running_ops.url, roles, skip=("/api/ops/session",)) == []

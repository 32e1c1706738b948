"""What a failed attempt to make an order means: its reason, whether trying again could
help, and the link that ends the factory's fault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jwtpizza.service.factory_client import FactoryError
from jwtpizza.service.resilience import (
    BreakerOpen,
    OutcomeKind,
    Rejected,
    RetryLater,
    Verdict,
    classify_factory_failure,
)

# Outcomes about the order itself: retrying cannot help, so the order is rejected.
PERMANENT_REASONS = frozenset({"invalid_order", "oven_full"})


@dataclass(frozen=True)
class Failure:
    """Why an attempt produced no pizza, and whether trying again could help."""

    reason: str
    message: str
    permanent: bool
    retry_after: float | None = None
    report_url: str | None = None


def classify(error: Exception, now: datetime) -> Verdict | None:
    """The resilience verdict, knowing which factory answers are about the order itself."""
    if isinstance(error, FactoryError) and error.reason in PERMANENT_REASONS:
        return Verdict(OutcomeKind.PERMANENT, error.message)
    return classify_factory_failure(error, now)


def failure_from(
    error: FactoryError | Rejected | RetryLater, last_report_url: str | None = None
) -> Failure:
    """The failure a factory error, or a resilience outcome wrapping one, stands for. A
    failure that could be the factory's fault and names no report link of its own (the
    breaker refused the call, the factory did not answer) carries `last_report_url`."""
    factory = error if isinstance(error, FactoryError) else error.__cause__
    if isinstance(factory, FactoryError):
        reason = factory.reason
    elif isinstance(error, Rejected):
        reason = "invalid_order"
    else:
        reason = "breaker_open" if isinstance(error, BreakerOpen) else "timeout"
    permanent = isinstance(error, Rejected) or reason in PERMANENT_REASONS
    report_url = factory.report_url if isinstance(factory, FactoryError) else None
    return Failure(
        reason=reason,
        message=error.message,
        permanent=permanent,
        retry_after=None if isinstance(error, Rejected) else error.retry_after,
        report_url=report_url or (None if permanent else last_report_url),
    )


def link_field(report_url: str | None) -> dict[str, str]:
    """The log field naming the link that ends the factory's fault, if there is one."""
    return {"followLinkToEndChaos": report_url} if report_url else {}

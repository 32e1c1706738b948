"""The factory client's real error, built the way the resilience tests need it."""

from __future__ import annotations

from jwtpizza.service.factory_client import FactoryError


def factory_error(
    message: str, *, status: int | None = None, retry_after: float | None = None
) -> FactoryError:
    """A failed factory call: `status` None when the factory never answered."""
    return FactoryError("error", message, status=status, retry_after=retry_after)

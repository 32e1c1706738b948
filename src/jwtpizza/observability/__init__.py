"""Metrics, logs and traces for every component; see README.md for the import rule."""

from jwtpizza.observability.instrument import Observability, instrument
from jwtpizza.observability.metrics import BreakerState, FactoryReason, Metrics
from jwtpizza.observability.sanitize import MASK, Sanitizer
from jwtpizza.observability.settings import ObservabilitySettings

__all__ = [
    "MASK",
    "BreakerState",
    "FactoryReason",
    "Metrics",
    "Observability",
    "ObservabilitySettings",
    "Sanitizer",
    "instrument",
]

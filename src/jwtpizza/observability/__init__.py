"""Metrics, logs and traces for every component; see README.md for the import rule."""

from jwtpizza.observability.instrument import instrument
from jwtpizza.observability.metrics import FactoryReason, Metrics
from jwtpizza.observability.observability import Observability
from jwtpizza.observability.sanitize import MASK, Sanitizer
from jwtpizza.observability.settings import ObservabilitySettings

__all__ = [
    "MASK",
    "FactoryReason",
    "Metrics",
    "Observability",
    "ObservabilitySettings",
    "Sanitizer",
    "instrument",
]

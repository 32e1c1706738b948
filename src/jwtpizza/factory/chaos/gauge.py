"""The `chaos_active` gauge: which chaos type is in effect for each vendor.

Faults start on a schedule and end by expiry, a report link or an admin, some of them out of
process (the CLI), so the gauge follows what the factory itself sees: the fault in effect at a
vendor's latest order, a report link that ends it, or an admin who starts or stops it.
"""

from __future__ import annotations

import threading

from jwtpizza.observability.metrics import Metrics


class ChaosGauge:
    """Shows 1 for the type in effect for a vendor and 0 for the type it replaced."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._active: dict[str, str] = {}
        self._lock = threading.Lock()

    def show(self, vendor_id: str, chaos_type: str | None) -> None:
        """Record that `chaos_type` (None: no chaos) is what `vendor_id` now has."""
        with self._lock:
            before = self._active.get(vendor_id)
            if before == chaos_type:
                return
            if before is not None:
                self._metrics.chaos(vendor_id, before, active=False)
            if chaos_type is None:
                del self._active[vendor_id]
                return
            self._metrics.chaos(vendor_id, chaos_type, active=True)
            self._active[vendor_id] = chaos_type

    def active(self, vendor_id: str) -> str | None:
        return self._active.get(vendor_id)

"""The `chaos_active` gauge: which chaos type is in effect for each vendor.

Faults start on a schedule and end by expiry, a report link or an admin, some of them out of
process (the CLI), so the gauge follows what the factory itself sees: the fault in effect at a
vendor's latest order, a report link that ends it, or an admin who starts or stops it; and a
fault with a duration drops to 0 at its natural end, with no order needed.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime

from jwtpizza.observability.metrics import Metrics


class ChaosGauge:
    """Shows 1 for the type in effect for a vendor and 0 for the type it replaced."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._active: dict[str, str] = {}
        self._ends: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def show(
        self,
        vendor_id: str,
        chaos_type: str | None,
        *,
        ends_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record that `chaos_type` (None: no chaos) is what `vendor_id` now has, until
        `ends_at` if the fault has a natural end."""
        if chaos_type is not None and ends_at is not None and now is not None:
            self._ends[vendor_id] = ends_at
            delay = max((ends_at - now).total_seconds(), 0.0)
            asyncio.get_running_loop().call_later(delay, self._ended, vendor_id, ends_at)
        self._set(vendor_id, chaos_type)

    def _ended(self, vendor_id: str, ends_at: datetime) -> None:
        if self._ends.get(vendor_id) == ends_at:  # not replaced by a later fault meanwhile
            del self._ends[vendor_id]
            self._set(vendor_id, None)

    def _set(self, vendor_id: str, chaos_type: str | None) -> None:
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

"""Login-code limiting: a sliding window of code requests per vendor id and per client address.

Each request emails a code and replaces the vendor's live one, so without a limit anyone could
flood a vendor's mailbox, keep its code from ever working, or use the factory to send mail.
"""

from __future__ import annotations

from jwtpizza.clock import Clock
from jwtpizza.ratelimit import PRUNE_AT, SlidingWindow


class CodeLimiter:
    def __init__(
        self,
        *,
        per_vendor: int,
        per_address: int,
        window_seconds: float,
        clock: Clock,
        prune_at: int = PRUNE_AT,
    ) -> None:
        self._per_vendor, self._per_address = per_vendor, per_address
        self._requests = SlidingWindow(
            window_seconds=window_seconds, clock=clock, prune_at=prune_at
        )

    def __len__(self) -> int:
        """How many vendor ids and addresses are tracked."""
        return len(self._requests)

    def hit(self, *, vendor_id: str, address: str) -> None:
        """Count a code request, or raise `TooManyRequests` if either allowance is used up."""
        limits = ((f"vendor:{vendor_id}", self._per_vendor), (f"addr:{address}", self._per_address))
        self._requests.hit(limits, message="too many code requests; try again later")

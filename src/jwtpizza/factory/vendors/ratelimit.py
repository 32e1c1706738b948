"""Login-code limiting: a sliding window of code requests per vendor id and per client address.

Each request emails a code and replaces the vendor's live one, so without a limit anyone could
flood a vendor's mailbox, keep its code from ever working, or use the factory to send mail.

The counted requests live in the factory's database (`code_limit_events`), so every replica
counts against one allowance, as the service's login limits do. Each check-and-count is one
write transaction that first takes the lock row (`code_limit_lock`; on SQLite the one write
lock), so checks run one at a time across replicas. Keys are hashed: the table holds no vendor
id or address. Expired events are dropped by the next check.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from jwtpizza.clock import Clock
from jwtpizza.db import Database, utc_time
from jwtpizza.db import statements as sql
from jwtpizza.errors import TooManyRequests
from jwtpizza.ratelimit import limit_key

MESSAGE = "too many code requests; try again later"


class CodeLimiter:
    def __init__(
        self,
        *,
        db: Database,
        per_vendor: int,
        per_address: int,
        window_seconds: float,
        clock: Clock,
    ) -> None:
        self._db, self._clock = db, clock
        self._per_vendor, self._per_address = per_vendor, per_address
        self._window = timedelta(seconds=window_seconds)

    async def hit(self, *, vendor_id: str, address: str) -> None:
        """Count a code request, or raise `TooManyRequests` (with the wait) if either allowance
        is used up; a refused request is not counted."""
        limits = {
            limit_key("code-vendor", vendor_id): self._per_vendor,
            limit_key("code-addr", address): self._per_address,
        }
        now = self._clock.now()
        async with self._db.plain_writer() as write:
            await write.execute(sql.CODE_LIMIT_LOCK)
            await write.execute(sql.DROP_EXPIRED_CODE_LIMITS, now)
            for key, count, first_expiry in await write.fetch(sql.CODE_LIMIT_USAGE, *limits):
                if int(count) >= limits[key]:
                    raise TooManyRequests(MESSAGE, retry_after=_wait(first_expiry, now))
            await write.insert_many(
                sql.NEW_CODE_LIMIT_EVENT, [(key, now + self._window) for key in limits]
            )


def _wait(first_expiry: datetime | str, now: datetime) -> float:
    return max((utc_time(first_expiry) - now).total_seconds(), 0.0)

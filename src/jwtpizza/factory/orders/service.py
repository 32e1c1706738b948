"""The order desk: authenticate, apply the vendor's chaos, sign, and remember by idempotency key.

The vendor and its fault come from the in-memory `VendorCache`, so a usual order touches the
database once, to INSERT its idempotency record (not at all without an Idempotency-Key); a
retry finds its key taken and reads the stored pizza. A request never holds a database
transaction while it waits (oven delay, throttle, hung outage).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.db import Database, is_integrity_error, statements
from jwtpizza.errors import (
    Conflict,
    InvalidInput,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UpstreamFailed,
)
from jwtpizza.factory.chaos.domain import ChaosType, natural_end
from jwtpizza.factory.context import FactoryContext
from jwtpizza.factory.keys import generate_private_key
from jwtpizza.factory.orders import signing
from jwtpizza.factory.orders.line import FairLine
from jwtpizza.factory.orders.models import Pizza
from jwtpizza.factory.orders.schemas import OrderRequest
from jwtpizza.factory.outage import DropConnection
from jwtpizza.factory.vendors.cache import CachedFault, CachedVendor

OVEN_FULL = "Unable to satisfy pizza order. The oven is full."
INVALID_AUTH = "invalid authentication"
# Orders signed and stored at once: fewer than the writer pool's connections (10), so an
# order in the line never waits for one again, and reads (a retry's stored pizza) still
# find a connection.
SIGNING_PLACES = 8


def request_hash(body: OrderRequest) -> str:
    canonical = json.dumps({"diner": body.diner, "order": body.order}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def remember(
    *,
    db: Database,
    vendor_id: str,
    idempotency_key: str,
    digest: str,
    jwt: str,
    now: datetime,
) -> bool:
    """Store a pizza under its idempotency key in one fixed INSERT sent straight to the
    driver, with no read first (through the ORM, this one INSERT cost more CPU than signing
    the pizza); False if the key is taken: the order is a retry (or raced one)."""
    try:
        async with db.plain_writer() as write:
            await write.execute(
                statements.REMEMBER_PIZZA, vendor_id, idempotency_key, digest, jwt, now
            )
    except Exception as error:
        if is_integrity_error(error):
            return False
        raise
    return True


async def stored_pizza(
    *, session: AsyncSession, vendor_id: str, idempotency_key: str
) -> Pizza | None:
    return await session.get(Pizza, (vendor_id, idempotency_key))


class OrderDesk:
    """Turns an order into a pizza, or into the fault the vendor's chaos calls for."""

    def __init__(self, context: FactoryContext) -> None:
        self.context = context
        self._stranger_key: rsa.RSAPrivateKey | None = None  # no JWKS publishes it
        self.line = FairLine(SIGNING_PLACES)

    def report_url(self, fault: CachedFault) -> str:
        return (
            f"{self.context.settings.base_url()}/api/support/{fault.token}/report/{fault.fix_code}"
        )

    async def order(
        self, *, api_key: str | None, idempotency_key: str | None, body: OrderRequest
    ) -> dict[str, Any]:
        vendor = await self.context.vendor_cache.get(api_key) if api_key else None
        if vendor is None:
            raise self._rejected("unauthorized", Unauthorized(INVALID_AUTH))
        now = self.context.clock.now()
        fault = vendor.fault_at(now)
        self.context.chaos_gauge.show(
            vendor.id,
            fault.type if fault else None,
            ends_at=natural_end(fault) if fault else None,
            now=now,
        )
        if fault is not None:
            fault = await self._before_order(fault)
        if body.diner is None or body.order is None:
            raise self._rejected("invalid_order", InvalidInput("Missing required parameters"))
        if idempotency_key and (fault is not None or not self._fits_oven(body)):
            # Off the fast path, a retry gets its stored pizza before a fault or the oven acts.
            stored = await self._replay(vendor.id, idempotency_key, body)
            if stored is not None:
                return stored
        await self._check_oven(body)
        return await self._make(vendor, body, fault, idempotency_key)

    async def _replay(
        self, vendor_id: str, idempotency_key: str, body: OrderRequest
    ) -> dict[str, Any] | None:
        """The pizza stored under this key, if any; a different order under it is refused."""
        async with self.context.db.reader() as session:
            pizza = await stored_pizza(
                session=session, vendor_id=vendor_id, idempotency_key=idempotency_key
            )
        if pizza is None:
            return None
        if pizza.request_hash != request_hash(body):
            message = "Idempotency-Key was already used for a different order"
            raise self._rejected("idempotency_conflict", Conflict(message))
        return {"jwt": pizza.jwt}

    def _rejected(self, reason: str, error: Exception) -> Exception:
        """Count a refused order under a low-cardinality reason (a chaos type or a cause)."""
        self.context.metrics.order_rejected(reason)
        return error

    async def _before_order(self, fault: CachedFault) -> CachedFault | None:
        """Faults that stop an order before it is read: outage, auth, rate limit, fail, flaky."""
        kind = ChaosType(fault.type)
        extra = {"reportUrl": self.report_url(fault)}
        if kind is ChaosType.OUTAGE:
            await self._outage(fault)
            return None
        if kind is ChaosType.AUTH:
            raise self._rejected(kind, Unauthorized(INVALID_AUTH, extra=extra))
        if kind is ChaosType.RATELIMIT:
            wait = fault.params.get(
                "retry_after_seconds", self.context.settings.ratelimit_retry_after_seconds
            )
            error = TooManyRequests("too many requests", retry_after=float(wait))
            error.extra.update(extra)
            raise self._rejected(kind, error)
        if kind is ChaosType.FAIL:
            raise self._rejected(kind, UpstreamFailed("chaos monkey", extra=extra))
        if kind is ChaosType.FLAKY:
            percent = fault.params.get("percent", self.context.settings.flaky_default_percent)
            if self.context.rng.random() * 100 < float(percent):
                raise self._rejected(kind, UpstreamFailed("chaos monkey", extra=extra))
        return fault

    async def _outage(self, fault: CachedFault) -> None:
        if fault.params.get("mode", "hang") == "reset":
            raise self._rejected(ChaosType.OUTAGE, DropConnection())
        end = natural_end(fault)
        if end is not None:
            await self.context.clock.sleep((end - self.context.clock.now()).total_seconds())
        return None

    def _fits_oven(self, body: OrderRequest) -> bool:
        items = body.order.get("items") if body.order else None
        count = len(items) if isinstance(items, list) else 0
        return 0 < count <= self.context.settings.max_items

    async def _check_oven(self, body: OrderRequest) -> None:
        if not self._fits_oven(body):
            await self.context.clock.sleep(self.context.settings.order_delay_seconds)
            raise self._rejected("oven_full", Unavailable(OVEN_FULL))

    async def _make(
        self,
        vendor: CachedVendor,
        body: OrderRequest,
        fault: CachedFault | None,
        idempotency_key: str | None,
    ) -> dict[str, Any]:
        await self.context.keys.fresh()
        now = self.context.clock.now()
        settings = self.context.settings
        payload = signing.claims(
            vendor={"id": vendor.id, "name": vendor.name},
            diner=body.diner,
            order=body.order,
            now=now,
            ttl=settings.pizza_ttl_seconds,
            issuer=settings.issuer,
        )
        if fault is not None and ChaosType(fault.type) is not ChaosType.THROTTLE:
            async with self.line.place():
                faulty = await self._faulty(fault, payload)
            self.context.metrics.order_signed()
            return {"jwt": faulty, "reportUrl": self.report_url(fault)}
        if fault is not None:
            # Throttled pizzas are slow but good, so they are remembered: a caller that gave
            # up waiting gets this very pizza on its retry instead of a second one.
            delay = fault.params.get("delay_seconds", settings.order_delay_seconds)
            await self.context.clock.sleep(float(delay))
        async with self.line.place():  # signed and stored in turn, not by luck
            token = signing.sign(payload, self.context.keys.active())
            stored = not idempotency_key or await self._remember(
                vendor.id, idempotency_key, body, token
            )
        if idempotency_key and not stored:
            return await self._replay_taken(vendor.id, idempotency_key, body)
        self.context.metrics.order_signed()
        return {"jwt": token, **({"reportUrl": self.report_url(fault)} if fault else {})}

    async def _remember(
        self, vendor_id: str, idempotency_key: str, body: OrderRequest, token: str
    ) -> bool:
        """Store the pizza for retries; False if its key was taken first."""
        return await remember(
            db=self.context.db,
            vendor_id=vendor_id,
            idempotency_key=idempotency_key,
            digest=request_hash(body),
            jwt=token,
            now=self.context.clock.now(),
        )

    async def _replay_taken(
        self, vendor_id: str, idempotency_key: str, body: OrderRequest
    ) -> dict[str, Any]:
        """A retry that found its key taken gets the stored pizza (the one just signed is
        dropped). No stored pizza means the vendor itself was deleted meanwhile."""
        stored = await self._replay(vendor_id, idempotency_key, body)
        if stored is None:
            raise self._rejected("unauthorized", Unauthorized(INVALID_AUTH))
        return stored

    async def _faulty(self, fault: CachedFault, payload: dict[str, Any]) -> str:
        """A pizza shaped by the fault. Faulty pizzas are never remembered for retries."""
        kind = ChaosType(fault.type)
        key = self.context.keys.active()
        if kind is ChaosType.BADJWT:
            return signing.corrupt(signing.sign(payload, key))
        if kind is ChaosType.JWT_EXPIRED:
            return signing.sign(
                signing.expired(
                    payload, self.context.clock.now(), self.context.settings.pizza_ttl_seconds
                ),
                key,
            )
        if kind is ChaosType.JWT_WRONG_ORDER:
            return signing.sign(signing.wrong_order(payload), key)
        if kind is ChaosType.JWT_UNKNOWN_KID:
            return signing.sign_with(payload, await self._stranger(), f"unknown-{fault.token[:8]}")
        return signing.sign(payload, key)

    async def _stranger(self) -> rsa.RSAPrivateKey:
        if self._stranger_key is None:
            bits = self.context.settings.key_bits
            self._stranger_key = await asyncio.to_thread(generate_private_key, bits)
        return self._stranger_key

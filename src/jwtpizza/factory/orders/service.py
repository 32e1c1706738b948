"""The order desk: authenticate, apply the vendor's chaos, sign, and remember by idempotency key.

A request never holds a database transaction while it waits (oven delay, throttle, hung
outage): lookups run in a read session first, and the pizza is stored in a short write.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import (
    Conflict,
    InvalidInput,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UpstreamFailed,
)
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.domain import ChaosType, natural_end
from jwtpizza.factory.chaos.models import Fault
from jwtpizza.factory.keys import generate_private_key
from jwtpizza.factory.orders import signing
from jwtpizza.factory.orders.models import Pizza
from jwtpizza.factory.orders.schemas import OrderRequest
from jwtpizza.factory.outage import DropConnection
from jwtpizza.factory.runtime import Runtime
from jwtpizza.factory.vendors import service as vendors
from jwtpizza.factory.vendors.models import Vendor

OVEN_FULL = "Unable to satisfy pizza order. The oven is full."
INVALID_AUTH = "invalid authentication"


def request_hash(body: OrderRequest) -> str:
    canonical = json.dumps({"diner": body.diner, "order": body.order}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Lookup:
    vendor: Vendor | None
    fault: Fault | None
    pizza: Pizza | None


async def look_up(
    *, session: AsyncSession, api_key: str | None, idempotency_key: str | None, now: datetime
) -> Lookup:
    vendor = await vendors.get_by_api_key(session=session, api_key=api_key) if api_key else None
    if vendor is None:
        return Lookup(None, None, None)
    fault = await chaos.active_fault(session=session, vendor_id=vendor.id, now=now)
    pizza = await session.get(Pizza, (vendor.id, idempotency_key)) if idempotency_key else None
    return Lookup(vendor, fault, pizza)


async def remember(*, session: AsyncSession, pizza: Pizza) -> Pizza:
    """Store a pizza under its idempotency key; if a concurrent retry won, return that one."""
    try:
        async with session.begin_nested():
            session.add(pizza)
    except IntegrityError:
        stored = await session.get(Pizza, (pizza.vendor_id, pizza.idempotency_key))
        assert stored is not None
        return stored
    return pizza


class OrderDesk:
    """Turns an order into a pizza, or into the fault the vendor's chaos calls for."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self._stranger_key: rsa.RSAPrivateKey | None = None  # no JWKS publishes it

    def report_url(self, fault: Fault) -> str:
        return f"{self.rt.settings.base_url()}/api/support/{fault.token}/report/{fault.fix_code}"

    async def order(
        self, *, api_key: str | None, idempotency_key: str | None, body: OrderRequest
    ) -> dict[str, Any]:
        now = self.rt.clock.now()
        async with self.rt.db.reader() as session:
            found = await look_up(
                session=session, api_key=api_key, idempotency_key=idempotency_key, now=now
            )
        if found.vendor is None:
            raise self._rejected("unauthorized", Unauthorized(INVALID_AUTH))
        fault = found.fault
        self.rt.chaos_gauge.show(found.vendor.id, fault.type if fault else None)
        if fault is not None:
            fault = await self._before_order(fault)
        if body.diner is None or body.order is None:
            raise self._rejected("invalid_order", InvalidInput("Missing required parameters"))
        if found.pizza is not None:
            if found.pizza.request_hash != request_hash(body):
                message = "Idempotency-Key was already used for a different order"
                raise self._rejected("idempotency_conflict", Conflict(message))
            return {"jwt": found.pizza.jwt}
        await self._check_oven(body)
        return await self._make(found.vendor, body, fault, idempotency_key)

    def _rejected(self, reason: str, error: Exception) -> Exception:
        """Count a refused order under a low-cardinality reason (a chaos type or a cause)."""
        self.rt.metrics.order_rejected(reason)
        return error

    async def _before_order(self, fault: Fault) -> Fault | None:
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
                "retry_after_seconds", self.rt.settings.ratelimit_retry_after_seconds
            )
            error = TooManyRequests("too many requests", retry_after=float(wait))
            error.extra.update(extra)
            raise self._rejected(kind, error)
        if kind is ChaosType.FAIL:
            raise self._rejected(kind, UpstreamFailed("chaos monkey", extra=extra))
        if kind is ChaosType.FLAKY:
            percent = fault.params.get("percent", self.rt.settings.flaky_default_percent)
            if self.rt.rng.random() * 100 < float(percent):
                raise self._rejected(kind, UpstreamFailed("chaos monkey", extra=extra))
        return fault

    async def _outage(self, fault: Fault) -> None:
        if fault.params.get("mode", "hang") == "reset":
            raise self._rejected(ChaosType.OUTAGE, DropConnection())
        end = natural_end(fault)
        if end is not None:
            await self.rt.clock.sleep((end - self.rt.clock.now()).total_seconds())
        return None

    async def _check_oven(self, body: OrderRequest) -> None:
        items = body.order.get("items") if body.order else None
        count = len(items) if isinstance(items, list) else 0
        if count == 0 or count > self.rt.settings.max_items:
            await self.rt.clock.sleep(self.rt.settings.order_delay_seconds)
            raise self._rejected("oven_full", Unavailable(OVEN_FULL))

    async def _make(
        self, vendor: Vendor, body: OrderRequest, fault: Fault | None, idempotency_key: str | None
    ) -> dict[str, Any]:
        await self.rt.keys.fresh()
        now = self.rt.clock.now()
        settings = self.rt.settings
        payload = signing.claims(
            vendor={"id": vendor.id, "name": vendor.name},
            diner=body.diner,
            order=body.order,
            now=now,
            ttl=settings.pizza_ttl_seconds,
            issuer=settings.issuer,
        )
        if fault is not None:
            faulty = await self._faulty(fault, payload)
            self.rt.metrics.order_signed()
            return {"jwt": faulty, "reportUrl": self.report_url(fault)}
        token = signing.sign(payload, self.rt.keys.active())
        self.rt.metrics.order_signed()
        if idempotency_key:
            pizza = Pizza(
                vendor_id=vendor.id,
                idempotency_key=idempotency_key,
                request_hash=request_hash(body),
                jwt=token,
                created=now,
            )
            async with self.rt.db.writer() as session:
                token = (await remember(session=session, pizza=pizza)).jwt
        return {"jwt": token}

    async def _faulty(self, fault: Fault, payload: dict[str, Any]) -> str:
        """A pizza shaped by the fault. Faulty pizzas are never remembered for retries."""
        kind = ChaosType(fault.type)
        key = self.rt.keys.active()
        if kind is ChaosType.THROTTLE:
            delay = fault.params.get("delay_seconds", self.rt.settings.order_delay_seconds)
            await self.rt.clock.sleep(float(delay))
        if kind is ChaosType.BADJWT:
            return signing.corrupt(signing.sign(payload, key))
        if kind is ChaosType.JWT_EXPIRED:
            return signing.sign(
                signing.expired(payload, self.rt.clock.now(), self.rt.settings.pizza_ttl_seconds),
                key,
            )
        if kind is ChaosType.JWT_WRONG_ORDER:
            return signing.sign(signing.wrong_order(payload), key)
        if kind is ChaosType.JWT_UNKNOWN_KID:
            return signing.sign_with(payload, await self._stranger(), f"unknown-{fault.token[:8]}")
        return signing.sign(payload, key)

    async def _stranger(self) -> rsa.RSAPrivateKey:
        if self._stranger_key is None:
            bits = self.rt.settings.key_bits
            self._stranger_key = await asyncio.to_thread(generate_private_key, bits)
        return self._stranger_key

"""Orders, their items, and the fulfilment job stored with each order (the outbox)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jwtpizza.db import UtcDateTime
from jwtpizza.service.database import Base
from jwtpizza.service.menu.models import PRICE


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"


ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset(
        {OrderStatus.FULFILLED, OrderStatus.QUEUED, OrderStatus.REJECTED}
    ),
    OrderStatus.QUEUED: frozenset({OrderStatus.FULFILLED, OrderStatus.REJECTED}),
    OrderStatus.FULFILLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}
TERMINAL = frozenset({OrderStatus.FULFILLED, OrderStatus.REJECTED})


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    """Whether the order lifecycle allows `current → target`."""
    return target in ALLOWED_TRANSITIONS[current]


def sources_of(target: OrderStatus) -> frozenset[OrderStatus]:
    """The states an order may reach `target` from."""
    return frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if target in targets)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign keys to users, franchises or stores: the order ledger outlives them,
    # and `jwtpizza db check` reports orders whose store has gone.
    diner_id: Mapped[int] = mapped_column(Integer, index=True)
    franchise_id: Mapped[int] = mapped_column(Integer, index=True)
    store_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    jwt: Mapped[str | None] = mapped_column(Text, default=None)
    reason: Mapped[str | None] = mapped_column(String(512), default=None)
    report_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="OrderItem.id",
    )

    @property
    def total(self) -> Decimal:
        return sum((item.price for item in self.items), Decimal(0))


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    menu_id: Mapped[int] = mapped_column(Integer, index=True)
    description: Mapped[str] = mapped_column(String(255))
    price: Mapped[Decimal] = mapped_column(PRICE)
    order: Mapped[Order] = relationship(back_populates="items")


class FulfilmentJob(Base):
    """The outbox row written with its order; a worker leases it and calls the factory."""

    __tablename__ = "fulfilment_jobs"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    available_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(String(512), default=None)
    done: Mapped[bool] = mapped_column(default=False, index=True)

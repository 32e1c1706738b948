"""API shapes for orders, as the original's JSON plus the order's status."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.clock import JsonTime
from jwtpizza.service.compact import Compact
from jwtpizza.service.ids import BodyId


class OrderItemIn(BaseModel):
    # description and price are accepted for compatibility and ignored: the menu decides.
    model_config = ConfigDict(extra="ignore")

    menuId: BodyId
    description: str | None = None
    price: float | None = None


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    franchiseId: BodyId
    storeId: BodyId
    items: list[OrderItemIn] = Field(min_length=1, max_length=100)


class OrderItemOut(Compact):
    id: int | None = None
    menuId: int
    description: str
    price: float


class OrderOut(Compact):
    id: int
    franchiseId: int
    storeId: int
    date: JsonTime | None = None
    status: str
    items: list[OrderItemOut]


class OrderPlaced(Compact):
    order: OrderOut
    jwt: str | None = None
    message: str | None = None
    followLinkToEndChaos: str | None = None


class OrderStatusOut(Compact):
    order: OrderOut
    jwt: str | None = None
    reason: str | None = None


class OrderHistory(BaseModel):
    dinerId: int
    orders: list[OrderOut]
    page: int


class OrderStatsRevenue(BaseModel):
    fulfilled: float
    failed: float
    queuedThenFulfilled: float
    open: float
    # Orders the factory refuses by design (not counted in `failed`).
    refused: float = 0.0


class OrderStats(BaseModel):
    """Counts for orders placed in [from, to): no names, emails or order contents."""

    model_config = ConfigDict(populate_by_name=True)

    from_: JsonTime = Field(alias="from")
    to: JsonTime
    ordersByStatus: dict[str, int]
    # Rejected orders but those the factory refuses by design, which count in `refused`.
    failed: int
    refused: int = 0
    queuedThenFulfilled: int
    stillOpen: int
    lost: int
    affectedDiners: int
    activeDiners: int
    revenue: OrderStatsRevenue

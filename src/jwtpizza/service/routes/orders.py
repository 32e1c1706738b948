"""Routes under /api/order: history, placing an order, and an order's status."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime

from jwtpizza.errors import InvalidInput, UpstreamFailed
from jwtpizza.service import order_stats as stats
from jwtpizza.service.auth.ratelimit import held_when_refused
from jwtpizza.service.compact import json_response
from jwtpizza.service.ids import PathId
from jwtpizza.service.orders import service
from jwtpizza.service.orders.models import OrderStatus
from jwtpizza.service.orders.schemas import (
    OrderHistory,
    OrderIn,
    OrderPlaced,
    OrderStats,
    OrderStatsRevenue,
    OrderStatusOut,
)
from jwtpizza.service.routes.deps import AdminUser, ContextDep, CurrentUser

router = APIRouter(prefix="/api/order", tags=["orders"])

QUEUED_MESSAGE = "The kitchen is busy; your pizza will be ready soon"


@router.get("", response_model=OrderHistory)
async def order_history(
    diner: CurrentUser, context: ContextDep, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> Response:
    """Get the orders for the authenticated user."""
    body = await service.history_json(
        db=context.db, diner_id=diner.id, page=page, per_page=context.settings.list_per_page
    )
    return Response(body, media_type="application/json")


def prefers_async(prefer: str | None) -> bool:
    """Whether an RFC 7240 `Prefer` header asks for `respond-async`."""
    tokens = (part.split(";")[0].strip().lower() for part in (prefer or "").split(","))
    return "respond-async" in tokens


@router.post("", response_model=OrderPlaced)
async def create_order(
    body: OrderIn,
    diner: CurrentUser,
    context: ContextDep,
    prefer: Annotated[str | None, Header()] = None,
) -> Response:
    """Create an order for the authenticated user.

    With `Prefer: respond-async` an order the factory does not make within the wait budget
    is answered `202` (queued; poll `GET /api/order/:id`). Without it the answer is the
    original's: `200` with the pizza, however slow the factory (within the sync budget), or
    `500` and the order rejected. A failure names the link that ends the factory's fault
    (`followLinkToEndChaos`) whenever the factory gave one."""
    respond_async = prefers_async(prefer)
    kitchen = context.kitchen
    prices = await service.price(db=context.db, request=body)
    async with context.db.plain_writer() as write:
        order = await service.place(
            write=write,
            diner_id=diner.id,
            request=body,
            prices=prices,
            now=context.clock.now(),
            lease=kitchen.inline_lease(respond_async=respond_async, item_count=len(body.items)),
        )
        placed = service.to_out(order, with_item_ids=False)
    ticket = service.ticket(order, name=diner.name, email=diner.email)
    started = time.perf_counter()
    outcome = await kitchen.submit(ticket, respond_async=respond_async)
    context.metrics.pizza_creation(time.perf_counter() - started)
    placed.status = outcome.status
    if outcome.status == OrderStatus.REJECTED:
        extra = {"followLinkToEndChaos": outcome.report_url} if outcome.report_url else {}
        raise UpstreamFailed("Failed to fulfill order at factory", extra=extra)
    if outcome.status == OrderStatus.FULFILLED:
        return json_response(
            OrderPlaced(order=placed, jwt=outcome.jwt, followLinkToEndChaos=outcome.report_url)
        )
    queued = OrderPlaced(
        order=placed, message=QUEUED_MESSAGE, followLinkToEndChaos=outcome.report_url
    )
    answer = json_response(queued, status_code=202)
    answer.headers["Preference-Applied"] = "respond-async"
    return answer


@router.get("/stats", response_model_by_alias=True)
async def order_stats(
    admin: AdminUser,
    context: ContextDep,
    start: Annotated[AwareDatetime, Query(alias="from")],
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> OrderStats:
    """Order counts, affected and active diners, and revenue for a time window (admin)."""
    end = end or context.clock.now()
    if end < start:
        raise InvalidInput("to: must not be before from")
    budget = context.settings.resilience.queue_wait_budget_seconds
    delay = context.settings.refused_answer_delay_seconds
    async with (
        held_when_refused(context.clock, delay),
        context.order_stats.admit(admin.id),
        context.db.reader() as session,
    ):
        found = await stats.window_stats(
            session=session, start=start, end=end, queue_wait_budget=budget
        )
    by_status = found.by_status
    return OrderStats(
        from_=start,
        to=end,
        ordersByStatus=by_status,
        failed=by_status.get(OrderStatus.REJECTED, 0) - found.refused,
        refused=found.refused,
        queuedThenFulfilled=found.queued_then_fulfilled,
        stillOpen=sum(by_status.get(s, 0) for s in stats.OPEN),
        lost=found.lost,
        affectedDiners=len(found.affected),
        activeDiners=len(found.active),
        revenue=OrderStatsRevenue(
            fulfilled=float(found.revenue["fulfilled"]),
            failed=float(found.revenue["failed"]),
            queuedThenFulfilled=float(found.revenue["queued"]),
            open=float(found.revenue["open"]),
            refused=float(found.revenue["refused"]),
        ),
    )


@router.get("/{order_id}")
async def get_order(order_id: PathId, diner: CurrentUser, context: ContextDep) -> OrderStatusOut:
    """Get one of your orders: its status and, once made, its pizza."""
    async with context.db.reader() as session:
        order = await service.get_for(
            session=session, order_id=order_id, diner_id=None if diner.is_admin else diner.id
        )
        return OrderStatusOut(order=service.to_out(order), jwt=order.jwt, reason=order.reason)

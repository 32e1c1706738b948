"""Franchises, their admins (franchisees), stores and store revenue."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import Conflict, NotFound
from jwtpizza.service.franchises.models import Franchise, Store
from jwtpizza.service.franchises.schemas import AdminOut, FranchiseOut, StoreOut
from jwtpizza.service.orders.models import Order, OrderItem, OrderStatus
from jwtpizza.service.users import service as users
from jwtpizza.service.users.models import Role, User, UserRole


async def revenue_by_store(
    *, session: AsyncSession, store_ids: Iterable[int]
) -> dict[int, Decimal]:
    """Revenue of fulfilled orders per store."""
    ids = set(store_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Order.store_id, func.coalesce(func.sum(OrderItem.price), 0))
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.store_id.in_(ids), Order.status == OrderStatus.FULFILLED)
        .group_by(Order.store_id)
    )
    return {store_id: Decimal(total) for store_id, total in rows}


async def admins_by_franchise(
    *, session: AsyncSession, franchise_ids: Iterable[int]
) -> dict[int, list[AdminOut]]:
    rows = await session.execute(
        select(UserRole.object_id, User)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.FRANCHISEE, UserRole.object_id.in_(set(franchise_ids)))
        .order_by(User.id)
    )
    result: dict[int, list[AdminOut]] = {}
    for franchise_id, user in rows:
        result.setdefault(franchise_id, []).append(
            AdminOut(id=user.id, name=user.name, email=user.email)
        )
    return result


async def describe(
    *, session: AsyncSession, franchises: list[Franchise], with_admin_view: bool
) -> list[FranchiseOut]:
    """Franchises as the API shows them; admins and revenue only in the admin view."""
    if not with_admin_view:
        return [
            FranchiseOut(
                id=f.id, name=f.name, stores=[StoreOut(id=s.id, name=s.name) for s in f.stores]
            )
            for f in franchises
        ]
    stores = [store.id for f in franchises for store in f.stores]
    revenue = await revenue_by_store(session=session, store_ids=stores)
    admins = await admins_by_franchise(session=session, franchise_ids=[f.id for f in franchises])
    return [
        FranchiseOut(
            id=f.id,
            name=f.name,
            admins=admins.get(f.id, []),
            stores=[
                StoreOut(id=s.id, name=s.name, totalRevenue=float(revenue.get(s.id, 0)))
                for s in f.stores
            ],
        )
        for f in franchises
    ]


async def list_franchises(
    *, session: AsyncSession, page: int, limit: int, name_filter: str
) -> tuple[list[Franchise], bool]:
    """One page (0-based) of franchises whose name matches, and whether more follow."""
    query = (
        select(Franchise)
        .where(Franchise.name.like(users.name_pattern(name_filter), escape="\\"))
        .order_by(Franchise.id)
        .offset(page * limit)
        .limit(limit + 1)
    )
    rows = list(await session.scalars(query))
    return rows[:limit], len(rows) > limit


async def for_user(*, session: AsyncSession, user_id: int) -> list[Franchise]:
    """The franchises a user is a franchisee of."""
    ids = select(UserRole.object_id).where(
        UserRole.user_id == user_id, UserRole.role == Role.FRANCHISEE
    )
    return list(
        await session.scalars(select(Franchise).where(Franchise.id.in_(ids)).order_by(Franchise.id))
    )


async def get(*, session: AsyncSession, franchise_id: int) -> Franchise:
    franchise = await session.get(Franchise, franchise_id)
    if franchise is None:
        raise NotFound(f"unknown franchise {franchise_id}")
    return franchise


async def create(
    *, session: AsyncSession, name: str, admin_emails: list[str]
) -> tuple[Franchise, list[User]]:
    """A franchise whose admins become franchisees; 404 for an unknown admin email."""
    admins = []
    for email in admin_emails:
        user = await users.get_by_email(session=session, email=email)
        if user is None:
            raise NotFound(f"unknown user for franchise admin {email} provided")
        admins.append(user)
    if await session.scalar(select(Franchise.id).where(Franchise.name == name.strip())):
        raise Conflict(f"franchise {name.strip()} already exists")
    franchise = Franchise(name=name.strip(), stores=[])
    session.add(franchise)
    await session.flush()
    for user in admins:
        session.add(UserRole(user_id=user.id, role=Role.FRANCHISEE, object_id=franchise.id))
    await session.flush()
    return franchise, admins


async def delete_franchise(*, session: AsyncSession, franchise_id: int) -> None:
    """The franchise, its stores and its franchisee grants go; orders stay in the ledger."""
    franchise = await get(session=session, franchise_id=franchise_id)
    await session.execute(
        delete(UserRole).where(UserRole.role == Role.FRANCHISEE, UserRole.object_id == franchise.id)
    )
    await session.delete(franchise)


async def create_store(
    *, session: AsyncSession, franchise_id: int, name: str, max_stores: int
) -> Store:
    """A new store; `Conflict` once the franchise has `max_stores` (lists stay bounded)."""
    franchise = await get(session=session, franchise_id=franchise_id)
    count = await session.scalar(
        select(func.count()).select_from(Store).where(Store.franchise_id == franchise.id)
    )
    if (count or 0) >= max_stores:
        raise Conflict(f"a franchise has at most {max_stores} stores")
    store = Store(franchise_id=franchise.id, name=name.strip())
    session.add(store)
    await session.flush()
    return store


async def list_stores(
    *, session: AsyncSession, franchise_id: int, page: int, limit: int
) -> tuple[list[Store], bool]:
    """One page (0-based) of a franchise's stores, and whether more follow."""
    franchise = await get(session=session, franchise_id=franchise_id)
    rows = list(
        await session.scalars(
            select(Store)
            .where(Store.franchise_id == franchise.id)
            .order_by(Store.id)
            .offset(page * limit)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


async def get_store(*, session: AsyncSession, franchise_id: int, store_id: int) -> Store:
    store = await session.get(Store, store_id)
    if store is None or store.franchise_id != franchise_id:
        raise NotFound(f"unknown store {store_id} in franchise {franchise_id}")
    return store


async def delete_store(*, session: AsyncSession, franchise_id: int, store_id: int) -> None:
    await session.delete(
        await get_store(session=session, franchise_id=franchise_id, store_id=store_id)
    )

"""Schema migration and the demo data of the original (loaded only on request)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.db import Database
from jwtpizza.db.migrate import upgrade
from jwtpizza.service import versions
from jwtpizza.service.franchises import service as franchises
from jwtpizza.service.franchises.models import Franchise
from jwtpizza.service.menu.models import MenuItem
from jwtpizza.service.users import service as users
from jwtpizza.service.users.models import Role
from jwtpizza.service.users.passwords import hash_password

MIGRATIONS = Path(__file__).parent / "migrations"

DEMO_USERS = [
    ("常用名字", "a@jwt.com", "admin", Role.ADMIN),
    ("pizza diner", "d@jwt.com", "diner", Role.DINER),
    ("pizza franchisee", "f@jwt.com", "franchisee", Role.DINER),
]
DEMO_MENU = [
    ("Veggie", "A garden of delight", "pizza1.png", "0.0038"),
    ("Pepperoni", "Spicy treat", "pizza2.png", "0.0042"),
    ("Margarita", "Essential classic", "pizza3.png", "0.0042"),
    ("Crusty", "A dry mouthed favorite", "pizza4.png", "0.0028"),
    ("Charred Leopard", "For those with a darker side", "pizza5.png", "0.0099"),
]
DEMO_FRANCHISE, DEMO_STORE, DEMO_FRANCHISEE = "pizzaPocket", "SLC", "f@jwt.com"


async def migrate(db: Database) -> None:
    """Bring the service schema up to date."""
    await upgrade(db, MIGRATIONS)


async def _seed_users(session: AsyncSession, bcrypt_rounds: int) -> None:
    for name, email, password, role in DEMO_USERS:
        if await users.get_by_email(session=session, email=email) is None:
            await users.create(
                session=session,
                name=name,
                email=email,
                password_hash=await hash_password(password, rounds=bcrypt_rounds),
                roles=[role],
            )


async def _seed_menu(session: AsyncSession) -> None:
    if await session.scalar(select(MenuItem.id).limit(1)) is not None:
        return
    for title, description, image, price in DEMO_MENU:
        session.add(
            MenuItem(title=title, description=description, image=image, price=Decimal(price))
        )
    await versions.bump(session=session, name=versions.MENU)


async def _seed_franchise(session: AsyncSession) -> None:
    if await session.scalar(select(Franchise.id).where(Franchise.name == DEMO_FRANCHISE)):
        return
    franchise, _ = await franchises.create(
        session=session, name=DEMO_FRANCHISE, admin_emails=[DEMO_FRANCHISEE]
    )
    await franchises.create_store(
        session=session, franchise_id=franchise.id, name=DEMO_STORE, max_stores=1
    )


async def seed_demo(db: Database, *, bcrypt_rounds: int = 10) -> None:
    """The original's demo users, menu, franchise and store; safe to run twice."""
    async with db.writer() as session:
        await _seed_users(session, bcrypt_rounds)
        await _seed_menu(session)
        await _seed_franchise(session)

"""Coverage-style SVG badges, stored per account and written only by the account's vendor."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import Forbidden, InvalidInput
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.badges.models import Badge

COLOR = re.compile(r"^#?[0-9a-fA-F]{3,8}$|^[a-z]{3,20}$")


def clean(part: str) -> str:
    """Only letters and digits, as the original strips the path parts."""
    return re.sub(r"[^a-zA-Z0-9]", "", part)[:64]


def text_width(text: str) -> int:
    return 10 + 7 * len(text)


def render(label: str, value: str, color: str) -> str:
    """A shields.io-style two-part badge."""
    left, right = text_width(label), text_width(value)
    label, value, color = escape(label), escape(value), escape(color)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" '
        f'role="img" aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14">{label}</text>'
        f'<text x="{left + right / 2}" y="14">{value}</text></g></svg>'
    )


NOT_FOUND = render("😢", "Not Found", "#9f9f9f")


async def put(
    *,
    session: AsyncSession,
    caller: Vendor,
    account: str,
    name: str,
    label: str,
    value: str,
    color: str,
    now: datetime,
) -> tuple[str, str]:
    """Write a badge; returns the cleaned (account, name)."""
    account, name = clean(account), clean(name)
    if not account or not name:
        raise InvalidInput("badge account and name must contain letters or digits")
    if account != clean(caller.id) and not caller.is_admin:
        raise Forbidden("you may only write your own badges")
    if not COLOR.match(color):
        raise InvalidInput("color: not a valid color")
    svg = render(
        label[:64], value[:64], color if color.startswith("#") or color.isalpha() else f"#{color}"
    )
    badge = await session.get(Badge, (account, name))
    if badge is None:
        session.add(Badge(account=account, name=name, svg=svg, updated=now))
    else:
        badge.svg, badge.updated = svg, now
    return account, name


async def get(*, session: AsyncSession, account: str, name: str) -> str:
    badge = await session.get(Badge, (clean(account), clean(name)))
    return badge.svg if badge else NOT_FOUND

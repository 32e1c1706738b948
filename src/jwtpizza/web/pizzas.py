"""Our own pizza pictures: an SVG drawn from the menu item's image name, the same every time.

The original ships photos `pizza1.png`..`pizza8.png`; the menu still names them, and
`/pizzas/<name>.svg` draws a pizza for each name (toppings placed by a seeded generator).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.responses import Response

from jwtpizza.web.pages import TEMPLATES

router = APIRouter()

TOPPINGS = [  # (fill, outline) pairs: pepperoni, olive, basil, pepper, mushroom, char
    ("#b3261e", "#7a1712"),
    ("#2b2b2b", "#111111"),
    ("#3c8d2f", "#25601c"),
    ("#e8a317", "#a8730c"),
    ("#d8c3a5", "#9c8567"),
    ("#4a2c1a", "#2a180d"),
]


@dataclass(frozen=True)
class Topping:
    x: float
    y: float
    r: float
    fill: str
    stroke: str


def picture_name(image: str | None) -> str:
    """`pizza3.png` -> `pizza3`; anything else keeps its safe characters."""
    stem = re.sub(r"\.[a-z]+$", "", image or "pizza")
    return re.sub(r"[^a-zA-Z0-9_-]", "", stem)[:40] or "pizza"


def toppings_for(name: str) -> list[Topping]:
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    kinds = rng.sample(TOPPINGS, 2)
    placed: list[Topping] = []
    for _ in range(rng.randint(9, 14)):
        angle, distance = rng.uniform(0, 2 * math.pi), 56 * math.sqrt(rng.random())
        fill, stroke = rng.choice(kinds)
        x, y = 100 + distance * math.cos(angle), 100 + distance * math.sin(angle)
        placed.append(Topping(round(x, 1), round(y, 1), rng.choice((7, 8, 10)), fill, stroke))
    return placed


@router.get("/pizzas/{image}", include_in_schema=False)
async def pizza_picture(image: str) -> Response:
    """A pizza drawn for this menu picture name."""
    name = picture_name(image)
    body = TEMPLATES.env.get_template("pizza.svg").render(toppings=toppings_for(name))
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

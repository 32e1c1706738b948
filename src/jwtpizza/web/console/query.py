"""A PromQL box over the monitor's samples: the query's series drawn as a chart (the page's
script fetches `/query.json`, which asks ops' `query_range`)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Query
from starlette.responses import JSONResponse, Response

from jwtpizza.web.console.overview import ALL_LABELS, RANGES, chart
from jwtpizza.web.console.page import AdminPage, console_router

router = console_router()
EXAMPLES = (
    "sum by (component) (rate(http_requests_total[1m]))",
    "sum(increase(orders_failed_total[1m]))",
    "max by (dependency) (breaker_state)",
)
PromQL = Annotated[str, Query(max_length=1000)]
Range = Annotated[str, Query(alias="range", pattern="^(" + "|".join(RANGES) + ")$")]


@router.get("/query")
async def query_page(page: AdminPage, q: PromQL = "", range_: Range = "5m") -> Response:
    """The query box, and the chart of the query given."""
    return page.render(
        "query.html", title="Query", q=q, range=range_, ranges=RANGES, examples=EXAMPLES
    )


@router.get("/query.json")
async def query_json(page: AdminPage, q: PromQL, range_: Range = "5m") -> Response:
    """The query's series over the range, in the charts' shape (an error becomes its label)."""
    span = RANGES[range_]
    step = max(5.0, span / 180)
    end = time.time()
    end -= end % step
    drawn = await chart(page.api, q, "value", ((ALL_LABELS, q),), end - span, end, step)
    return JSONResponse({"charts": [drawn], "windows": []})

"""Progress across incidents: a chart of MTTD, MTTA, MTTM and MTTR per incident over time,
and their means by fault type and by responder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import PlainTextResponse, Response

from jwtpizza.web.console.page import AdminPage, console_router

router = console_router()
MEASURES = ("mttd", "mtta", "mttm", "mttr")
WIDTH, HEIGHT, PAD = 640, 220, 30


@dataclass(frozen=True)
class Series:
    measure: str
    points: str  # an SVG polyline's points
    dots: list[tuple[float, float, str]]  # x, y, and the dot's title


def chart(incidents: list[dict[str, Any]]) -> tuple[list[Series], float]:
    """One series per measure, incidents along x (oldest left), seconds up y; and the top."""
    top = max((i[m] for i in incidents for m in MEASURES if i[m] is not None), default=0) or 1
    step = (WIDTH - 2 * PAD) / max(1, len(incidents) - 1)
    series = []
    for m in MEASURES:
        dots = [
            (
                round(PAD + n * step, 1),
                round(HEIGHT - PAD - (i[m] / top) * (HEIGHT - 2 * PAD), 1),
                f"incident #{i['incident']}: {m.upper()} {i[m]:.0f} s",
            )
            for n, i in enumerate(incidents)
            if i[m] is not None
        ]
        series.append(Series(m, " ".join(f"{x},{y}" for x, y, _ in dots), dots))
    return series, top


@router.get("/progress.csv")
async def progress_csv(page: AdminPage) -> Response:
    text = await page.api.get("/api/ops/stats.csv")
    return PlainTextResponse(
        text or "",
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="progress.csv"'},
    )


@router.get("/progress")
async def progress(page: AdminPage) -> Response:
    found = await page.api.get("/api/ops/stats")
    series, top = chart(found["incidents"])
    return page.render(
        "progress.html",
        title="Progress across incidents",
        stats=found,
        series=series,
        top=top,
        width=WIDTH,
        height=HEIGHT,
        pad=PAD,
    )

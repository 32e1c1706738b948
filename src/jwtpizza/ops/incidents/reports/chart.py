"""An SVG line chart of one metric over the incident window, with its moments marked.

Drawn by hand (a few dozen lines of SVG) rather than with a plotting library: the console
needs one small, dependency-free chart whose marks line up with the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

WIDTH, HEIGHT, PAD = 640, 220, 36
MARK_COLOURS = {"fault": "#c0392b", "detected": "#e67e22", "ack": "#2980b9", "resolved": "#27ae60"}


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (value - low) * (out_high - out_low) / (high - low)


def svg_chart(
    title: str,
    samples: Sequence[tuple[datetime, float]],
    marks: Sequence[tuple[str, datetime]],
    start: datetime,
    end: datetime,
) -> str:
    """The metric's samples in [start, end] as a polyline, each mark a labelled vertical line."""
    t0, t1 = start.timestamp(), max(end.timestamp(), start.timestamp() + 1)
    values = [v for _, v in samples] or [0.0]
    low, high = min(0.0, *values), max(values) if max(values) > 0 else 1.0

    def x(moment: datetime) -> float:
        return round(_scale(moment.timestamp(), t0, t1, PAD, WIDTH - PAD), 1)

    def y(value: float) -> float:
        return round(_scale(value, low, high, HEIGHT - PAD, PAD), 1)

    points = " ".join(f"{x(at)},{y(v)}" for at, v in samples if start <= at <= end)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="{PAD}" y="20" font-size="13">{escape(title)} (max {high:g})</text>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#999"/>',
        f'<polyline class="metric" fill="none" stroke="#333" stroke-width="1.5" '
        f'points="{points}"/>',
    ]
    for label, moment in marks:
        colour = MARK_COLOURS.get(label, "#555")
        mx = x(min(max(moment, start), end))
        parts.append(
            f'<g class="mark" data-mark="{escape(label)}"><line x1="{mx}" y1="{PAD}" x2="{mx}" '
            f'y2="{HEIGHT - PAD}" stroke="{colour}" stroke-dasharray="4 3"/>'
            f'<text x="{mx + 3}" y="{HEIGHT - PAD + 14}" font-size="11" fill="{colour}">'
            f"{escape(label)} {moment:%H:%M:%S}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)

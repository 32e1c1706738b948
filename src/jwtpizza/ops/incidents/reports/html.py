"""The postmortem as HTML for the console: the Markdown rendered by markdown-it-py, with the
key metric's chart over the incident window.

The Markdown quotes alerts, notes and people's names, so it is rendered with raw HTML off and
the result is sanitised (nh3, an allow-list) before it reaches a page: whatever a summary or
a note holds, it shows as text, never as markup or script."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

import nh3
from markdown_it import MarkdownIt

from jwtpizza.ops.incidents.reports.chart import svg_chart
from jwtpizza.ops.incidents.reports.draft import Draft
from jwtpizza.ops.incidents.reports.markdown import render, title


def marks(draft: Draft) -> list[tuple[str, datetime]]:
    """The fault, detection, acknowledgement and resolution moments that were recorded."""
    f = draft.figures
    moments = [("fault", f.fault_start), ("detected", f.detected_at), ("ack", f.acked_at)]
    moments.append(("resolved", f.resolved_at))
    return [(label, at) for label, at in moments if at is not None]


# What CommonMark output may hold; links only to http(s), opened without the opener.
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "hr",
    "br",
}
MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(markdown: str) -> str:
    """Markdown as sanitised HTML."""
    return nh3.clean(
        MARKDOWN.render(markdown),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    )


def render_html(
    draft: Draft, metric: str, samples: Sequence[tuple[datetime, float]], now: datetime
) -> str:
    """A standalone page: the chart, then the report."""
    f = draft.figures
    end = f.resolved_at or now
    chart = svg_chart(metric, samples, marks(draft), f.fault_start, end)
    body = markdown_html(render(draft))
    heading = escape(title(draft).removeprefix("# "))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{heading}</title>'
        f'</head><body><figure class="incident-chart">{chart}<figcaption>{escape(metric)} '
        f"over the incident window</figcaption></figure>{body}</body></html>"
    )

"""Action items read from a postmortem, and the exports (CSV, Markdown) of tracked ones (no I/O).

An item is a list entry of the report's `Action items` section: `**[High]**` or `(low)` sets
its priority, `Owner: Tessa` its owner, `due 2026-12-15` its due date, a URL its link.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jwtpizza.ops.reviews.sections import Document

PRIORITIES = ("high", "medium", "low")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.+)$")
_PRIORITY = re.compile(r"[\[(]\s*(high|medium|low)\s*[\])]", re.IGNORECASE)
_OWNER = re.compile(r"[;,.]?\s*\bowner:\s*(?P<who>[^.;,]+)[.;,]?", re.IGNORECASE)
_DUE = re.compile(r"[;,.]?\s*\bdue:?\s*(?P<day>\d{4}-\d\d-\d\d)", re.IGNORECASE)
_LINK = re.compile(r"https?://[^\s)>\]]+")
_TODO = re.compile(r"\bTODO\b")
COLUMNS = ("id", "incident", "title", "owner", "due", "priority", "status", "link", "overdue")


@dataclass(frozen=True)
class Planned:
    title: str
    owner: str | None = None
    due: date | None = None
    priority: str = "medium"
    link: str | None = None


def _clean(text: str) -> str:
    text = _PRIORITY.sub("", text)
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip(" :;.,-")


def planned(doc: Document) -> list[Planned]:
    """The items listed in the report's Action items section."""
    section = doc.sections.get("Action items")
    if section is None:
        return []
    items = []
    for line in section.body.splitlines():
        found = _ITEM.match(line)
        if not found or found["text"].lower().startswith("none"):
            continue
        text = found["text"]
        priority = _PRIORITY.search(text)
        owner = _OWNER.search(text)
        due = _DUE.search(text)
        link = _LINK.search(text)
        title = _clean(_LINK.sub("", _DUE.sub("", _OWNER.sub("", text))))
        items.append(
            Planned(
                title=title[:300],
                owner=None if owner is None or _TODO.search(owner["who"]) else owner["who"].strip(),
                due=date.fromisoformat(due["day"]) if due else None,
                priority=priority[1].lower() if priority else "medium",
                link=link[0] if link else None,
            )
        )
    return items


def as_csv(items: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(["" if item.get(c) is None else item[c] for c in COLUMNS])
    return out.getvalue()


def as_markdown(items: Iterable[Mapping[str, Any]]) -> str:
    """A task list to paste into an issue tracker."""
    lines = []
    for item in items:
        box = "x" if item["status"] == "done" else " "
        meta = [f"priority {item['priority']}"]
        meta += [f"owner {item['owner']}"] if item.get("owner") else ["no owner"]
        meta += [f"due {item['due']}"] if item.get("due") else []
        meta += ["**overdue**"] if item.get("overdue") else []
        meta += [f"incident #{item['incident']}"] if item.get("incident") else []
        link = f" ({item['link']})" if item.get("link") else ""
        lines.append(f"- [{box}] {item['title']}{link} — {', '.join(meta)}")
    return "\n".join(lines) + ("\n" if lines else "")

"""A postmortem's sections: headings in their looser shapes, and prompts left in (no I/O).

Headings may be `## Summary`, `**Summary**` or `**Summary:**` on a line of their own; names
are matched to the template's nine (`Root Cause Analysis` is `Root cause`). Template prompts
(`> [!NOTE]` blocks, `> TODO(...)` lines, `**EXAMPLE**` markers) do not count as content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.incidents.reports.markdown import SECTIONS

_ALIASES = {
    "root cause analysis": "Root cause",
    "cause": "Root cause",
    "action item": "Action items",
    "actions": "Action items",
    "follow-up": "Action items",
    "timeline of events": "Timeline",
    "business impact": "Impact",
}
_HEADING = re.compile(
    r"^\s{0,3}(?:#{1,6}\s+(?P<hash>.+?)\s*#*\s*$|\*\*(?P<bold>[^*]+?):?\*\*:?\s*$)"
)
_TITLE = re.compile(r"^\s{0,3}#\s+(.+?)\s*$")
_PROMPT_LINE = re.compile(r"^\s*>\s*(\[!NOTE\]|TODO\b)", re.IGNORECASE)
_EXAMPLE = re.compile(r"\*\*EXAMPLE\*\*:?", re.IGNORECASE)


class NotAPostmortem(InvalidInput):
    """The text cannot be read as a Markdown postmortem (a 400 at the edge)."""

    code = "not_a_postmortem"


@dataclass(frozen=True)
class Section:
    name: str  # the template's name, or the heading as written when it is not one of them
    heading: str
    body: str  # content without the template's prompts
    prompt_only: bool  # nothing but prompts (or nothing at all) under the heading


@dataclass(frozen=True)
class Document:
    title: str | None
    sections: dict[str, Section] = field(default_factory=dict)
    preamble: str = ""  # text between the title and the first section

    def text(self) -> str:
        """All content, preamble first, for claims found outside any one section."""
        return "\n".join([self.preamble, *(s.body for s in self.sections.values())])


def canonical(heading: str) -> str | None:
    """The template's section a heading stands for, if any."""
    name = re.sub(r"[^a-z -]", "", heading.lower()).strip()
    for section in SECTIONS:
        if name == section.lower() or name == section.lower() + "s":
            return section
    return _ALIASES.get(name)


def _strip_prompts(lines: list[str]) -> str:
    kept: list[str] = []
    in_prompt = False
    for line in lines:
        if _PROMPT_LINE.match(line):
            in_prompt = line.strip().upper().startswith("> [!NOTE]")
            continue
        if in_prompt and line.lstrip().startswith(">"):
            continue
        in_prompt = False
        if line.strip().startswith("```"):
            continue  # the template wraps its examples in fences; the text inside counts
        kept.append(_EXAMPLE.sub("", line))
    return "\n".join(kept).strip()


def split(markdown: str) -> Document:
    """The document's title and sections; `NotAPostmortem` when it is not Markdown prose."""
    if "\x00" in markdown or not markdown.strip():
        raise NotAPostmortem("the file is empty or binary, not a Markdown report")
    title: str | None = None
    current: tuple[str, str] | None = None
    bodies: dict[tuple[str, str], list[str]] = {}
    preamble: list[str] = []
    for line in markdown.splitlines():
        top = _TITLE.match(line)
        if top and title is None and current is None:
            title = top.group(1)
            continue
        heading = _HEADING.match(line)
        name = canonical(heading.group("hash") or heading.group("bold")) if heading else None
        if heading and (name or heading.group("hash")):
            text = (heading.group("hash") or heading.group("bold")).strip()
            current = (name or text, text)
            bodies.setdefault(current, [])
            continue
        (bodies[current] if current else preamble).append(line)
    if title is None and not bodies:
        raise NotAPostmortem("no Markdown title or section headings: not a postmortem report")
    sections: dict[str, Section] = {}
    for (name, written), lines in bodies.items():
        body = _strip_prompts(lines)
        sections.setdefault(name, Section(name, written, body, prompt_only=not body))
    return Document(title=title, sections=sections, preamble=_strip_prompts(preamble))

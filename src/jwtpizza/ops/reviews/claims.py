"""The checkable statements a postmortem makes, found in its sections (no I/O).

A time belongs to the words around it: first the clause before it (`entered Pending at
10:10:30`), else the one after it (`- 12:57:25 - declared an incident`). A clause that names
several moments gives each only if no earlier sentence already claimed it, so
`Pending threshold exceeded. Alert state changes to Alerting` is the firing time, once the
pending time was stated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from jwtpizza.ops.reviews.clock import (
    DURATION,
    DURATION_TEXT,
    NUMBER,
    TIME,
    ClockTime,
    clock_time,
    date_spans,
    duration,
    number,
)
from jwtpizza.ops.reviews.sections import Document

# Moments, in the order a clause's keywords are tried.
MOMENTS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in (
        ("declared", r"declar"),
        ("alert_resolved", r"\balert\b[^.]{0,60}\bresolved|,\s*resolved\b|resolved to normal"),
        # `closed`, unless a circuit breaker closed (`breaker closed -> open`)
        ("resolved", r"incident\b[^.]{0,20}\bresolv|\bresolved at\b"
                     r"|^(?!.*\b(?:breaker|circuit)\b).*\bclosed\b"),
        ("pending", r"pending"),
        ("firing", r"alerting|\bfir(?:ed|ing)\b|alert\w* (?:was )?triggered|\bdetected"),
        ("page", r"\bpag(?:ed|ing)\b|\ba page\b|\bpage (?:went|was sent|to\b)|\bpage \d+ step 1\b"
                 r"|notif"),
        ("ack", r"acknowledg|\back(?:ed)?\b|came online|(?:began|started) (?:to )?(?:investigat|"
                r"debugg|work|respond)|\brespond"),
        ("mitigated", r"mitigat|recover|restor|back (?:up|online|on the menu)|\bcalm|works for"
                      r"|\bended\b|returned to normal|follow(?:ed|ing)? (?:a|the) (?:\w+ )?link"),
        ("fault_start", r"\bbegan\b|\bstart(?:ed|s)?\b|occurred|drops? to|\bfirst\b|triggered by"),
    )
}  # fmt: skip
_JOIN = re.compile(
    r"^\s*(?:and|to|until|through|-|\u2013)\s*(?:\d{4}-\d\d-\d\d\s*)?$", re.IGNORECASE
)
_OPENS_SPAN = re.compile(r"\b(?:between|from|window)\b", re.IGNORECASE)
_HEDGE = re.compile(r"approximately|about|around|or so|roughly|~|nearly|almost", re.IGNORECASE)
_N = rf"(?P<n>{NUMBER})"
_PEOPLE = r"(?:users|customers|diners)"
COUNTS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in (
        ("active_diners", rf"\b(?:were|of)\s+(?:only\s+)?{_N}\s+active\s+{_PEOPLE}"),
        ("affected_diners",
         rf"(?<![\d.%])\b{_N}\s+(?:active\s+)?{_PEOPLE}\b(?!\s+at the time)"),
        ("failed_orders",
         rf"\b{_N}\s+(?:(?:failed|rejected)\s+(?:pizza\s+)?orders|(?:pizza\s+)?orders?"
         rf"\s+(?:failed|were rejected)|(?:unhandled\s+)?errors)\b"),
        ("sold", rf"\b{_N}\s+pizzas?\s+(?:were\s+)?sold"),
        ("affected_share",
         rf"\b(?P<n>\d{{1,3}})\s*%\s*of\s+(?:all\s+|active\s+|total\s+)?{_PEOPLE}"),
        ("failed_share", r"\b(?P<n>\d{1,3})\s*%\s*of\s+(?:all\s+)?(?:pizza\s+)?orders"),
        ("revenue_at_risk", r"at risk\W{0,5}₿\s?(?P<n>\d+(?:\.\d+)?)"),
    )
}  # fmt: skip
_MTT = re.compile(rf"\b(?P<what>MTT[DAMR])\b\D{{0,25}}?(?P<d>{DURATION_TEXT})", re.IGNORECASE)
_WINDOW = re.compile(
    rf"(?P<d>{DURATION_TEXT})\s+(?:window|outage|long)|\b(?:for|lasted)"
    rf"\s+(?:about\s+|approximately\s+|around\s+|the\s+)?(?P<d2>{DURATION_TEXT})",
    re.IGNORECASE,
)
_WITHIN = re.compile(rf"\bwithin\s+(?P<d>{DURATION_TEXT})", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One statement: a moment (`time`), a duration or count (`amount`), or a word."""

    kind: str  # time:<moment>, duration:<mttd|mtta|mttm|mttr>, count:<name>, cause, resolved_by
    section: str
    quote: str
    time: ClockTime | None = None
    amount: float | None = None
    at_most: bool = False  # "within a minute"
    hedged: bool = False  # "approximately", "or so"


_URL = re.compile(r"\(?<?https?://[^\s)>]*>?\)?")
_MARKER = re.compile(r"^(?:[-*+>]\s+|\d+\.\s+)")
_LABEL = re.compile(r"^\*\*[^*]{1,40}:\*\*\s*")


def _sentences(text: str) -> Iterator[str]:
    """Sentences, except that a line starting with a time (a timeline entry) stays whole."""
    for line in text.splitlines():
        line = _LABEL.sub("", _MARKER.sub("", _URL.sub("", line).strip()))
        if TIME.match(line.lstrip("_*")):
            yield line
        elif line:
            yield from (s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*_\"])", line) if s)


def _quote(text: str) -> str:
    text = re.sub(r"[*_`]", "", text).strip()
    return text if len(text) <= 160 else text[:157] + "..."


def _moments(clause: str) -> list[str]:
    kinds = [name for name, pattern in MOMENTS.items() if pattern.search(clause)]
    return [k for k in kinds if k != "page"] if "ack" in kinds else kinds  # acking the page


def time_claims(doc: Document) -> list[Claim]:
    claims: list[Claim] = []
    seen: set[str] = set()

    def add(kind: str, section: str, sentence: str, when: ClockTime) -> None:
        if (f"time:{kind}", when.seconds) not in {
            (c.kind, c.time.seconds if c.time else -1) for c in claims
        }:
            claims.append(Claim(f"time:{kind}", section, _quote(sentence), time=when))
        seen.add(kind)

    for name, section in doc.sections.items():
        for sentence in _sentences(section.body):
            matches = list(TIME.finditer(sentence))
            spans = _span(sentence, matches)
            for i, match in enumerate(matches):
                if spans and i in spans:
                    add(
                        ("fault_start", "window_end")[spans.index(i)],
                        name,
                        sentence,
                        clock_time(match),
                    )
                    continue
                start = matches[i - 1].end() if i else 0
                end = matches[i + 1].start() if i + 1 < len(matches) else len(sentence)
                before = sentence[start : match.start()].rsplit(";", 1)[-1]
                after = sentence[match.end() : end].split(";", 1)[0]
                kinds = _moments(before) or _moments(after)
                if len(kinds) > 1:
                    kinds = [k for k in kinds if k not in seen]
                for kind in kinds:
                    add(kind, name, sentence, clock_time(match))
    return claims


def _span(sentence: str, matches: list[re.Match[str]]) -> list[int]:
    """The indices of a `between A and B` pair of times, if the sentence has one."""
    for i in range(len(matches) - 1):
        a, b = matches[i], matches[i + 1]
        before = sentence[max(0, a.start() - 40) : a.start()]
        if _JOIN.match(sentence[a.end() : b.start()]) and _OPENS_SPAN.search(before):
            return [i, i + 1]
    return []


def _hedged(sentence: str) -> bool:
    return bool(_HEDGE.search(sentence))


def duration_claims(doc: Document) -> list[Claim]:
    claims: list[Claim] = []
    for name, section in doc.sections.items():
        for sentence in _sentences(section.body):
            for m in _MTT.finditer(sentence):
                seconds = _seconds(m["d"])
                claims.append(
                    Claim(
                        f"duration:{m['what'].lower()}",
                        name,
                        _quote(sentence),
                        amount=seconds,
                        hedged=_hedged(sentence),
                    )
                )
            for m in _WINDOW.finditer(sentence):
                seconds = _seconds(m["d"] or m["d2"])
                claims.append(
                    Claim(
                        "duration:mttm",
                        name,
                        _quote(sentence),
                        amount=seconds,
                        hedged=_hedged(sentence),
                    )
                )
            for m in _WITHIN.finditer(sentence):
                what = "mttd" if re.search(r"detect", sentence, re.I) else "mtta"
                claims.append(
                    Claim(
                        f"duration:{what}",
                        name,
                        _quote(sentence),
                        amount=_seconds(m["d"]),
                        at_most=True,
                    )
                )
    return _unique(claims)


def _seconds(text: str) -> float:
    """`2 min 30 s` as 150."""
    return sum(duration(m) for m in DURATION.finditer(text))


def count_claims(doc: Document) -> list[Claim]:
    claims: list[Claim] = []
    for name, section in doc.sections.items():
        for sentence in _sentences(section.body):
            taken = date_spans(sentence)
            for kind, pattern in COUNTS.items():
                for m in pattern.finditer(sentence):
                    if any(a <= m.start("n") < b for a, b in taken):
                        continue
                    taken.append((m.start("n"), m.end("n")))
                    amount = number(m["n"])
                    if kind.endswith("_share"):
                        amount /= 100
                    claims.append(
                        Claim(
                            f"count:{kind}",
                            name,
                            _quote(sentence),
                            amount=amount,
                            hedged=_hedged(sentence),
                        )
                    )
    return _unique(claims)


def _unique(claims: list[Claim]) -> list[Claim]:
    seen: set[tuple[str, float | None]] = set()
    kept = []
    for claim in claims:
        if (claim.kind, claim.amount) not in seen:
            seen.add((claim.kind, claim.amount))
            kept.append(claim)
    return kept


def word_claims(doc: Document) -> list[Claim]:
    """What the root cause section names, and how the resolution section says it ended."""
    claims = []
    cause = doc.sections.get("Root cause")
    if cause and not cause.prompt_only:
        claims.append(Claim("cause", cause.name, _quote(cause.body.splitlines()[0])))
    resolution = doc.sections.get("Resolution")
    if resolution and not resolution.prompt_only:
        claims.append(
            Claim("resolved_by", resolution.name, _quote(resolution.body.splitlines()[0]))
        )
    return claims


def all_claims(doc: Document) -> list[Claim]:
    return [*time_claims(doc), *duration_claims(doc), *count_claims(doc), *word_claims(doc)]

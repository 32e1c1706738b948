"""What a postmortem's words say about the cause and the end of an incident (no I/O)."""

from __future__ import annotations

import re

# The fault families a root cause can name, by the words people use for them.
CAUSES: dict[str, re.Pattern[str]] = {
    family: re.compile(pattern, re.IGNORECASE)
    for family, pattern in (
        ("outage", r"outage|unavailable|shut ?down|offline|went down|came back online|restart"),
        ("throttle", r"\bslow|latency|throttl|time ?out|delay"),
        ("auth", r"auth|\bjwt\b|token|signature|\bkid\b|key id|expired"),
        ("ratelimit", r"rate.?limit|\b429\b|too many requests"),
        ("flaky", r"flaky|intermittent|some (?:of the )?requests"),
        ("fail", r"\b500\b|not ok|fail(?:ed|ure)? to (?:fulfill|create)|\berror"),
    )
}
FAULT_TYPES = {
    "fail",
    "throttle",
    "badjwt",
    "outage",
    "flaky",
    "auth",
    "ratelimit",
    "jwt-expired",
    "jwt-unknown-kid",
    "jwt-wrong-order",
}
_TYPE = re.compile(r"`([a-z-]+)`")  # ops' own draft names the chaos type: the `fail` fault
_PRODUCT = re.compile(r"jwt[ -]pizza(?:[ -]factory)?", re.IGNORECASE)
RESOLVED_BY: dict[str, re.Pattern[str]] = {
    "reported": re.compile(
        r"\(reported\)|\blink\b|\burl\b|report(?:ed)? (?:it|the)|reportPizza", re.I
    ),
    "expired": re.compile(
        r"\(expired\)|duration ran out|by itself|resolved itself|on its own|automatically"
        r"|without (?:any )?(?:manual )?intervention|came back online|completed its",
        re.I,
    ),
}


def families(text: str) -> list[str]:
    """The fault families the text names (the product's name `JWT Pizza` aside)."""
    named = sorted({family_of(t) for t in _TYPE.findall(text) if t in FAULT_TYPES})
    if named:
        return named
    text = _PRODUCT.sub("", text)
    return [family for family, pattern in CAUSES.items() if pattern.search(text)]


def family_of(fault_type: str) -> str:
    """The family of a chaos fault type (`jwt-expired` is `auth`)."""
    if fault_type in ("badjwt", "auth") or fault_type.startswith("jwt-"):
        return "auth"
    return fault_type


def resolved_by(text: str) -> str | None:
    """`reported` (the report link was followed), `expired` (by itself), or None."""
    said = [how for how, pattern in RESOLVED_BY.items() if pattern.search(text)]
    return said[0] if len(said) == 1 else None

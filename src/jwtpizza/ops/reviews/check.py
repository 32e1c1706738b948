"""Checking a postmortem's claims against the incident's record: verdicts, score, fixes.

Times are read in the zone the report names (`UTC`, `MST`), else in the whole-hour offset that
puts its first impact nearest the measured fault start (said so in the assumptions); a time
without a date takes the report's date, else the incident's day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from jwtpizza.ops.incidents.reports.markdown import SECTIONS
from jwtpizza.ops.reviews.claims import Claim, all_claims
from jwtpizza.ops.reviews.clock import (
    TIME,
    ZONES,
    ClockTime,
    clock_time,
    first_date,
    named_zone,
)
from jwtpizza.ops.reviews.record import Fact, Record
from jwtpizza.ops.reviews.sections import Document, NotAPostmortem
from jwtpizza.ops.reviews.words import families, family_of, resolved_by

NO_TIMES = "the report states no times of day (like 10:10, 10:10:30 or 10:10 AM)"
CONFIRMED, CONTRADICTED, UNCHECKABLE = "confirmed", "contradicted", "not checkable"
LABELS = {
    "time:fault_start": "first impact",
    "time:window_end": "end of the impact window",
    "time:pending": "alert pending",
    "time:firing": "alert firing",
    "time:page": "page sent",
    "time:ack": "acknowledgement",
    "time:declared": "incident declared",
    "time:mitigated": "mitigation",
    "time:resolved": "incident resolved",
    "time:alert_resolved": "alert resolved",
    "duration:mttd": "time to detect (MTTD)",
    "duration:mtta": "time to acknowledge (MTTA)",
    "duration:mttm": "impact duration (MTTM)",
    "duration:mttr": "time to resolve (MTTR)",
    "count:failed_orders": "failed orders",
    "count:affected_diners": "affected diners",
    "count:active_diners": "active diners",
    "count:affected_share": "share of diners affected",
    "count:failed_share": "share of orders failed",
    "count:sold": "pizzas sold",
    "count:revenue_at_risk": "revenue at risk",
    "cause": "root cause (fault type)",
    "resolved_by": "how it was resolved",
}


@dataclass(frozen=True)
class Verdict:
    claim: str
    kind: str
    section: str
    quote: str
    stated: str
    status: str
    measured: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class SectionCheck:
    name: str
    status: str  # present, missing, prompt


@dataclass(frozen=True)
class Review:
    incident_id: int
    score: int
    verdicts: list[Verdict]
    sections: list[SectionCheck]
    fixes: list[str]
    assumptions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """How the report's clock times become UTC moments."""

    day: date
    offset_hours: int
    twelve_hour_text: bool

    def moment(self, seconds: int, zone: str | None, twelve_hour: bool, near: datetime) -> datetime:
        hours = ZONES[zone] if zone else self.offset_hours
        local = datetime.combine(self.day, datetime.min.time(), timezone(timedelta(hours=hours)))
        base = (local + timedelta(seconds=seconds)).astimezone(UTC)
        options = [base, base - timedelta(days=1), base + timedelta(days=1)]
        if self.twelve_hour_text and not twelve_hour and seconds < 12 * 3600:
            options.append(base + timedelta(hours=12))  # "2:11" in a report written in PM times
        return min(options, key=lambda t: abs(t - near))


def first_time(doc: Document) -> ClockTime:
    """The first time of day the report states; `NotAPostmortem` when it states none."""
    stated = TIME.search("\n".join([doc.title or "", doc.text()]))
    if stated is None:
        raise NotAPostmortem(NO_TIMES)
    return clock_time(stated)


def reading(doc: Document, claims: list[Claim], record: Record) -> tuple[Reading, list[str]]:
    text = "\n".join([doc.title or "", doc.text()])
    notes = []
    day = first_date(text)
    zone = named_zone(text)
    anchor = next((c.time for c in claims if c.time), None) or first_time(doc)
    if zone is not None:
        offset = ZONES[zone]
        notes.append(f"times read as {zone} (named in the report)")
    else:
        day0 = day or record.fault_start.date()
        offset = min(
            range(-12, 15),
            key=lambda h: abs(
                datetime.combine(day0, datetime.min.time(), timezone(timedelta(hours=h)))
                + timedelta(seconds=anchor.seconds)
                - record.fault_start
            ),
        )
        notes.append(
            f"no time zone named: times read as UTC{offset:+d}, the offset that puts "
            f"{anchor.text} nearest the measured fault start"
        )
    if day is None:
        day = (record.fault_start + timedelta(hours=offset)).date()
        notes.append(f"no date in the report: read as the incident's day, {day}")
    twelve = any(c.time.twelve_hour for c in claims if c.time)
    return Reading(day, offset, twelve), notes


def _clock(moment: datetime, offset: int) -> str:
    if offset == 0:
        return f"{moment:%H:%M:%S} UTC"
    local = moment.astimezone(timezone(timedelta(hours=offset)))
    return f"{local:%H:%M:%S} UTC{offset:+d} ({moment:%H:%M:%S} UTC)"


def _span(seconds: float) -> str:
    seconds = round(seconds)
    minutes, rest = divmod(abs(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def check_time(claim: Claim, fact: Fact, read: Reading, tolerance: float) -> Verdict:
    assert claim.time is not None and isinstance(fact.value, datetime)
    stated = read.moment(claim.time.seconds, claim.time.zone, claim.time.twelve_hour, fact.value)
    slack = tolerance + (0 if claim.time.has_seconds else 59)
    options = [(fact.value, fact.source), *fact.others]
    measured, source = min(options, key=lambda o: abs(o[0] - stated))
    ok = abs((stated - measured).total_seconds()) <= slack
    return _verdict(claim, claim.time.text, ok, _clock(measured, read.offset_hours), source)


def check_amount(claim: Claim, fact: Fact) -> Verdict:
    assert claim.amount is not None
    if isinstance(fact.value, timedelta):
        measured = fact.value.total_seconds()
        slack = max(60.0, 0.25 * measured) * (2 if claim.hedged else 1)
        ok = (
            measured <= claim.amount + 5 if claim.at_most else abs(measured - claim.amount) <= slack
        )
        stated = ("at most " if claim.at_most else "") + _span(claim.amount)
        return _verdict(claim, stated, ok, _span(measured), fact.source)
    assert isinstance(fact.value, float)
    value = fact.value
    if claim.kind.endswith("_share"):
        ok = abs(value - claim.amount) <= (0.1 if claim.hedged else 0.05)
        return _verdict(claim, f"{claim.amount:.0%}", ok, f"{value:.0%}", fact.source)
    if claim.kind.endswith("revenue_at_risk"):
        ok = abs(value - claim.amount) <= max(0.0001, 0.01 * value)
        return _verdict(claim, f"₿{claim.amount:g}", ok, f"₿{value:.4f}", fact.source)
    slack = max(1.0, 0.2 * value) if claim.hedged else 0.0
    ok = abs(value - claim.amount) <= slack
    return _verdict(claim, f"{claim.amount:g}", ok, f"{value:g}", fact.source)


def check_words(claim: Claim, fact: Fact, body: str) -> Verdict:
    truth = str(fact.value)
    if claim.kind == "cause":
        named = families(body)
        stated = ", ".join(named) or "no fault type"
        if not named:
            return _verdict(claim, stated, None, truth, fact.source)
        return _verdict(claim, stated, family_of(truth) in named, truth, fact.source)
    how = resolved_by(body)
    words = {"reported": "by following the report link", "expired": "by itself"}
    stated = words.get(how or "", "not said")
    return _verdict(claim, stated, None if how is None else how == truth, words[truth], fact.source)


def _verdict(claim: Claim, stated: str, ok: bool | None, measured: str, source: str) -> Verdict:
    status = UNCHECKABLE if ok is None else CONFIRMED if ok else CONTRADICTED
    return Verdict(
        LABELS.get(claim.kind, claim.kind),
        claim.kind,
        claim.section,
        claim.quote,
        stated,
        status,
        measured,
        source,
    )


def _uncheckable(claim: Claim, why: str) -> Verdict:
    stated = claim.time.text if claim.time else f"{claim.amount:g}" if claim.amount else ""
    return Verdict(
        LABELS.get(claim.kind, claim.kind),
        claim.kind,
        claim.section,
        claim.quote,
        stated,
        UNCHECKABLE,
        None,
        why,
    )


def verdict(
    claim: Claim, record: Record, read: Reading, doc: Document, tolerance: float
) -> Verdict:
    name = claim.kind.split(":", 1)[-1]
    fact = record.get(name)
    if fact is None:
        return _uncheckable(claim, "ops holds no record of this for the incident")
    if claim.time is not None:
        return check_time(claim, fact, read, tolerance)
    if claim.amount is not None:
        return check_amount(claim, fact)
    return check_words(claim, fact, doc.sections[claim.section].body)


def sections_of(doc: Document) -> list[SectionCheck]:
    checks = []
    if doc.title is None or "YYYY" in doc.title:
        checks.append(SectionCheck("Title", "prompt" if doc.title else "missing"))
    for name in SECTIONS:
        section = doc.sections.get(name)
        status = "missing" if section is None else "prompt" if section.prompt_only else "present"
        checks.append(SectionCheck(name, status))
    return checks


def review(doc: Document, record: Record, *, tolerance: float = 60.0) -> Review:
    """Every claim of the report checked against the record, with a score and fixes."""
    claims = all_claims(doc)
    read, notes = reading(doc, claims, record)
    verdicts = [verdict(c, record, read, doc, tolerance) for c in claims]
    sections = sections_of(doc)
    checked = [v for v in verdicts if v.status != UNCHECKABLE]
    good = sum(2 for v in checked if v.status == CONFIRMED)
    good += sum(1 for s in sections if s.status == "present")
    score = round(100 * good / (2 * len(checked) + len(sections)))
    notes.append(
        f"times within {tolerance:g} s count as confirmed (a minute more when the "
        f"report gives no seconds)"
    )
    return Review(record.incident_id, score, verdicts, sections, fixes(verdicts, sections), notes)


def fixes(verdicts: list[Verdict], sections: list[SectionCheck]) -> list[str]:
    out = [
        f"{v.section}: {v.claim} is {v.stated}, but ops measured {v.measured} ({v.source})"
        for v in verdicts
        if v.status == CONTRADICTED
    ]
    out += [f"Add the {s.name} section" for s in sections if s.status == "missing"]
    out += [
        f"Fill in the {s.name} (it is still the template's prompt)"
        for s in sections
        if s.status == "prompt"
    ]
    return out[:10]

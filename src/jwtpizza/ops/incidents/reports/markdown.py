"""The postmortem as CommonMark, in the original incident-report template.

The title is `# Incident: YYYY-MM-DD HH-mm-ss` (the fault's start, UTC) and the nine sections
are the template's. Measured facts fill them; what only a person can say is a marked prompt
(`> TODO(responder): ...`), never invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from jwtpizza.ops.incidents.lifecycle import SEVERITY_POLICY, Severity
from jwtpizza.ops.incidents.reports.draft import Draft, plural, was
from jwtpizza.ops.incidents.reports.figures import Figures
from jwtpizza.ops.incidents.timeline import Entry

SECTIONS = (
    "Summary",
    "Detection",
    "Impact",
    "Timeline",
    "Response",
    "Root cause",
    "Resolution",
    "Prevention",
    "Action items",
)
# What could start markup inside a line of our text: backslashes, emphasis stars, link
# brackets, raw HTML and entities, a backtick that opens no code span, and underscores at a
# word's edge (inside a word they are literal).
_SPECIAL = re.compile(r"([\\`*\[\]<>&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# A code span we write: a backtick, text without backticks or line breaks, a backtick.
_CODE_SPAN = re.compile(r"(`[^`\r\n]+`)")
# What a link destination in `<...>` may not hold raw: its own brackets, spaces, breaks.
_URL_UNSAFE = re.compile(r"[<>\s\\`\"]")


def escape(text: str) -> str:
    """Text from data, made literal in Markdown on one line. Closed code spans (`like this`)
    are kept (their content is literal in CommonMark); everything else, a lone backtick
    included, is escaped."""
    parts = _CODE_SPAN.split(" ".join(text.splitlines()))
    # Odd parts are the closed code spans; even parts are plain text.
    return "".join(p if i % 2 else _SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


def link_target(url: str) -> str | None:
    """An http(s) URL as a link destination that cannot end early; None for another scheme."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def utc(moment: datetime | None) -> str:
    return "not recorded" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def clock(moment: datetime) -> str:
    return f"{moment:%H:%M:%S}"


def duration(span: timedelta | None, speed: float = 1.0) -> str:
    """A span in words; `speed` turns a compressed run's wall-clock span into scenario time."""
    if span is None:
        return "not measured"
    seconds = round(span.total_seconds() * speed)
    if abs(seconds) < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def btc(amount: float) -> str:
    return f"₿{amount:.4f}"


def todo(text: str) -> str:
    return f"> TODO(responder): {text}"


def title(draft: Draft) -> str:
    return f"# Incident: {draft.figures.fault_start:%Y-%m-%d %H-%M-%S}"


def render(draft: Draft) -> str:
    """The whole report, one section after another."""
    blocks = [title(draft), _header(draft)]
    for name, body in zip(SECTIONS, _bodies(draft), strict=True):
        blocks.append(f"## {name}")
        blocks.append("\n\n".join(body))
    return "\n\n".join(blocks) + "\n"


def _bodies(draft: Draft) -> Iterator[list[str]]:
    yield _summary(draft)
    yield _detection(draft)
    yield _impact(draft)
    yield _timeline(draft)
    yield _response(draft)
    yield _root_cause(draft)
    yield _resolution(draft)
    yield _prevention(draft)
    yield _action_items(draft)


def _header(draft: Draft) -> str:
    header = (
        f"Incident {draft.incident_id}: {escape(draft.title)}. "
        f"Severity {draft.severity}; status {draft.status}; "
        f"drafted from measured facts at {utc(draft.now)}."
    )
    if draft.speed != 1:
        header += (
            f" This run was sped up {draft.speed:g} times: every duration is given in scenario "
            f"time ({draft.speed:g} times the wall clock's), and each timeline entry also shows "
            "its scenario time since the fault began (T+); clock times are the wall clock's."
        )
    return header


def _span(draft: Draft, span: timedelta | None) -> str:
    return duration(span, draft.speed)


def _until(moment: datetime | None) -> str:
    return "now (not yet resolved)" if moment is None else utc(moment)


def _orders_sentence(figures: Figures) -> str:
    ledger = figures.ledger
    if ledger is None:
        return "The order ledger could not be read, so order counts are unknown."
    share = ledger.affected_share
    share_text = "" if share is None else f" ({share:.0%} of the {ledger.active_diners} active)"
    queued, lost, diners = ledger.queued_then_fulfilled, ledger.lost, ledger.affected_diners
    return (
        f"{plural(ledger.failed, 'order')} failed, {queued} {was(queued)} queued and later "
        f"fulfilled, and {lost} {was(lost)} lost; {plural(diners, 'diner')} {was(diners)} "
        f"affected{share_text}."
    )


def _summary(draft: Draft) -> list[str]:
    f = draft.figures
    cause = draft.root_cause.summary if draft.root_cause else "a cause not yet known"
    detected = (
        f"It was detected by alert `{f.detected_by}` at {utc(f.detected_at)} "
        f"(MTTD {_span(draft, f.mttd)})."
        if f.detected_by
        else "No alert fired for it."
    )
    severity = Severity(draft.severity)
    return [
        f"Between {utc(f.fault_start)} and {_until(f.resolved_at)}, pizza orders were affected "
        f"by {cause}. {_orders_sentence(f)} {detected} Severity: {severity.value} "
        f"({SEVERITY_POLICY[severity].example}); time to resolve {_span(draft, f.mttr)}."
        + _budget_sentence(draft),
        todo("add the symptoms diners reported, support tickets and social posts, if any."),
    ]


def _budget_sentence(draft: Draft) -> str:
    """` This incident spent 3.1% of the month's error budget of order-success (...).`"""
    spent = [(slo, share) for slo, share in draft.budget_spent.items() if share > 0]
    if not spent:
        return ""
    shares = [f"{100 * share:.1f}% of the month's error budget of {slo}" for slo, share in spent]
    return f" This incident spent {', '.join(shares)}."


def _alert_lines(f: Figures) -> list[str]:
    lines = []
    for alert in f.fired:
        lines.append(
            f"- `{alert.name}`: pending {utc(alert.pending_at)}, firing {utc(alert.firing_at)}"
            + (f", value {alert.value:g}" if alert.value is not None else "")
            + (f", resolved {utc(alert.resolved_at)}" if alert.resolved_at else "")
        )
    for name in f.never_fired:
        lines.append(f"- `{name}`: expected for this fault, **never fired**")
    return lines or ["- no alert fired"]


def _detection(draft: Draft) -> list[str]:
    f = draft.figures
    pages = [e for e in draft.timeline if e.kind in ("page", "escalation")]
    acked = (
        f"was acknowledged at {utc(f.acked_at)} (MTTA {_span(draft, f.mtta)})"
        if f.acked_at
        else "was not acknowledged"
    )
    paged = (
        f"The first page went out at {utc(f.first_page_at)} and {acked}."
        if f.first_page_at
        else "No page was recorded."
    )
    if f.pages_opened > 1:
        paged += f" {plural(f.pages_opened, 'separate page')} went out for this one incident."
    if f.escalated_before_ack:
        paged += " The page escalated past its first step before anyone acknowledged it."
    return [
        f"The fault started at {utc(f.fault_start)} (from the {f.fault_start_source}). "
        f"MTTD was {_span(draft, f.mttd)} against a target of {_span(draft, f.mttd_target)}. "
        f"{paged}",
        "\n".join(_alert_lines(f)),
        *(["\n".join(f"- {_entry(draft, e)}" for e in pages)] if pages else []),
        todo("how could time to detection be halved, and who owns that improvement?"),
    ]


def _impact(draft: Draft) -> list[str]:
    f = draft.figures
    lines = [
        f"- Window: {utc(f.fault_start)} to {_until(f.resolved_at)} ({_span(draft, f.mttr)})",
    ]
    ledger = f.ledger
    if ledger is not None:
        share = ledger.affected_share
        lines += [
            f"- Diners affected: {ledger.affected_diners} of {ledger.active_diners} active"
            + ("" if share is None else f" ({share:.0%})"),
            f"- Orders failed: {ledger.failed}",
            f"- Orders queued and later fulfilled: {ledger.queued_then_fulfilled}",
            f"- Orders still open: {ledger.still_open}",
            f"- Orders lost: {ledger.lost}",
            f"- Revenue at risk: {btc(ledger.revenue_at_risk)}; recovered: "
            f"{btc(ledger.revenue_recovered)}; lost to failed orders: "
            f"{btc(ledger.revenue_failed)}",
        ]
        if ledger.refused:
            lines.append(
                f"- Not counted: {plural(ledger.refused, 'order')} the factory refuses by "
                "design (too many pizzas for its oven, or invalid), as in normal operation"
            )
    else:
        lines.append("- Orders and diners: the order ledger could not be read")
    return ["\n".join(lines), todo("list support tickets and social posts, if any.")]


def _entry_line(entry: Entry) -> str:
    target = link_target(entry.evidence) if entry.evidence else None
    link = f" ([evidence](<{target}>))" if target else ""
    return f"**{clock(entry.at)}** {escape(entry.source)}: {escape(entry.text)}{link}"


def _entry(draft: Draft, entry: Entry) -> str:
    """An entry's line; in a compressed run its clock time also gives the scenario time
    since the fault began."""
    line = _entry_line(entry)
    if draft.speed == 1:
        return line
    since = entry.at - draft.figures.fault_start
    sign = "-" if since.total_seconds() < 0 else "+"
    stamp = f"**{clock(entry.at)}**"
    return f"**{clock(entry.at)} (T{sign}{_span(draft, abs(since))})**" + line.removeprefix(stamp)


def _timeline(draft: Draft) -> list[str]:
    if not draft.timeline:
        return ["No events were recorded."]
    day = f"All times UTC, {draft.timeline[0].at:%Y-%m-%d}."
    return [day, "\n".join(f"- {_entry(draft, e)}" for e in draft.timeline)]


def _response(draft: Draft) -> list[str]:
    f = draft.figures
    roles = ", ".join(f"{role}: {escape(who)}" for role, who in sorted(draft.roles.items()))
    acks = [e for e in draft.timeline if e.kind == "ack"]
    who = (
        f"Acknowledged by {escape(str(acks[0].data.get('by', 'a responder')))} at "
        f"{utc(acks[0].at)}."
        if acks
        else "Nobody acknowledged the incident."
    )
    body = [f"Roles: {roles or 'none assigned'}. {who}"]
    runbook = draft.runbook_entries
    if runbook:
        body.append("\n".join(f"- {_entry(draft, e)}" for e in runbook))
    else:
        body.append("No runbook action was taken.")
    if f.escalated_before_ack:
        body.append("Delay: the page escalated before it was acknowledged.")
    body.append(todo("what did each responder do, and what slowed them down?"))
    return body


def _root_cause(draft: Draft) -> list[str]:
    cause = draft.root_cause
    if cause is None:
        return [
            "No chaos record or integrity finding explains this incident.",
            todo("state the underlying cause that must change."),
        ]
    details = "\n".join(f"- {d}" for d in cause.details)
    return [
        f"The root cause was {cause.summary}.",
        *([details] if details else []),
        todo("what must change so this class of incident cannot recur?"),
    ]


def _resolution(draft: Draft) -> list[str]:
    f = draft.figures
    restored = [e for e in draft.timeline if e.kind in ("chaos-reported", "chaos-ended")]
    how = "\n".join(f"- {_entry(draft, e)}" for e in restored)
    how = how or "- no fault end was recorded"
    alerts = [a for a in f.fired if a.resolved_at]
    resolved = (
        f"Every alert resolved by {utc(max(a.resolved_at for a in alerts if a.resolved_at))}."
        if alerts and len(alerts) == len(f.fired)
        else "Not every alert had resolved when this was drafted."
    )
    ended = (
        f"Impact ended at {utc(f.mitigated_at)} (MTTM {_span(draft, f.mttm)})"
        if f.mitigated_at
        else "Impact had not ended when this was drafted"
    )
    closed = (
        f"the incident was resolved at {utc(f.resolved_at)} (MTTR {_span(draft, f.mttr)})"
        if f.resolved_at
        else "the incident was not yet resolved"
    )
    return [
        f"{ended}; {closed}. {resolved}",
        how,
        todo("how could time to mitigation be halved?"),
    ]


def _prevention(draft: Draft) -> list[str]:
    """What would have prevented or shortened this incident, as its facts show, and the
    earlier incidents with the same cause."""
    lessons = draft.action_items
    body = (
        [
            "What this incident's own record says would have prevented or shortened it:",
            "\n".join(f"- {i.title}, because {i.why}." for i in lessons),
        ]
        if lessons
        else [
            "The measured response shows no gap: the fault was detected within target, "
            "paged once, acknowledged in time and ended by its runbook."
        ]
    )
    if not draft.earlier:
        body.append("No earlier incident with the same root cause is recorded.")
        return [*body, todo("were there near misses with the same cause?")]
    lines = "\n".join(
        f"- Incident {e.incident_id} ({utc(e.declared_at)}): {escape(e.title)}, {e.status}"
        for e in draft.earlier
    )
    return [
        *body,
        "Earlier incidents with the same root cause:",
        lines,
        todo("what was tried after those incidents, and why did it recur?"),
    ]


def _action_items(draft: Draft) -> list[str]:
    items = draft.action_items
    if not items:
        lines = "- none derived from the measured gaps"
    else:
        lines = "\n".join(f"- **{i.title}**: {i.why}. Owner: TODO; due: TODO." for i in items)
    return [lines, todo("give each item an owner, a deadline and where it is tracked.")]

"""The postmortem is CommonMark in the template's shape: parsed with markdown-it-py."""

from markdown_it import MarkdownIt
from markdown_it.token import Token

from jwtpizza.ops.incidents.reports.markdown import SECTIONS, escape, render

from .drafts import make_draft, make_facts


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(text)


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [
        (token.tag, tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def section_text(tokens: list[Token], name: str) -> str:
    """The inline text of one `##` section."""
    inside, parts = False, []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inside = token.tag == "h2" and tokens[i + 1].content == name
        elif inside and token.type == "inline":
            parts.append(token.content)
    return "\n".join(parts)


def test_title_and_nine_sections_in_the_template_order() -> None:
    tokens = parse(render(make_draft()))
    found = headings(tokens)
    assert found[0] == ("h1", "Incident: 2026-11-25 14-00-00")
    assert found[1:] == [("h2", name) for name in SECTIONS]
    assert len(SECTIONS) == 9


def test_measured_facts_fill_the_sections() -> None:
    tokens = parse(render(make_draft()))
    summary = section_text(tokens, "Summary")
    assert (
        "8 orders failed" in summary and "3 diners were affected (25% of the 12 active)" in summary
    )
    assert "MTTD 35 s" in summary
    detection = section_text(tokens, "Detection")
    assert "MTTD was 35 s against a target of 2 min" in detection
    assert "MTTA 30 s" in detection
    impact = section_text(tokens, "Impact")
    assert "Orders lost: 0" in impact and "Revenue at risk: ₿0.4000" in impact
    root = section_text(tokens, "Root cause")
    assert "`fail`" in root and "vendor `demo`" in root
    assert "Incident 1" in section_text(tokens, "Prevention")
    assert "alice" in section_text(tokens, "Response")


def test_what_only_a_person_can_say_is_a_todo_prompt_in_a_blockquote() -> None:
    tokens = parse(render(make_draft()))
    quoted = [
        tokens[i + 2].content for i, token in enumerate(tokens) if token.type == "blockquote_open"
    ]
    assert len(quoted) == 8  # every section but the timeline asks for something
    assert all(text.startswith("TODO(responder): ") for text in quoted)


def test_timeline_entries_link_their_evidence() -> None:
    tokens = parse(render(make_draft()))
    links = [
        child.attrGet("href")
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert "http://factory/api/chaos/events?since=x" in links
    assert "http://shop/api/ops/logs?q=req_1" in links


def test_gaps_show_as_action_items_and_a_silent_alert() -> None:
    facts = make_facts(expected_alerts=["PizzaFactoryFailures", "FactoryDown"])
    tokens = parse(render(make_draft(facts, timeline=[])))
    assert "Fix or add alert `FactoryDown`" in section_text(tokens, "Action items")
    assert "`FactoryDown`: expected for this fault, **never fired**" in section_text(
        tokens, "Detection"
    )
    assert "No events were recorded." in section_text(tokens, "Timeline")


def test_text_from_data_is_literal() -> None:
    html = MarkdownIt("commonmark").render(escape("a *b* [c](d) <i> `e_f`"))
    assert html == "<p>a *b* [c](d) &lt;i&gt; <code>e_f</code></p>\n"

import xml.etree.ElementTree as ET

from jwtpizza.ops.incidents.reports.html import render_html

from .drafts import make_draft, t

SVG = "{http://www.w3.org/2000/svg}"


def test_the_html_report_has_the_chart_with_its_marks_and_the_sections() -> None:
    samples = [(t(s), 0.0 if s < 0 or s > 150 else 1.0) for s in range(-30, 200, 5)]
    html = render_html(make_draft(), "pizza failures per second", samples, now=t(300))
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    tree = ET.fromstring(svg)  # noqa: S314 (our own output)
    marks = [g.get("data-mark") for g in tree.iter(f"{SVG}g")]
    assert marks == ["fault", "detected", "ack", "resolved"]
    points = tree.find(f"{SVG}polyline")
    assert points is not None and len(points.get("points", "").split()) == 37  # 0..180 s
    assert "<h1>Incident: 2026-11-25 14-00-00</h1>" in html
    assert html.count("<h2>") == 9


def test_text_from_alerts_and_notes_is_never_markup() -> None:
    from jwtpizza.ops.incidents.reports.html import markdown_html
    from jwtpizza.ops.incidents.reports.markdown import escape, link_target

    # An odd backtick used to leave the rest of the line raw.
    html = markdown_html(escape("`<img src=x onerror=alert(1)> and a `code` span"))
    assert html == (
        "<p><code>&lt;img src=x onerror=alert(1)&gt; and a </code>code` span</p>\n"
    )  # backticks pair up as CommonMark says; what is left over is literal
    lone = markdown_html(escape("`<img src=x onerror=alert(1)>"))
    assert lone == "<p>`&lt;img src=x onerror=alert(1)&gt;</p>\n"
    assert markdown_html(escape("a\n# not a heading")) == "<p>a # not a heading</p>\n"
    # A link URL cannot close its own brackets; other schemes are not links at all.
    target = link_target('https://x.test/a>"<img src=x onerror=alert(2)>')
    assert target == "https://x.test/a%3E%22%3Cimg%20src=x%20onerror=alert(2)%3E"
    assert link_target("javascript:alert(1)") is None
    # Raw HTML in the Markdown itself is shown as text, and what the renderer makes is
    # sanitised: no script, no handler, no javascript: link.
    raw = markdown_html("<script>alert(1)</script> [x](javascript:alert(1)) [y](https://y.test)")
    assert "<script" not in raw and "javascript:" not in raw.replace("(javascript:", "")
    assert '<a href="https://y.test" rel="noopener noreferrer">y</a>' in raw

import xml.etree.ElementTree as ET

from jwtpizza.ops.reports.html import render_html

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

"""The progress chart's geometry: incidents along x, seconds up y, gaps left out."""

from __future__ import annotations

from jwtpizza.web.console.progress import HEIGHT, PAD, WIDTH, chart


def test_series_scale_to_the_slowest_measure() -> None:
    incidents = [
        {"incident": 1, "mttd": 30.0, "mtta": None, "mttm": 100.0, "mttr": 200.0},
        {"incident": 2, "mttd": 10.0, "mtta": 5.0, "mttm": 50.0, "mttr": 100.0},
    ]
    series, top = chart(incidents)
    assert top == 200.0
    mttr = next(s for s in series if s.measure == "mttr")
    assert mttr.points == f"{PAD:.1f},{PAD:.1f} {WIDTH - PAD:.1f},{HEIGHT / 2:.1f}"
    mtta = next(s for s in series if s.measure == "mtta")
    assert [d[2] for d in mtta.dots] == ["incident #2: MTTA 5 s"]


def test_no_incident_is_an_empty_chart() -> None:
    series, top = chart([])
    assert top == 1 and all(not s.dots for s in series)

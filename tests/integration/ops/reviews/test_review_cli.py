"""`jwtpizza incident review FILE.md` against a running ops app (on a loopback port)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli

from ..ops_kit import ADMIN_TOKEN

REPORT = """# Incident: declared by hand

## Summary
The factory failed every order from 10:00 UTC on 2026-11-25.

## Timeline
- 10:00:00 - first failed order
"""


def run(ops_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["incident", *args, "--url", ops_url, "--token", ADMIN_TOKEN])
    return result.exit_code, result.output


def test_review_a_file_as_text_and_json(ops_url: str, tmp_path: Path) -> None:
    assert run(ops_url, "declare", "Orders failing")[0] == 0
    report = tmp_path / "mine.md"
    report.write_text(REPORT)
    code, out = run(ops_url, "review", str(report), "--incident", "1")
    assert code == 0, out
    assert out.startswith("Review against incident 1: score ")
    assert "Sections: " in out and "Detection missing" in out and "To fix:" in out
    code, out = run(ops_url, "review", str(report), "--incident", "1", "--json")
    found = json.loads(out)
    assert found["incident_id"] == 1 and {s["name"] for s in found["sections"]} >= {"Impact"}


def test_bad_input_is_one_line_and_a_non_zero_exit(ops_url: str, tmp_path: Path) -> None:
    image = tmp_path / "photo.md"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    code, out = run(ops_url, "review", str(image), "--incident", "1")
    assert code == 1 and out == f"error: {image} is not a Markdown report: it is not UTF-8 text\n"
    plain = tmp_path / "notes.md"
    plain.write_text("# Notes\n\n## Summary\nIt broke and then it got better.\n")
    code, out = run(ops_url, "review", str(plain), "--incident", "1")
    assert code == 1 and out.startswith("error: the report states no times of day")
    assert out.count("\n") == 1
    report = tmp_path / "mine.md"
    report.write_text(REPORT)
    code, out = run(ops_url, "review", str(report), "--incident", "9")
    assert code == 1 and out == "error: unknown incident 9 (HTTP 404)\n"
    code, out = run(ops_url, "review", str(tmp_path / "missing.md"))
    assert code == 1 and out.startswith("error: cannot read ") and out.count("\n") == 1

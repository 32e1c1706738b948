"""The docs' shell blocks, read the way tests/e2e/test_readme.py runs them: every block a page
shows is run there, or marked `<!-- not run: REASON -->` with a reason (docs/testing.md)."""

from __future__ import annotations

from pathlib import Path

from tests.support.readme_driver import DOCS_BLOCK, blocks, docs_blocks

ROOT = Path(__file__).parents[2]


def test_every_block_is_run_or_says_why_not() -> None:
    run, not_run = docs_blocks(ROOT)
    assert len(run) >= 10
    assert {where: reason for where, reason in not_run.items() if not reason} == {}


def test_the_readme_quick_start_keeps_its_four_blocks_and_two_commands_first() -> None:
    first, *rest = blocks((ROOT / "README.md").read_text("utf-8"))
    assert len(rest) == 3
    assert [line.split()[0] for line in first.strip().splitlines()] == [
        "scripts/up",
        "scripts/test",
    ]


def test_a_marker_applies_only_to_the_block_right_after_it() -> None:
    page = "<!-- not run: slow -->\n```sh\nsleep 1h\n```\n\n```sh\necho hi\n```\n"
    found = [(m.group("reason"), m.group("body")) for m in DOCS_BLOCK.finditer(page)]
    assert found == [(" slow ", "sleep 1h\n"), (None, "echo hi\n")]


def test_the_readme_stays_short_the_manual_is_the_docs_site() -> None:
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= 150

"""The docs' generated pages (configuration table, command reference) match the code, so
they cannot drift: a changed setting or option fails here until
`python -m jwtpizza.cli.reference` is run and its output committed."""

from __future__ import annotations

from jwtpizza.cli.reference import configuration_page, main, pages
from jwtpizza.cli.setting_notes import NOTES
from jwtpizza.cli.variables import SETTINGS_GROUPS, known_variables


def test_the_checked_in_pages_are_the_generated_ones() -> None:
    for path, text in pages().items():
        assert path.read_text("utf-8") == text, f"{path.name} is stale: run {main.__module__}"
    assert main(["--check"]) == 0


def test_one_row_per_variable_each_with_a_description() -> None:
    rows = [line for line in configuration_page().splitlines() if line.startswith("| `JWTPIZZA_")]
    settings_rows = [row for row in rows if row.count(" | ") >= 5]
    keys = [(row.split(" | ")[0].strip("| `"), row.split(" | ")[1].strip("`")) for row in
            settings_rows]  # fmt: skip
    assert len(keys) == len(set(keys))
    assert {prefix + field for prefix, field in keys} == known_variables()
    assert [row for row in settings_rows if row.endswith("|  |")] == []


def test_every_note_is_of_a_variable_something_reads() -> None:
    assert sorted(set(NOTES) - known_variables()) == []


def test_every_settings_class_is_listed_once() -> None:
    classes = [group.settings for group in SETTINGS_GROUPS]
    assert len(classes) == len(set(classes))

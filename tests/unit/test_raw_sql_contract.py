"""The `raw_sql` import contract (tests/contracts.py) finds SQL text outside the door."""

from __future__ import annotations

from tests.contracts import module_file, sql_in


def test_statements_and_text_builders_are_found() -> None:
    source = (
        "from sqlalchemy import select, text\n"
        "DROP = 'DELETE FROM limit_events WHERE attempt = ?'\n"
        "def usage(key):\n"
        "    return f'SELECT {key}, COUNT(*) FROM limit_events WHERE {key} = ?'\n"
        "async def ping(connection):\n"
        "    await connection.exec_driver_sql('SELECT 1')\n"
        "UPDATE = ('UPDATE orders SET status = ?'\n"
        "          ' WHERE id = ?')\n"
    )
    found = list(sql_in(source))
    assert {line for line, _ in found} == {1, 2, 4, 6, 7}
    assert len(found) == 5  # an f-string is one statement, not one per piece


def test_words_that_are_not_statements_pass() -> None:
    source = (
        '"""SELECT name FROM a docstring is prose."""\n'
        "METHODS = ('DELETE', 'GET', 'UPDATE')\n"
        "message = 'select a store from the list'\n"
        "from sqlalchemy import select, update\n"
    )
    assert list(sql_in(source)) == []


def test_module_files_are_found_without_importing_them() -> None:
    assert module_file("jwtpizza.db.statements") is not None
    assert module_file("jwtpizza.db") is not None
    assert module_file("jwtpizza.no_such_module") is None

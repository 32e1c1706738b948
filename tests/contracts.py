"""Import contract types of our own, for `lint-imports` (`contract_types` in pyproject.toml).

`raw_sql`: only the raw-SQL door (`jwtpizza.db`) writes SQL text. Outside it (and outside the
exempt modules, Alembic's revisions), a module may not import SQLAlchemy's `text` nor hold a
string that reads as an SQL statement; it takes its statements from `jwtpizza.db.statements`.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import cast

import grimp
from importlinter import Contract, ContractCheck, fields, output

# A statement, not a word: "DELETE" alone is an HTTP method, "DELETE FROM t" is SQL.
SQL = re.compile(
    r"^\s*(SELECT\s.*\bFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)", re.DOTALL
)
TEXT_BUILDERS = {"text", "literal_column"}


def sql_in(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each SQL statement written or SQL text builder imported in `source`."""
    tree = ast.parse(source)
    skipped = _not_statements(tree)
    for node in ast.walk(tree):
        line = int(getattr(node, "lineno", 0))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if alias.name in TEXT_BUILDERS:
                    yield line, f"imports {node.module}.{alias.name}"
        elif isinstance(node, ast.Attribute) and node.attr == "exec_driver_sql":
            yield line, "sends SQL text with exec_driver_sql"
        elif id(node) not in skipped and SQL.match(text := _literal(node) or ""):
            yield line, f"writes SQL: {text[:60]!r}"


def _not_statements(tree: ast.AST) -> set[int]:
    """The ids of docstrings and of the pieces of f-strings (read whole instead)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skipped |= {id(value) for value in node.values}
        kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr):
            skipped.add(id(node.body[0].value))
    return skipped


def _literal(node: ast.AST) -> str | None:
    """A string constant's text, or an f-string's with `{}` for each placeholder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
    return None


def module_file(name: str) -> Path | None:
    """The source file of module `name`, found without importing any of its packages."""
    root, *rest = name.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class RawSqlContract(Contract):
    """Only `door` (a package) and the `exempt` modules (glob patterns) write SQL text."""

    type_name = "raw_sql"

    door = fields.StringField()
    exempt = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        door = str(self.door)
        exempt = cast(list[str], self.exempt or [])
        found = []
        for name in sorted(graph.modules):
            inside = name == door or name.startswith(f"{door}.")
            if inside or any(fnmatchcase(name, pattern) for pattern in exempt):
                continue
            path = module_file(name)
            if path is not None:
                found += [(name, line, what) for line, what in sql_in(path.read_text("utf-8"))]
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for name, line, what in check.metadata["found"]:
            output.print_error(f"{name}:{line} {what}")
            output.new_line()
        output.print(f"Put the statement in {self.door}.statements and send it through the door.")

"""How the CLI reports a problem: one readable line on stderr and a non-zero exit.

Every expected failure (bad settings, a domain error, a database that is missing or not
answering, a component that is not running) is turned into that line here, in one place.

This module imports no library it names: `jwtpizza --help` and light commands must not pay
for SQLAlchemy or httpx. A library's exception can only be raised once the library is
imported, so the checks look for its class among the modules already loaded.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from jwtpizza.errors import JwtPizzaError

if TYPE_CHECKING:
    import httpx
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

START_HINT = "start the stack with `jwtpizza up`"


class CliError(Exception):
    """An expected failure whose message is the line the user sees."""


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "settings"
    return f"setting {field}: {first.get('msg', 'invalid')}"


def _unreachable(error: httpx.TransportError) -> str:
    try:
        where = str(error.request.url.copy_with(path="/", query=None)).rstrip("/")
    except RuntimeError:  # no request attached
        where = "the server"
    return f"cannot reach {where} ({type(error).__name__}): is it running? {START_HINT}"


# MariaDB client errors that mean the server was not reached or went away (no such host,
# connection refused, lost), which its driver raises as a plain OperationalError.
_MARIADB_UNREACHABLE = {2002, 2003, 2005, 2006, 2013}


def _database_problem(error: DBAPIError) -> str:
    first_line = (str(error.orig) or type(error.orig).__name__).strip().splitlines()[0]
    code = (getattr(error.orig, "args", None) or (None,))[0]
    if code in _MARIADB_UNREACHABLE:
        return f"cannot reach the database ({first_line[:200]})"
    return f"the database refused the command: {first_line[:200]}"


def _loaded(module: str, name: str) -> Any:
    """The class `module.name` if `module` is imported, else an empty tuple (matches nothing)."""
    found = sys.modules.get(module)
    return getattr(found, name) if found is not None else ()


def _readable(exc: Exception) -> str | None:
    """The line for an expected failure, or None for a bug (which keeps its traceback)."""
    if isinstance(exc, (CliError, _loaded("jwtpizza.settings", "SettingsError"))):
        return str(exc)
    if isinstance(exc, _loaded("pydantic", "ValidationError")):
        return _describe(exc)
    if isinstance(exc, JwtPizzaError):
        return exc.message
    if isinstance(exc, _loaded("httpx", "TransportError")):
        return _unreachable(exc)
    if isinstance(exc, _loaded("sqlalchemy.exc", "DBAPIError")):
        return _database_problem(exc)
    if isinstance(exc, ConnectionError):
        return f"cannot reach the database ({exc.strerror or exc})"
    if isinstance(exc, socket.gaierror):  # a database host name that does not resolve
        return f"cannot reach the database (unknown host: {exc.strerror or exc})"
    return None


@contextmanager
def readable_errors() -> Iterator[None]:
    """Turn expected failures into one line and exit 1."""
    try:
        yield
    except Exception as exc:
        message = _readable(exc)
        if message is None:
            raise
        fail(message)


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise CliError(f"not a database URL: {url!r}") from exc
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def existing_database(url: str, *, setting: str) -> str:
    """`url`, if its database exists. A command that only reads or changes data refuses a
    missing SQLite file instead of creating an empty one."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise CliError(
            f"no database at {path.resolve()}: {START_HINT} in the folder you use, "
            f"or set JWTPIZZA_DATA_DIR (or {setting})"
        )
    return url


def ask_password(prompt: str, *, confirm: bool = False) -> str:
    """A password from the terminal (hidden), or one line piped on standard input."""
    if sys.stdin.isatty():
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise CliError("no terminal to ask for the password: set JWTPIZZA_PASSWORD or pipe it in")
    return line

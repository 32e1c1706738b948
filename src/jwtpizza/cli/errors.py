"""How the CLI reports a problem: one readable line on stderr and a non-zero exit.

Every expected failure (bad settings, a domain error, a database that is missing or not
answering, a component that is not running) is turned into that line here, in one place.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import httpx
import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from jwtpizza.errors import JwtPizzaError
from jwtpizza.settings import SettingsError

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


def _database_problem(error: DBAPIError) -> str:
    first_line = (str(error.orig) or type(error.orig).__name__).strip().splitlines()[0]
    return f"the database refused the command: {first_line[:200]}"


@contextmanager
def readable_errors() -> Iterator[None]:
    """Turn expected failures into one line and exit 1."""
    try:
        yield
    except (SettingsError, CliError) as exc:
        fail(str(exc))
    except ValidationError as exc:
        fail(_describe(exc))
    except JwtPizzaError as exc:
        fail(exc.message)
    except httpx.TransportError as exc:
        fail(_unreachable(exc))
    except DBAPIError as exc:
        fail(_database_problem(exc))
    except ConnectionError as exc:
        fail(f"cannot reach the database ({exc.strerror or exc})")


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
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

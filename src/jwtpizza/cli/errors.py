"""How the CLI reports a problem: one readable line on stderr and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError

from jwtpizza.errors import JwtPizzaError
from jwtpizza.settings import SettingsError


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "settings"
    return f"setting {field}: {first.get('msg', 'invalid')}"


@contextmanager
def readable_errors() -> Iterator[None]:
    """Turn expected failures (bad settings, domain errors) into one line and exit 1."""
    try:
        yield
    except SettingsError as exc:
        fail(str(exc))
    except ValidationError as exc:
        fail(_describe(exc))
    except JwtPizzaError as exc:
        fail(exc.message)

"""`jwtpizza traffic` refuses bad input with one readable line and exit 1, before any request."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "0"], "rate 0 must be more than zero"),
        (["--rate", "-2"], "rate -2 must be more than zero"),
        (["--duration", "soon"], "--duration 'soon' is not a duration like 90s"),
        (["--duration", "0s"], "--duration '0s' must be longer than zero"),
        (["--stages", "30s:20,1m"], "stage 2 ('1m') must look like DURATION:USERS"),
        (["--stages", "30s:20", "--duration", "1m"], "give --stages or --duration, not both"),
        (["--target", "localhost:3000"], "'localhost:3000' is not an http:// or https:// URL"),
        (["--think", "never"], "--think 'never' is not a duration"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["traffic", *args])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: {message}")
    assert len(result.output.strip().splitlines()) == 1

"""Alert label and annotation templates: the part of Go's text/template that rules use.

Prometheus expands `{{ $labels.route }}`, `{{ $value }}`, `{{ $value | humanize }}` and
`{{ printf "%.2f" $value }}` in alert labels and annotations. Jinja2 speaks a different
language, so this small translator compiles exactly that subset at load time (anything else
is refused there, naming the action) and formats numbers the way Go does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.DOTALL)
PRINTF = re.compile(r'^printf\s+"([^"%]*%[-+ 0#]*\d*(?:\.\d+)?[fFeEgGsv][^"%]*)"\s+(.+)$')


class TemplateError(ValueError):
    """A template uses Go template syntax outside the supported subset."""


def go_float(value: float) -> str:
    """`fmt.Sprint(float64)`, Go's %v: the shortest round-trip digits, in exponent form when
    the decimal exponent is below -4 or at least 6 (so 1e+06, 123456, 1e-05, 0.0001)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = len(digit_tuple) + exponent  # where the decimal point falls in `digits`
    prefix = "-" if sign else ""
    exp = point - 1
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return prefix + digits + "0" * (point - len(digits))
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def humanize(value: float) -> str:
    """Prometheus's `humanize`: SI prefixes, 4 significant digits."""
    if value == 0 or math.isnan(value) or math.isinf(value):
        return _g4(value)
    if abs(value) >= 1:
        prefix = ""
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(value) < 1000:
                break
            prefix, value = p, value / 1000
        return _g4(value) + prefix
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = p, value * 1000
    return _g4(value) + prefix


def _g4(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return "%.4g" % value  # noqa: UP031 - Go's %.4g is C's


def humanize_percentage(value: float) -> str:
    return _g4(value * 100) + "%"


Part = Callable[[Mapping[str, str], float], str]
FUNCTIONS: dict[str, Callable[[float], str]] = {
    "humanize": humanize,
    "humanizePercentage": humanize_percentage,
}


def _operand(text: str) -> Callable[[Mapping[str, str], float], str | float]:
    if text in ("$value", ".Value"):
        return lambda _labels, value: value
    for prefix in ("$labels.", ".Labels."):
        if text.startswith(prefix) and re.fullmatch(r"[A-Za-z_]\w*", text[len(prefix) :]):
            name = text[len(prefix) :]
            return lambda labels, _value: labels.get(name, "")
    if re.fullmatch(r"\$externalLabels\.\w+|\$externalURL", text):
        return lambda _labels, _value: ""
    raise TemplateError(f"unsupported template operand {text!r}")


def _show(item: str | float) -> str:
    return item if isinstance(item, str) else go_float(item)


def _number(item: str | float, action: str) -> float:
    if isinstance(item, float):
        return item
    try:
        return float(item)
    except ValueError:
        raise TemplateError(f"{action!r} needs a number") from None


def _compile_action(action: str) -> Part:
    if action.startswith("/*") and action.endswith("*/"):
        return lambda _labels, _value: ""
    stages = [stage.strip() for stage in action.split("|")]
    printf = PRINTF.match(stages[0])
    if printf:
        fmt, operand = printf.group(1), _operand(printf.group(2).strip())
        source: Part = lambda labels, value: _printf(fmt, operand(labels, value))  # noqa: E731
    else:
        words = stages[0].split()
        if len(words) == 2 and words[0] in FUNCTIONS:
            stages = [words[1], words[0], *stages[1:]]
        inner = _operand(stages[0])
        source = lambda labels, value: _show(inner(labels, value))  # noqa: E731
    for stage in stages[1:]:
        if stage not in FUNCTIONS:
            raise TemplateError(f"unsupported template function {stage!r}")
        source = _piped(source, FUNCTIONS[stage], action)
    return source


def _piped(source: Part, function: Callable[[float], str], action: str) -> Part:
    return lambda labels, value: function(_number(source(labels, value), action))


def _printf(fmt: str, item: str | float) -> str:
    verb = re.search(r"%[-+ 0#]*\d*(?:\.\d+)?([fFeEgGsv])", fmt)
    assert verb is not None
    if verb.group(1) in "sv":
        return re.sub(r"%[-+ 0#]*\d*(?:\.\d+)?[sv]", _show(item).replace("\\", "\\\\"), fmt)
    return fmt % _number(item, fmt)


@dataclass(frozen=True)
class Template:
    """A compiled template; `expand(labels, value)` renders it."""

    source: str
    parts: tuple[str | Part, ...]

    def expand(self, labels: Mapping[str, str], value: float) -> str:
        return "".join(p if isinstance(p, str) else p(labels, value) for p in self.parts)


def compile_template(source: str) -> Template:
    """Compile `source`, or raise `TemplateError` naming the unsupported action."""
    parts: list[str | Part] = []
    position = 0
    for match in ACTION.finditer(source):
        literal = source[position : match.start()]
        if match.group(1):
            literal = literal.rstrip()
        parts.append(literal)
        parts.append(_compile_action(match.group(2)))
        position = match.end()
        if match.group(3):
            rest = source[position:]
            position += len(rest) - len(rest.lstrip())
    if "{{" in source[position:] or "}}" in source[position:]:
        raise TemplateError("unclosed template action")
    parts.append(source[position:])
    return Template(source, tuple(p for p in parts if p != ""))

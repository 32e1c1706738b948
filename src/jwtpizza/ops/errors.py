"""The ops component's errors: a subtree of the shared tree, mapped at the edge.

JwtPizzaError (jwtpizza.errors)
├── InvalidInput                 400
│   └── RuleFileInvalid               a rule file that does not load (names file and rule)
│       └── UnsupportedExpression     PromQL outside the evaluated subset
├── Unauthorized                 401  (no or bad admin token)
├── Forbidden                    403  (a valid token without the admin role)
└── Unavailable                  503
    └── ServiceUnreachable            the service that vouches for admins did not answer
"""

from __future__ import annotations

from jwtpizza.errors import InvalidInput, Unavailable


class RuleFileInvalid(InvalidInput):
    code = "rule_file_invalid"


class SloFileInvalid(InvalidInput):
    """An SLO file that cannot be loaded: `file: field: reason`."""

    code = "slo_file_invalid"


class UnsupportedExpression(RuleFileInvalid):
    code = "unsupported_expression"


class ServiceUnreachable(Unavailable):
    code = "service_unreachable"


def refusal(error: Exception) -> str:
    """One line saying why the database refused a statement (its driver's own words, e.g.
    `database or disk is full`), for a log line that names no SQL and no parameters."""
    driver = getattr(error, "orig", None) or error
    return (str(driver).splitlines() or [type(driver).__name__])[0]

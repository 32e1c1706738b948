"""The lease settings: the takeover bound they state, and a renewal that could not keep a
lease refused at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jwtpizza.ops.settings import OpsSettings


def test_the_takeover_bound_is_the_lease_plus_one_renewal() -> None:
    assert OpsSettings().takeover_bound() == 13.0
    assert OpsSettings(lease_seconds=3, lease_renew_seconds=1).takeover_bound() == 4.0


@pytest.mark.parametrize(("lease", "renew"), [(5, 5), (3, 10), (0, 1), (5, -1)])
def test_a_renewal_not_shorter_than_the_lease_is_refused(lease: float, renew: float) -> None:
    with pytest.raises(ValidationError, match="lease"):
        OpsSettings(lease_seconds=lease, lease_renew_seconds=renew)

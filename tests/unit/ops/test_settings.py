"""A lease renewal that could not keep the lease is refused at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jwtpizza.ops.settings import OpsSettings


@pytest.mark.parametrize(("lease", "renew"), [(5, 5), (3, 10), (0, 1), (5, -1)])
def test_a_renewal_not_shorter_than_the_lease_is_refused(lease: float, renew: float) -> None:
    with pytest.raises(ValidationError, match="lease"):
        OpsSettings(lease_seconds=lease, lease_renew_seconds=renew)

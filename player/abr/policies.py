"""The ABR policies a configuration can name, and the one that is the default.

``NetworkConfig.abr_policy`` picks one by name; ``HlsSource`` and the trace
benchmark build it here, so both run the same policy with the same defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from .hybrid import HybridPolicy
from .mpc import MpcPolicy
from .policy import AbrPolicy

__all__ = ["DEFAULT_POLICY", "POLICIES", "PolicyName", "make_policy"]

PolicyName = Literal["hybrid", "mpc"]

POLICIES: dict[str, Callable[[], AbrPolicy]] = {
    "hybrid": HybridPolicy,
    "mpc": MpcPolicy,
}

#: the hybrid stays the default for now. Since issue 10's second pass the
#: model-predictive rule is level with it on long ramps (-0.1 point) and
#: ahead on every other pooled family and trace set, on the tuning split
#: too (``player.abr.mpc``'s docstring has the figures): the bar for the
#: default. Making it so also changes ``NetworkConfig.abr_policy``'s
#: default, the HLS golden runs and the UI's policy tests, outside this package.
DEFAULT_POLICY: PolicyName = "hybrid"


def make_policy(name: str = DEFAULT_POLICY) -> AbrPolicy:
    """A fresh policy by name; an unknown name is a clear error."""
    try:
        return POLICIES[name]()
    except KeyError:
        known = ", ".join(sorted(POLICIES))
        raise ValueError(f"unknown ABR policy {name!r} (known: {known})") from None

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

#: the model-predictive rule is the default since issue 10's third pass: it
#: is level with the hybrid on long ramps and ahead on every other pooled
#: family and trace set (``player.abr.mpc``'s docstring has the figures), and
#: since a plan that reaches a VOD's end weighs a safe switch at the QoE's
#: own weight it climbs a short VOD as the hybrid does.
DEFAULT_POLICY: PolicyName = "mpc"


def make_policy(name: str = DEFAULT_POLICY) -> AbrPolicy:
    """A fresh policy by name; an unknown name is a clear error."""
    try:
        return POLICIES[name]()
    except KeyError:
        known = ", ".join(sorted(POLICIES))
        raise ValueError(f"unknown ABR policy {name!r} (known: {known})") from None

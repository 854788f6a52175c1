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

#: the hybrid stays the default: the model-predictive rule beats it on four
#: families of six and the held-out, fresh and bundled traces, but not on
#: long ramps or LTE (``player.abr.mpc``'s docstring has the figures)
DEFAULT_POLICY: PolicyName = "hybrid"


def make_policy(name: str = DEFAULT_POLICY) -> AbrPolicy:
    """A fresh policy by name; an unknown name is a clear error."""
    try:
        return POLICIES[name]()
    except KeyError:
        known = ", ".join(sorted(POLICIES))
        raise ValueError(f"unknown ABR policy {name!r} (known: {known})") from None

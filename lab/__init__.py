"""The lab: demo media and the loopback origins the demos and tests serve it
from. The engine (``player/``) never imports it; the window's demo and the
tests do (``tests/unit/test_public_api.py`` holds this)."""

"""The lab: demo media, the loopback origins the demos and tests serve it
from, and the network lab (``heureum lab``: the same content over every
protocol, through an impairment profile). The engine (``player/``) never
imports it, but for ``heureum lab`` from the command line; the window's demo
and Lab menu and the tests do (``tests/unit/test_public_api.py`` holds this)."""

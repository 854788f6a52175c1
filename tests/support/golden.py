"""Golden logs: a deterministic run's log, compared byte for byte with its
file in ``tests/golden/`` and reviewed like code (Media3's playback dumps,
mpv's ``test/ref``). ``pytest --update-golden`` rewrites the files; the diff
of a behaviour change is then the diff of its logs."""

from __future__ import annotations

import difflib
from pathlib import Path

__all__ = ["Golden"]


class Golden:
    def __init__(self, folder: Path, update: bool) -> None:
        self.folder = folder
        self.update = update

    def check(self, name: str, text: str) -> None:
        path = self.folder / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            raise AssertionError(f"no golden log {path}: run pytest with --update-golden")
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                list(
                    difflib.unified_diff(
                        expected.splitlines(keepends=True),
                        text.splitlines(keepends=True),
                        f"golden/{name}",
                        "this run",
                    )
                )[:80]
            )
            raise AssertionError(
                f"the run differs from golden/{name} (review, then --update-golden):\n{diff}"
            )

"""constraints.txt: a fresh machine installs the versions CI passed with.
Every dependency the project declares (the engine's, the tests' and the
packaging's) has exactly one pinned version there, each pin satisfies what
pyproject.toml asks, and every place that installs them goes through it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and version and re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), line
        key = canonicalize_name(name)
        assert key not in pins, f"{name} pinned twice"
        pins[key] = version
    return pins


def test_every_declared_dependency_is_pinned_to_a_version_it_allows() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared += extra
    pins = _pins()
    for text in declared:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"sys_platform": "linux"}):
            continue
        key = canonicalize_name(req.name)
        assert key in pins, f"{req.name} is not in constraints.txt"
        assert req.specifier.contains(pins[key], prereleases=True), (text, pins[key])
    # what packaging/build.sh installs beside them
    assert {"pyinstaller", "build", "cyclonedx-bom"} <= set(pins)


def test_every_install_goes_through_the_constraints() -> None:
    for script in ("scripts/setup.sh", "packaging/build.sh", ".github/workflows/packaging.yml"):
        text = (ROOT / script).read_text(encoding="utf-8")
        installs = [
            line
            for line in text.splitlines()
            if "pip install" in line and "--upgrade pip" not in line
        ]
        assert installs, script
        assert all("-c constraints.txt" in line for line in installs), (script, installs)

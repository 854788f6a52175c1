"""The recipes we cannot run here are checked as far as Linux allows: the CI
workflow builds and uploads every artifact, the macOS Info.plist declares our
URL schemes, and the spec's trimming keeps what Heureum loads."""

from __future__ import annotations

import importlib.util
import plistlib
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "packaging.yml"
ARTIFACTS = {
    "deb": "dist/heureum_*_amd64.deb",
    "tarball": "dist/heureum-*-linux-x86_64.tar.gz",
    "wheel": "dist/heureum-*-py3-none-any.whl",
    "windows": "dist/heureum-*-windows-x64-setup.exe",
    "macos": "dist/heureum-*-macos.dmg",
}


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _steps() -> list[dict[str, Any]]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps: list[dict[str, Any]] = data["jobs"]["build"]["steps"]
    return steps


def test_the_workflow_runs_on_the_three_systems() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    oses = [row["os"] for row in data["jobs"]["build"]["strategy"]["matrix"]["include"]]
    assert sorted(o.split("-")[0] for o in oses) == ["macos", "ubuntu", "windows"]
    # "on" is read by YAML 1.1 as True; either way the triggers are there.
    assert data.get("on", data.get(True))


def test_every_artifact_is_built_and_uploaded() -> None:
    steps = _steps()
    uploaded = "\n".join(
        str(s["with"]["path"]) for s in steps if str(s.get("uses", "")).startswith("actions/upload")
    )
    scripts = "\n".join(str(s.get("run", "")) for s in steps)
    for name, pattern in ARTIFACTS.items():
        assert pattern in uploaded, f"{name}: {pattern} is not uploaded"
    assert "build.sh deb" in scripts and "build.sh tarball" in scripts
    assert "makensis" in scripts and "windows-x64-setup.exe" in scripts
    assert "build-dmg.sh" in scripts and "python -m build" in scripts
    # Every script it names exists.
    for path in set(re.findall(r"packaging/[\w./-]+\.(?:sh|nsi|spec)", scripts)):
        assert (ROOT / path).is_file(), path


def test_signing_credentials_come_only_from_secrets() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    for name in re.findall(r"(MACOS_\w+):", text):
        assert f"{name}: ${{{{ secrets.{name} }}}}" in text
    script = (ROOT / "packaging" / "macos" / "build-dmg.sh").read_text(encoding="utf-8")
    assert "notarytool submit" in script and "stapler staple" in script
    assert "--options runtime" in script and "set -x" not in script


def test_the_macos_info_plist_declares_our_schemes_and_documents() -> None:
    macos = _load(ROOT / "packaging" / "macos.py", "heureum_macos_recipe")
    plist = plistlib.loads(plistlib.dumps(macos.info_plist("1.2.3")))
    assert plist["CFBundleIdentifier"] == "io.github.heureum.Heureum"
    assert plist["CFBundleShortVersionString"] == "1.2.3"
    schemes = {s for t in plist["CFBundleURLTypes"] for s in t["CFBundleURLSchemes"]}
    assert {"rtsp", "rtmp"} <= schemes
    extensions = {e for t in plist["CFBundleDocumentTypes"] for e in t["CFBundleTypeExtensions"]}
    assert {"m3u8", "mp4", "mkv", "ts"} <= extensions


def test_the_spec_bundles_for_macos_and_trims_qt() -> None:
    spec = (ROOT / "packaging" / "heureum.spec").read_text(encoding="utf-8")
    assert "BUNDLE(" in spec and "info_plist=info_plist(" in spec
    assert '"qxcb"' in spec and '"PySide6.QtQml"' in spec and "KEEP_TRANSLATIONS" in spec
    # kept: the --enqueue socket (QtNetwork); MPRIS goes through jeepney
    assert '"PySide6.QtNetwork",' not in spec and '"PySide6.QtDBus",' in spec
    # --otlp's extra (heureum[otlp]) stays out even where the build env has it
    assert '"opentelemetry", "google.protobuf",' in spec
    compile(spec, "heureum.spec", "exec")  # valid Python, as PyInstaller reads it


def test_the_spec_keeps_a_headless_start_s_modules_out_of_the_compressed_archive() -> None:
    hot = _load(ROOT / "packaging" / "hot_modules.py", "heureum_hot_modules")
    names = set(hot.hot_modules(sys.executable, cwd=str(ROOT)))
    # measured by a real one-frame play: the CLI, the engine, PyAV and the
    # stdlib they import, and never Qt (the headless path must not load it)
    assert {"player.cli", "player.engine", "av", "argparse", "threading"} <= names
    assert not any(n == "PySide6" or n.startswith(("PySide6.", "ui.")) for n in names)
    spec = (ROOT / "packaging" / "heureum.spec").read_text(encoding="utf-8")
    assert "module_collection_mode=HOT_MODULES" in spec
    assert 'HOT_MODULES = {name: "pyc" for name in hot_modules()}' in spec


def test_the_nsis_script_has_licence_page_uninstaller_and_associations() -> None:
    nsi = (ROOT / "packaging" / "windows" / "heureum.nsi").read_text(encoding="utf-8")
    for needle in (
        "RequestExecutionLevel user",
        "MUI_PAGE_LICENSE",
        "WriteUninstaller",
        "$SMPROGRAMS\\Heureum.lnk",
        "OpenWithProgids",
        '!insertmacro UrlScheme "rtsp"',
        "un.Remove my settings and logs",
    ):
        assert needle in nsi, needle


def _apt_list(name: str) -> set[str]:
    text = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    block = re.search(rf"{name}=\(\n(.*?)\n\)", text, re.S)
    assert block, name
    return set(block.group(1).split())


def test_run_installs_only_what_playing_needs_and_test_the_whole_rig() -> None:
    run, rig = _apt_list("RUN_PACKAGES"), _apt_list("TEST_PACKAGES")
    assert {"libportaudio2", "libxcb-cursor0", "libxkbcommon-x11-0", "python3-venv"} <= run
    test_only = {"nginx", "mpv", "ffmpeg", "gstreamer1.0-plugins-good", "xvfb", "pulseaudio"}
    assert test_only <= rig and not (test_only & run)
    # Every library the xcb check names a package for is installed by run.sh.
    from ui.syslibs import DEBIAN_PACKAGES

    xcb = {p for p in DEBIAN_PACKAGES.values() if p.startswith(("libxcb-", "libxkbcommon"))}
    assert xcb <= run | {"libxcb1"}, xcb - run
    run_sh = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert "bash scripts/setup.sh run" in run_sh

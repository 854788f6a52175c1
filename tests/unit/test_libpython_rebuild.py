"""packaging/libpython_rebuild.py: which archives it asks apt for, which
modules it builds in, and how the launcher tells an archive with link-time IR."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rebuild = _load("libpython_rebuild")
sb = _load("static_bootloader")

POLICY = """libpython3.11-dev:
  Installed: 3.11.2-6+deb12u6
  Candidate: 3.11.2-6+deb12u9
  Version table:
     3.11.2-6+deb12u9 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
     3.11.2-6+deb12u8 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
 *** 3.11.2-6+deb12u6 100
        100 /var/lib/dpkg/status
"""


def test_the_source_archives_are_those_the_package_comes_from_each_once() -> None:
    assert rebuild.source_lines(POLICY) == [
        "deb-src http://deb.debian.org/debian-security bookworm-security main",
        "deb-src http://deb.debian.org/debian bookworm main",
    ]


def test_an_installed_only_package_has_no_source_archive() -> None:
    policy = "x:\n  Version table:\n *** 1.0 100\n        100 /var/lib/dpkg/status\n"
    assert rebuild.source_lines(policy) == []


@pytest.mark.parametrize("lto", [True, False])
def test_the_launcher_knows_an_archive_with_link_time_ir(tmp_path: Path, lto: bool) -> None:
    source = tmp_path / "f.c"
    source.write_text("int f(int x) { return x + 1; }\n")
    flags = ["-flto", "-ffat-lto-objects"] if lto else []
    subprocess.run(
        ["gcc", "-O2", *flags, "-c", str(source), "-o", str(tmp_path / "f.o")], check=True
    )
    subprocess.run(["ar", "rcs", str(tmp_path / "libf.a"), str(tmp_path / "f.o")], check=True)
    assert sb.has_lto_ir(tmp_path / "libf.a") is lto


def test_a_system_without_dpkg_keeps_the_shipped_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rebuild.shutil, "which", lambda name: None)
    assert rebuild.rebuilt_archive(tmp_path / "libpython3.11.a", tmp_path) is None


def test_a_cached_rebuild_of_the_same_source_version_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "libpython3.11.a"
    (tmp_path / "Setup.local").write_text("_struct _struct.c\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / shipped.name).write_bytes(b"!<arch>\n")
    (out / "libpython.stamp").write_text("3.11.2-6+deb12u9")
    monkeypatch.setattr(rebuild.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        rebuild, "source_of", lambda path: ("libpython3.11-dev", "python3.11", "3.11.2-6+deb12u9")
    )

    def no_fetch(*args: object) -> None:
        raise AssertionError("fetched again")

    monkeypatch.setattr(rebuild, "fetch_source", no_fetch)
    assert rebuild.rebuilt_archive(shipped, out) == out / shipped.name
    (out / "libpython.stamp").write_text("3.11.2-6+deb12u8")
    fetched: list[str] = []
    monkeypatch.setattr(rebuild, "fetch_source", lambda *args: fetched.append(args[2]))
    assert rebuild.rebuilt_archive(shipped, out) is None
    assert fetched == ["3.11.2-6+deb12u9"]


def test_the_pools_are_asked_over_https_where_each_archive_keeps_the_package() -> None:
    lines = rebuild.source_lines(POLICY)
    assert rebuild.pool_folders("python3.11", lines) == [
        "https://deb.debian.org/debian-security/pool/main/p/python3.11/",
        "https://deb.debian.org/debian-security/pool/updates/main/p/python3.11/",
        "https://deb.debian.org/debian/pool/main/p/python3.11/",
        "https://deb.debian.org/debian/pool/updates/main/p/python3.11/",
    ]
    assert rebuild.pool_folders("libfoo", lines)[0].endswith("/pool/main/libf/libfoo/")


def test_a_dsc_names_its_files_with_their_sha256() -> None:
    dsc = (
        "Format: 3.0 (quilt)\n"
        "Checksums-Sha1:\n 1111 26437858 python3.11_3.11.2.orig.tar.gz\n"
        "Checksums-Sha256:\n"
        " 2411c7 26437858 python3.11_3.11.2.orig.tar.gz\n"
        " 351390 248364 python3.11_3.11.2-6+deb12u6.debian.tar.xz\n"
        "Files:\n f6b522 26437858 python3.11_3.11.2.orig.tar.gz\n"
    )
    assert rebuild.dsc_files(dsc) == {
        "python3.11_3.11.2.orig.tar.gz": "2411c7",
        "python3.11_3.11.2-6+deb12u6.debian.tar.xz": "351390",
    }


def test_the_training_runs_once_though_the_makefile_asks_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = _load("pgo_task")
    runs: list[list[str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        runs.append(command)
        return subprocess.CompletedProcess(command, 1)  # no clip: --help only

    monkeypatch.setattr(task.subprocess, "run", run)
    monkeypatch.chdir(tmp_path)
    assert task.main(["pgo_task.py", "/site"]) == 0
    first = len(runs)
    assert runs[0][1:] == ["-m", "test", "--pgo"]
    assert sum("--help" in command for command in runs) == task.STARTS
    assert task.main(["pgo_task.py", "/site"]) == 0
    assert len(runs) == first


def test_without_the_distribution_s_setup_local_nothing_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its built-in modules are what the bundle's lib-dynload leaves out."""
    monkeypatch.setattr(rebuild.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        rebuild, "source_of", lambda path: ("libpython3.11-dev", "python3.11", "3.11.2-6+deb12u9")
    )

    def no_fetch(*args: object) -> None:
        raise AssertionError("fetched without a Setup.local")

    monkeypatch.setattr(rebuild, "fetch_source", no_fetch)
    assert rebuild.rebuilt_archive(tmp_path / "libpython3.11.a", tmp_path / "out") is None

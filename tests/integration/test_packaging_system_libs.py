"""packaging/linux/system_x_libs.sh on a bundle folder made here: a wheel's
padded private copy of an X library is replaced by the system's (the
libraries that need it are pointed at the system's soname), and a copy of
anything else stays. The whole build runs in packaging/smoke.sh."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "linux" / "system_x_libs.sh"


def _system(soname: str) -> Path:
    out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        if line.strip().startswith(soname + " ") and "x86-64" in line:
            return Path(line.split("=>")[-1].strip()).resolve()
    raise AssertionError(f"{soname} is not on this system")


def _needed(lib: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True)
    return [
        line.split("[")[1].rstrip("]") for line in out.stdout.splitlines() if "(NEEDED)" in line
    ]


def _wheel_copy(source: Path, folder: Path, name: str) -> Path:
    """As auditwheel leaves it: the library under a hashed name, its soname too."""
    copy = folder / name
    shutil.copyfile(source, copy)
    subprocess.run(["patchelf", "--set-soname", name, str(copy)], check=True)
    return copy


def test_an_x_library_copy_gives_way_to_the_system_s_and_other_copies_stay(
    tmp_path: Path,
) -> None:
    libs = tmp_path / "heureum" / "_internal" / "av.libs"
    libs.mkdir(parents=True)
    xcb = _wheel_copy(_system("libxcb.so.1"), libs, "libxcb-0123abcd.so.1.1.0")
    zlib = _wheel_copy(_system("libz.so.1"), libs, "libz-89abcdef.so.1.2.13")
    source = tmp_path / "user.c"
    source.write_text("int heureum_user(void) { return 1; }\n")
    user = libs / "libuser-456789ab.so.1"
    flags = ["-shared", "-fPIC", "-Wl,--no-as-needed", "-Wl,-rpath,$ORIGIN"]
    subprocess.run(["gcc", *flags, str(source), "-o", str(user), str(xcb), str(zlib)], check=True)
    assert _needed(user)[:2] == [xcb.name, zlib.name]

    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path / "heureum")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "libxcb-0123abcd.so.1.1.0: the system's libxcb.so.1 instead" in done.stdout
    assert not xcb.exists()
    assert zlib.exists()  # not an X library: the wheel's copy stays
    assert _needed(user)[:2] == ["libxcb.so.1", zlib.name]
    ldd = subprocess.run(["ldd", str(user)], capture_output=True, text=True, check=True).stdout
    assert "not found" not in ldd, ldd
    found = dict(
        (line.split(" => ")[0].strip(), line.split(" => ")[1].split(" (")[0])
        for line in ldd.splitlines()
        if " => " in line
    )
    assert Path(found["libxcb.so.1"]).resolve() == _system("libxcb.so.1")
    assert Path(found[zlib.name]).resolve() == zlib.resolve()


def test_a_bundle_without_such_copies_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "heureum" / "_internal"
    folder.mkdir(parents=True)
    (folder / "libheureum-thing.so.1").write_bytes(b"not an ELF")
    done = subprocess.run(["bash", str(SCRIPT), str(tmp_path / "heureum")], capture_output=True)
    assert done.returncode == 0
    assert (folder / "libheureum-thing.so.1").read_bytes() == b"not an ELF"

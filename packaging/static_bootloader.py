"""Heureum's Linux launcher: PyInstaller's own bootloader with the
interpreter linked into it, when the build interpreter is a static one.

Debian's and Ubuntu's ``python3`` is linked statically against a PGO-built
libpython; their ``libpython3.X.so``, which a stock PyInstaller bundle must
load, runs Python code about 11 % slower (measured on Debian 12: 0.387 s
against 0.430 s on the same dict-and-JSON loop). The installed build then
started ~13 % slower than a venv on the same ``python3``. So the launcher is
the bootloader compiled from the sdist of the PyInstaller that builds the
bundle, linked with the distribution's static ``libpython3.X.a`` the way its
``python3`` is (whole archive, symbols exported for extension modules), and
with ``libpython_in_exe.c`` answering the bootloader's ``dlopen`` of
libpython with the executable itself. The bundle then carries no libpython.
The same file spares the bootloader's restart of itself (Linux onedir): the
bundle's libraries find each other by RUNPATH, not LD_LIBRARY_PATH.

Run with the packaging venv's interpreter (the one PyInstaller runs under):

    python packaging/static_bootloader.py --check    # exit 0: it applies
    python packaging/static_bootloader.py OUT_DIR    # prints the launcher

A build interpreter with a shared libpython (pyenv, python.org, Fedora) gets
the stock bootloader: its bundle runs the same libpython as its venv.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

WRAPPER = Path(__file__).resolve().parent / "linux" / "libpython_in_exe.c"


def has_lto_ir(archive: Path) -> bool:
    """Whether ``archive``'s objects carry GCC's link-time IR."""
    listing = subprocess.run(["objdump", "-h", str(archive)], capture_output=True, text=True)
    return ".gnu.lto_" in listing.stdout


def static_libpython() -> Path | None:
    """The build interpreter's static libpython when the interpreter is
    linked with it, else None."""
    if not sys.platform.startswith("linux") or not interpreter_is_static():
        return None
    libpl = sysconfig.get_config_var("LIBPL")
    library = sysconfig.get_config_var("LIBRARY")
    if not libpl or not library:
        return None
    path = Path(libpl) / library
    return path if path.is_file() else None


def interpreter_is_static(maps: Path = Path("/proc/self/maps")) -> bool:
    """Whether this interpreter runs without a shared libpython. Not
    ``Py_ENABLE_SHARED``: Debian builds both kinds, and its sysconfig
    describes the shared one while its python3 is the static one."""
    try:
        text = maps.read_text()
    except OSError:
        return False
    return "/libpython" not in text


def link_flags(config: dict[str, str | None]) -> tuple[list[str], list[str]]:
    """How the distribution linked its python3: (the flags that export the
    interpreter's symbols to extension modules, the libraries it needs), each
    library once, in first-seen order."""
    export = shlex.split(config.get("LINKFORSHARED") or "")
    libs: list[str] = []
    for var in ("LIBS", "MODLIBS", "SYSLIBS"):
        for flag in shlex.split(config.get(var) or ""):
            if flag.startswith("-l") and flag not in libs:
                libs.append(flag)
    return export, libs


def _sources(work: Path, version: str) -> Path:
    """PyInstaller's sdist of ``version``, unpacked under ``work``."""
    tree = work / f"pyinstaller-{version}"
    if (tree / "bootloader" / "wscript").is_file():
        return tree
    work.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*pip, "-d", str(work), f"pyinstaller=={version}"], check=True)
    archive = work / f"pyinstaller-{version}.tar.gz"
    root = work.resolve()
    with tarfile.open(archive) as tar:
        # Files and folders that stay inside ``work`` only (tarfile's "data"
        # filter is 3.11.4+; Debian 12 has 3.11.2).
        members = [
            m
            for m in tar.getmembers()
            if (m.isfile() or m.isdir()) and (root / m.name).resolve().is_relative_to(root)
        ]
        tar.extractall(work, members=members)
    return tree


def build(out_dir: Path) -> Path:
    """Builds (or reuses) the launcher in ``out_dir``; returns its path."""
    import PyInstaller
    from libpython_rebuild import LTO_FLAGS, rebuilt_archive  # beside this script

    shipped = static_libpython()
    if shipped is None:
        raise SystemExit("static_bootloader: the build interpreter has no static libpython")
    # with the link-time IR the distribution strips from what it ships
    archive = rebuilt_archive(shipped, out_dir) or shipped
    lto = has_lto_ir(archive)
    print(f"static_bootloader: libpython {archive} ({'LTO' if lto else 'no LTO IR'})")
    version = PyInstaller.__version__
    # a changed wrapper is a new launcher too
    wrapper_sum = hashlib.sha256(WRAPPER.read_bytes()).hexdigest()[:12]
    tag = (
        f"{version}-{sys.version_info[0]}.{sys.version_info[1]}-{archive}-{archive.stat().st_size}"
    )
    tag += f"-{wrapper_sum}"
    launcher = out_dir / "run"
    stamp = out_dir / "run.stamp"
    if launcher.is_file() and stamp.is_file() and stamp.read_text() == tag:
        return launcher
    boot = _sources(out_dir / "src", version) / "bootloader"
    subprocess.run(
        [sys.executable, "waf", "configure", "build_release"],
        cwd=boot,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    objects = sorted((boot / "build" / "release" / "src").glob("*.o"))
    if not objects:
        raise SystemExit(f"static_bootloader: waf built no objects under {boot}")
    wrapper = out_dir / "libpython_in_exe.o"
    subprocess.run(["gcc", "-O2", "-c", str(WRAPPER), "-o", str(wrapper)], check=True)
    export, libs = link_flags(sysconfig.get_config_vars())
    # Not position-independent: the distribution's libpython3.X.a is built
    # for its non-PIE python3, and its PGO layout is what we came for.
    command = ["gcc", "-no-pie", *export, "-Wl,--wrap=dlopen", "-Wl,--wrap=execvp"]
    if lto:
        command += LTO_FLAGS.split()
    command += [str(o) for o in objects] + [str(wrapper)]
    command += ["-Wl,--whole-archive", str(archive), "-Wl,--no-whole-archive", *libs]
    command += ["-o", str(launcher)]
    subprocess.run(command, check=True)
    # .symtab only: the exported (.dynsym) symbols are what extensions bind to
    subprocess.run(["strip", "--strip-unneeded", str(launcher)], check=True)
    stamp.write_text(tag)
    return launcher


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 0 when it applies here")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if static_libpython() is not None else 1
    if args.out_dir is None:
        parser.error("OUT_DIR is needed to build")
    if shutil.which("gcc") is None:
        raise SystemExit("static_bootloader: gcc is needed")
    print(build(args.out_dir.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

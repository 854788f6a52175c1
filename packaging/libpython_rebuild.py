"""The distribution's libpython, rebuilt as its own ``python3`` is, for the
Linux launcher (packaging/static_bootloader.py).

Debian builds its ``python3`` with PGO and link-time optimisation (-O3 -flto),
then strips the link-time IR from the ``libpython3.X.a`` it ships
(``objcopy --remove-section=.gnu.lto_*`` in debian/rules). A launcher linked
with that archive gets the PGO-built code but none of the inlining across
files that LTO gives ``python3``: on one ``heureum --headless --frames 1`` it
ran 5 % more instructions than the venv's ``python3`` (callgrind), with the
allocator and ``_Py_Dealloc`` called instead of inlined.

So the launcher's libpython is the distribution's own source package of
that interpreter (fetched with apt through a private, throw-away state, so the
machine's apt configuration is untouched), configured with the
``Setup.local`` that the distribution installs beside its archive (the
modules built into its python3: the bundle carries its ``lib-dynload``, which
leaves those out; the build checks ``sys.builtin_module_names``), trained on
CPython's own PGO task and Heureum's start (pgo_task.py), and built with the
link-time IR kept. Nothing here applies outside dpkg-based systems; ``None``
then means "use the archive the distribution ships".

    python packaging/libpython_rebuild.py OUT_DIR   # prints the archive
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

#: as debian/rules builds its static python3 (BASE_LTO_CFLAGS, LTO_CFLAGS)
LTO_FLAGS = "-g0 -fwrapv -O3 -flto=auto -fuse-linker-plugin -ffat-lto-objects"
TRAINING = Path(__file__).resolve().parent / "pgo_task.py"


def source_of(path: Path) -> tuple[str, str, str] | None:
    """(binary package, source package, version) of the installed package
    that ships ``path``."""
    try:
        owner = subprocess.run(["dpkg", "-S", str(path)], capture_output=True, text=True)
    except OSError:
        return None
    if owner.returncode != 0 or ":" not in owner.stdout:
        return None
    package = owner.stdout.split(":", 1)[0].split(",")[0].strip()
    query = subprocess.run(
        ["dpkg-query", "-W", "-f=${source:Package} ${source:Version}", package],
        capture_output=True, text=True,
    )  # fmt: skip
    parts = query.stdout.split()
    return (package, parts[0], parts[1]) if query.returncode == 0 and len(parts) == 2 else None


def source_lines(policy: str) -> list[str]:
    """``deb-src`` lines for the archives ``apt-cache policy`` lists the
    package from (its "500 URI SUITE/COMPONENT ARCH Packages" lines)."""
    lines: list[str] = []
    pattern = r"^\s+\d+\s+(\S+://\S+)\s+(\S+)/(\S+)\s+\S+\s+Packages$"
    for match in re.finditer(pattern, policy, re.M):
        line = f"deb-src {match.group(1)} {match.group(2)} {match.group(3)}"
        if line not in lines:
            lines.append(line)
    return lines


def _options_of(state: Path) -> list[str]:
    """apt's lists, cache and sources in ``state``: the machine's stay as they are."""
    return [
        f"-oDir::Etc::SourceList={state / 'sources.list'}",
        f"-oDir::Etc::SourceParts={state / 'sources.list.d'}",
        f"-oDir::State::Lists={state / 'lists'}",
        f"-oDir::Cache={state / 'cache'}",
        "-oAPT::Sandbox::User=root" if os.geteuid() == 0 else "-oDebug::NoLocking=1",
    ]


def fetch_source(package: str, binary: str, version: str, work: Path) -> Path | None:
    """The unpacked source package (Debian's patches applied), or None."""
    tree = work / f"{package}-{version}"
    if (tree / "configure").is_file() and (tree / "debian" / "rules").is_file():
        return tree
    policy = subprocess.run(["apt-cache", "policy", binary], capture_output=True, text=True)
    lines = source_lines(policy.stdout)
    if not lines:
        return None
    download = work / "download"
    shutil.rmtree(download, ignore_errors=True)
    download.mkdir(parents=True)
    dsc = _from_index(package, version, lines, work / "apt", download)
    if dsc is None:
        # An installed version the archive's index no longer lists (a machine
        # set up before the last point release) is still in its pool.
        dsc = _from_pool(package, version, lines, download)
    if dsc is None:
        return None
    # The files were checked against the archive's signed index, or fetched
    # over verified TLS from the archive and checked against the .dsc; the
    # .dsc's own signature would need the distribution's developer keyring.
    unpacked = subprocess.run(
        ["dpkg-source", "--no-check", "-x", str(dsc), str(tree)], capture_output=True, text=True
    )
    return tree if unpacked.returncode == 0 else None


def _from_index(
    package: str, version: str, lines: list[str], state: Path, download: Path
) -> Path | None:
    """``apt-get source`` through a private state with ``lines`` as its sources."""
    shutil.rmtree(state, ignore_errors=True)
    for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
        (state / sub).mkdir(parents=True)
    (state / "sources.list").write_text("\n".join(lines) + "\n")
    update = ["apt-get", "-q", *_options_of(state), "update"]
    if subprocess.run(update, capture_output=True).returncode != 0:
        return None
    got = subprocess.run(
        ["apt-get", "-q", *_options_of(state), "source", "--download-only", f"{package}={version}"],
        cwd=download, capture_output=True, text=True,
    )  # fmt: skip
    found = sorted(download.glob("*.dsc"))
    return found[0] if got.returncode == 0 and found else None


def pool_folders(package: str, lines: list[str]) -> list[str]:
    """Where each archive's pool may keep ``package`` (https: TLS-verified)."""
    prefix = package[:4] if package.startswith("lib") else package[:1]
    folders: list[str] = []
    for line in lines:
        _, uri, _, component = line.split()
        base = "https://" + uri.split("://", 1)[1].rstrip("/")
        # debian-security keeps its pool under pool/updates/
        for pool in (f"pool/{component}", f"pool/updates/{component}"):
            folder = f"{base}/{pool}/{prefix}/{package}/"
            if folder not in folders:
                folders.append(folder)
    return folders


def dsc_files(dsc: str) -> dict[str, str]:
    """{file name: sha256} of a .dsc's Checksums-Sha256 field."""
    files: dict[str, str] = {}
    inside = False
    for line in dsc.splitlines():
        if line.startswith("Checksums-Sha256:"):
            inside = True
        elif inside and line.startswith(" "):
            digest, _size, name = line.split()
            files[name] = digest
        else:
            inside = False
    return files


def _from_pool(package: str, version: str, lines: list[str], download: Path) -> Path | None:
    name = f"{package}_{version.split(':', 1)[-1]}.dsc"
    for folder in pool_folders(package, lines):
        try:
            with urllib.request.urlopen(folder + name, timeout=60) as answer:
                dsc = answer.read()
            files = dsc_files(dsc.decode("utf-8", "replace"))
            for file, digest in files.items():
                if "/" in file or file.startswith("."):
                    raise ValueError(f"unsafe file name in {name}: {file}")
                with urllib.request.urlopen(folder + file, timeout=300) as answer:
                    data = answer.read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise ValueError(f"{file}: its sha256 is not the one {name} states")
                (download / file).write_bytes(data)
        except (OSError, ValueError):
            continue
        if files:
            (download / name).write_bytes(dsc)
            return download / name
    return None


def build_archive(tree: Path, build: Path, setup_local: str, log: Path) -> Path | None:
    """Configures and builds ``tree`` under ``build`` (PGO, LTO IR kept),
    with the distribution's ``Modules/Setup.local`` (the modules built into
    its python3); returns the static libpython, or None. The training runs
    Heureum from this interpreter's site-packages (packaging/pgo_task.py)."""
    site_packages = sysconfig.get_paths()["purelib"]
    library = sysconfig.get_config_var("LIBRARY") or "libpython{}.{}.a".format(*sys.version_info)
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    with log.open("w") as out:

        def run(*command: str) -> bool:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            done = subprocess.run(command, cwd=build, stdout=out, stderr=subprocess.STDOUT)
            return done.returncode == 0

        env_configure = [
            "env", "CFLAGS=-g0 -fwrapv -O3", f"LDFLAGS={LTO_FLAGS}",
            str(tree / "configure"), "--prefix=/usr", "--enable-ipv6", "--with-computed-gotos",
            "--without-ensurepip", "--with-system-expat", "MKDIR_P=/bin/mkdir -p",
        ]  # fmt: skip
        if not run(*env_configure):
            return None
        (build / "Modules" / "Setup.local").write_text(setup_local)
        makesetup = [
            str(tree / "Modules" / "makesetup"), "-c", str(tree / "Modules" / "config.c.in"),
            "-s", "Modules", "Modules/Setup.local", "Modules/Setup.bootstrap",
            "Modules/Setup.stdlib", str(tree / "Modules" / "Setup"),
        ]  # fmt: skip
        if not run(*makesetup):
            return None
        (build / "config.c").replace(build / "Modules" / "config.c")
        if not run("make", "Makefile", "Modules/config.c"):
            return None
        jobs = str(max(1, os.cpu_count() or 1))
        make = [
            "make", f"-j{jobs}", f"EXTRA_CFLAGS={LTO_FLAGS}", f"CONFIGURE_LDFLAGS={LTO_FLAGS}",
            f"PROFILE_TASK={TRAINING} {site_packages}", "profile-opt",
        ]  # fmt: skip
        if not run(*make):
            return None
        # The bundle carries the distribution's lib-dynload: every module
        # built into its python3 must be built into this one, and no other.
        names = "import sys; print(' '.join(sorted(sys.builtin_module_names)))"
        ours = subprocess.run(["./python", "-c", names], cwd=build, capture_output=True, text=True)
        if ours.stdout.split() != sorted(sys.builtin_module_names):
            theirs = " ".join(sorted(sys.builtin_module_names))
            out.write(f"built-in modules differ: {ours.stdout.strip()} / {theirs}\n")
            return None
    archive = build / library
    return archive if archive.is_file() else None


def rebuilt_archive(shipped: Path, out_dir: Path) -> Path | None:
    """The distribution's ``shipped`` libpython rebuilt with its link-time IR
    (cached in ``out_dir`` per source version), or None where that cannot be
    done here (not dpkg-based, no source archive reachable, a failed build:
    ``out_dir``/libpython.log says which)."""
    if shutil.which("dpkg-source") is None or shutil.which("apt-get") is None:
        return None
    source = source_of(shipped)
    if source is None:
        return None
    binary, package, version = source
    stamp = out_dir / "libpython.stamp"
    archive = out_dir / shipped.name
    if archive.is_file() and stamp.is_file() and stamp.read_text() == version:
        return archive
    setup_local = shipped.parent / "Setup.local"  # what debian/rules wrote for it
    if not setup_local.is_file():
        return None
    tree = fetch_source(package, binary, version, out_dir / "libpython-src")
    if tree is None:
        return None
    built = build_archive(
        tree, out_dir / "libpython-build", setup_local.read_text(), out_dir / "libpython.log"
    )
    if built is None:
        return None
    shutil.copyfile(built, archive)
    stamp.write_text(version)
    shutil.rmtree(out_dir / "libpython-build", ignore_errors=True)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    libpl, library = sysconfig.get_config_var("LIBPL"), sysconfig.get_config_var("LIBRARY")
    shipped = Path(libpl or "") / (library or "")
    archive = rebuilt_archive(shipped, args.out_dir.resolve())
    if archive is None:
        print("libpython_rebuild: not rebuilt here", file=sys.stderr)
        return 1
    print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())

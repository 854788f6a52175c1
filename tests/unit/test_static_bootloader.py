"""packaging/static_bootloader.py and linux/libpython_in_exe.c: when the
Linux launcher gets the interpreter linked in, how it links it, and that the
dlopen wrapper answers a libpython request with the executable itself and
nothing else. The whole launcher is built and run by packaging/smoke.sh."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "static_bootloader", ROOT / "packaging" / "static_bootloader.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sb = _module()


def test_an_interpreter_with_a_shared_libpython_mapped_is_not_static(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.write_text(
        "00400000-00401000 r-xp 00000000 08:01 1 /usr/bin/python3.11\n"
        "7f0000000000-7f0000100000 r-xp 00000000 08:01 2 "
        "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0\n"
    )
    assert not sb.interpreter_is_static(maps)
    maps.write_text(
        "00400000-00401000 r-xp 00000000 08:01 1 /usr/bin/python3.11\n"
        "7f0000000000-7f0000100000 r-xp 00000000 08:01 2 /usr/lib/libz.so.1\n"
    )
    assert sb.interpreter_is_static(maps)
    # no /proc (not Linux): the stock launcher
    assert not sb.interpreter_is_static(tmp_path / "absent")


def test_the_interpreter_s_libraries_are_linked_once_each_in_first_seen_order() -> None:
    debian = {
        "LINKFORSHARED": "-Xlinker -export-dynamic -Wl,-O1 -Wl,-Bsymbolic-functions",
        "LIBS": "-ldl  -lm",
        "MODLIBS": "-lm   -lz -lm -lm   -lexpat  -lexpat",
        "SYSLIBS": "-lm",
    }
    export, libs = sb.link_flags(debian)
    assert export == ["-Xlinker", "-export-dynamic", "-Wl,-O1", "-Wl,-Bsymbolic-functions"]
    assert libs == ["-ldl", "-lm", "-lz", "-lexpat"]
    assert sb.link_flags({}) == ([], [])


def test_only_a_static_interpreter_with_its_archive_gets_the_launcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "libpython3.11.a"
    config = {"LIBPL": str(tmp_path), "LIBRARY": archive.name}
    monkeypatch.setattr(sb.sysconfig, "get_config_var", config.get)
    monkeypatch.setattr(sb, "interpreter_is_static", lambda: True)
    assert sb.static_libpython() is None  # libpython3.X-dev not installed
    archive.write_bytes(b"!<arch>\n")
    assert sb.static_libpython() == archive
    monkeypatch.setattr(sb, "interpreter_is_static", lambda: False)
    assert sb.static_libpython() is None


def test_the_check_says_whether_this_interpreter_would_get_it() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "static_bootloader.py"), "--check"],
        check=False,
    )
    expected = 0 if sb.static_libpython() is not None else 1
    assert run.returncode == expected


WRAPS = ["-Wl,--wrap=dlopen", "-Wl,--wrap=execvp"]

PROBE = r"""
#include <dlfcn.h>
#include <stdio.h>
int heureum_probe_marker(void) { return 42; }
int main(void)
{
    void *py = dlopen("/no/such/dir/libpython3.11.so.1.0", RTLD_NOW | RTLD_GLOBAL);
    void *other = dlopen("/no/such/dir/libother.so.1", RTLD_NOW);
    int (*marker)(void) = py ? (int (*)(void))dlsym(py, "heureum_probe_marker") : NULL;
    printf("%d %d %d\n", py != NULL, other != NULL, marker ? marker() : -1);
    return 0;
}
"""


def test_the_dlopen_wrapper_answers_libpython_with_the_executable(tmp_path: Path) -> None:
    probe = tmp_path / "probe.c"
    probe.write_text(PROBE)
    exe = tmp_path / "probe"
    wrapper = ROOT / "packaging" / "linux" / "libpython_in_exe.c"
    flags = ["-O2", "-Wall", "-Werror", "-Wl,-E", *WRAPS]
    subprocess.run(["gcc", *flags, str(probe), str(wrapper), "-ldl", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    # libpython: the executable's own symbols; any other library: as asked
    assert out == ["1", "0", "42"]
    plain = tmp_path / "plain"
    subprocess.run(["gcc", str(probe), "-ldl", "-o", str(plain)], check=True)
    out = subprocess.run([str(plain)], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0", "-1"]


RESTART = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc > 1) {  /* the program started again */
        printf("restarted %s\n", getenv("_PYI_PARENT_PROCESS_LEVEL"));
        return 0;
    }
    char *again[] = {argv[0], "again", NULL};
    int rc = execvp(argv[0], again);
    printf("carried on %d %s\n", rc, getenv("_PYI_PARENT_PROCESS_LEVEL"));
    return 0;
}
"""


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        # the bootloader's restart (onedir, Linux): spared, as done
        ("-1", "carried on 0 1"),
        # any other execvp, before or after: as asked
        ("1", "restarted 1"),
        (None, "restarted (null)"),
    ],
)
def test_the_execvp_wrapper_spares_only_the_bootloader_s_restart(
    tmp_path: Path, level: str | None, expected: str
) -> None:
    probe = tmp_path / "restart.c"
    probe.write_text(RESTART)
    exe = tmp_path / "restart"
    wrapper = ROOT / "packaging" / "linux" / "libpython_in_exe.c"
    flags = ["-O2", "-Wall", "-Werror", *WRAPS]
    subprocess.run(["gcc", *flags, str(probe), str(wrapper), "-ldl", "-o", str(exe)], check=True)
    env = {"PATH": "/usr/bin:/bin"}
    if level is not None:
        env["_PYI_PARENT_PROCESS_LEVEL"] = level
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == expected


def test_the_launcher_is_linked_with_both_wrappers() -> None:
    source = (ROOT / "packaging" / "static_bootloader.py").read_text()
    assert all(f'"{flag}"' in source for flag in WRAPS)

"""Makes the frozen bundle's FFmpeg encode H.264 only, by replacing its other
encoder libraries (x265, SVT-AV1, LAME, libvpx, libwebp) with small stubs.

PyAV's wheel links these libraries into libavcodec, so they cannot simply be
left out: the dynamic linker refuses to load libavcodec without them. The one
encoder Heureum uses is x264, kept whole: the built-in demo is encoded with
it on the first start (screenshots go through Qt, recordings are remuxed).
FFmpeg's own decoders cover what libvpx and libwebp would decode (the native
``vp8``/``vp9``/``webp`` decoders come first in FFmpeg's registry). Together
the five libraries are about 31 MB of the 250 MB folder.

Each stub exports exactly the symbols libavcodec imports from the library it
replaces, under the same file name and soname. Every function returns a value
that makes FFmpeg's wrapper give up at its first call (an error code, NULL, or
a static message for the functions that return text), so opening one of these
encoders fails with an ordinary FFmpeg error instead of crashing. A symbol this
table does not know fails the build: a new PyAV that calls more of a library
must be looked at, never guessed at.

Usage: python packaging/decode_only.py ONEDIR   (Linux; needs gcc)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Library name prefix -> {symbol: C return expression}. "MSG" returns a static
# string; data symbols are listed in DATA.
MSG = "MSG"
STUBS: dict[str, dict[str, str]] = {
    "libx265-": {"x265_api_get_*": "0", "x265_api_query": "0"},
    "libSvtAv1Enc-": {
        "svt_av1_enc_init_handle": "0x80001000",
        "svt_av1_enc_set_parameter": "0x80001000",
        "svt_av1_enc_parse_parameter": "0x80001000",
        "svt_av1_enc_init": "0x80001000",
        "svt_av1_enc_stream_header": "0x80001000",
        "svt_av1_enc_stream_header_release": "0x80001000",
        "svt_av1_enc_send_picture": "0x80001000",
        "svt_av1_enc_get_packet": "0x80001000",
        "svt_av1_enc_release_out_buffer": "0",
        "svt_av1_enc_get_stream_info": "0x80001000",
        "svt_av1_enc_deinit": "0",
        "svt_av1_enc_deinit_handle": "0",
        "svt_add_metadata": "-1",
        "svt_metadata_array_free": "0",
    },
    "libmp3lame-": {"lame_init": "0", "lame_*": "-1"},
    "libvpx-": {
        # Called for every codec when FFmpeg first walks its registry
        # (init_static_data): no capabilities, no interface.
        "vpx_codec_vp8_cx": "0",
        "vpx_codec_vp8_dx": "0",
        "vpx_codec_vp9_cx": "0",
        "vpx_codec_vp9_dx": "0",
        "vpx_codec_get_caps": "0",
        "vpx_codec_version": "0",
        "vpx_codec_version_str": MSG,
        "vpx_codec_build_config": MSG,
        "vpx_codec_err_to_string": MSG,
        "vpx_codec_error": MSG,
        "vpx_codec_error_detail": MSG,
        # VPX_CODEC_ERROR: the wrappers stop here.
        "vpx_codec_enc_config_default": "1",
        "vpx_codec_enc_init_ver": "1",
        "vpx_codec_dec_init_ver": "1",
        "vpx_codec_enc_config_set": "1",
        "vpx_codec_control_": "1",
        "vpx_codec_encode": "1",
        "vpx_codec_decode": "1",
        "vpx_codec_destroy": "0",
        "vpx_codec_get_cx_data": "0",
        "vpx_codec_get_frame": "0",
        "vpx_codec_set_frame_buffer_functions": "1",
        "vpx_img_wrap": "0",
    },
    "libwebp-": {
        # libwebp's "0 = failure" convention for its init functions.
        "WebPConfigInitInternal": "0",
        "WebPValidateConfig": "0",
        "WebPPictureInitInternal": "0",
        "WebPEncode": "0",
        "WebPCleanupTransparentArea": "0",
        "WebPPictureFree": "0",
        "WebPMemoryWrite": "0",
        "WebPMemoryWriterInit": "0",
        "WebPMemoryWriterClear": "0",
        "WebPFree": "0",
    },
    "libwebpmux-": {
        "WebPAnimEncoderOptionsInitInternal": "0",
        "WebPAnimEncoderNewInternal": "0",
        "WebPAnimEncoderAdd": "0",
        "WebPAnimEncoderAssemble": "0",
        "WebPAnimEncoderDelete": "0",
    },
}
DATA: dict[str, int] = {}  # data symbol -> bytes of a zeroed table


def _symbols(lib: Path, which: str) -> set[str]:
    """The dynamic symbols ``lib`` imports (``which="--undefined-only"``) or
    exports (``"--defined-only"``), without their version tags."""
    out = subprocess.run(
        ["nm", "-D", which, str(lib)], check=True, capture_output=True, text=True
    ).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def _dynamic(lib: Path, tag: str) -> list[str]:
    """The values of one tag (NEEDED, SONAME) of ``lib``'s dynamic section."""
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True).stdout
    return re.findall(rf"\({tag}\).*\[(.+)\]", out)


def _soname(lib: Path) -> str:
    return next(iter(_dynamic(lib, "SONAME")), lib.name)


def _return_for(table: dict[str, str], symbol: str) -> str | None:
    if symbol in table:
        return table[symbol]
    for pattern, value in table.items():
        if pattern.endswith("*") and symbol.startswith(pattern[:-1]):
            return value
    return None


def stub_source(table: dict[str, str], symbols: set[str]) -> str:
    """C source exporting ``symbols``; raises on a symbol the table lacks."""
    lines = [
        "/* Generated by packaging/decode_only.py: this build of Heureum decodes only. */",
        'static const char msg[] = "not included in this decode-only build";',
    ]
    unknown = []
    for symbol in sorted(symbols):
        if symbol in DATA:
            lines.append(f'__attribute__((visibility("default"))) char {symbol}[{DATA[symbol]}];')
            continue
        value = _return_for(table, symbol)
        if value is None:
            unknown.append(symbol)
        elif value == MSG:
            lines.append(f"const char *{symbol}(void) {{ return msg; }}")
        else:
            lines.append(f"long {symbol}(void) {{ return (long)({value}); }}")
    if unknown:
        raise SystemExit("decode_only: no stub rule for " + ", ".join(unknown))
    return "\n".join(lines) + "\n"


def _users(folder: Path, name: str) -> list[Path]:
    """The libraries in ``folder`` that load ``name``."""
    return [
        lib
        for lib in folder.iterdir()
        if lib.is_file()
        and lib.name != name
        and ".so" in lib.name
        and name in _dynamic(lib, "NEEDED")
    ]


def slim(libs: Path) -> list[tuple[str, int, int]]:
    """Replaces the encoder libraries in ``libs`` (an ``av.libs`` folder)."""
    done = []
    orphans: set[str] = set()
    replaced = {lib.name for prefix in STUBS for lib in libs.glob(prefix + "*.so*")}
    for prefix, table in STUBS.items():
        for lib in sorted(libs.glob(prefix + "*.so*")):
            if lib.is_symlink():
                continue
            names = _symbols(lib, "--defined-only")
            # what libavcodec (and any other library staying) takes from it
            wanted = set()
            for user in _users(libs, lib.name):
                if user.name not in replaced:
                    wanted |= _symbols(user, "--undefined-only") & names
            orphans |= set(_dynamic(lib, "NEEDED"))
            before = lib.stat().st_size
            with tempfile.TemporaryDirectory() as tmp:
                src = Path(tmp, "stub.c")
                src.write_text(stub_source(table, wanted))
                out = Path(tmp, lib.name)
                subprocess.run(
                    [
                        "gcc",
                        "-shared",
                        "-fPIC",
                        "-Os",
                        "-s",
                        f"-Wl,-soname,{_soname(lib)}",
                        "-o",
                        str(out),
                        str(src),
                    ],
                    check=True,
                )
                lib.write_bytes(out.read_bytes())
            done.append((lib.name, before, lib.stat().st_size))
    # Libraries only the replaced ones needed (libwebp's libsharpyuv).
    for name in sorted(orphans):
        lib = libs / name
        if lib.is_file() and not _users(libs, name) and not _needed_outside(libs, name):
            done.append((lib.name, lib.stat().st_size, 0))
            lib.unlink()
    return done


def _needed_outside(libs: Path, name: str) -> bool:
    """Whether an extension module next to ``libs`` loads ``name``."""
    for module in libs.parent.rglob("*.so"):
        if libs in module.parents:
            continue
        if name in _dynamic(module, "NEEDED"):
            return True
    return False


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python packaging/decode_only.py ONEDIR_OR_SITE_PACKAGES", file=sys.stderr)
        return 2
    root = Path(argv[1])
    found = list(root.rglob("av.libs"))
    if not found:
        print(f"decode_only: no av.libs under {root}", file=sys.stderr)
        return 1
    saved = 0
    for name, before, after in slim(found[0]):
        saved += before - after
        print(f"decode_only: {name}: {before / 1e6:.1f} MB -> {after / 1e6:.2f} MB")
    print(f"decode_only: saved {saved / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

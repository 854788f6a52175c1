"""EXT-X-DEFINE variable substitution (RFC 8216bis §4.4.2.3), done on the text
before the ``m3u8`` parser sees it, because that library ignores the tag.

Pure: text in, text out. Every problem is a ``PlaylistError`` with its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from ..errors import PlaylistError

__all__ = ["MAX_VARIABLES", "parse_attributes", "substitute_variables"]

MAX_VARIABLES = 256
_MAX_VALUE_LEN = 4096
_MAX_EXPANDED = 8 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_REF = re.compile(r"\{\$([A-Za-z0-9_-]+)\}")
_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"\r\n]*"|[^",\s]*)')


def parse_attributes(text: str) -> dict[str, str]:
    """An attribute list (``A=1,B="x"``) as a dict; quotes removed."""
    out: dict[str, str] = {}
    for name, value in _ATTR.findall(text):
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        out[name] = value
    return out


def substitute_variables(
    text: str,
    url: str,
    imported: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, str]]:
    """Apply EXT-X-DEFINE to ``text``.

    Returns the substituted text (same number of lines, so line numbers stay
    valid) and the variables defined here (a multivariant playlist hands them
    to its media playlists through ``imported``).
    """
    if "{$" not in text and "#EXT-X-DEFINE" not in text:
        return text, {}
    imported = imported or {}
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    variables: dict[str, str] = {}
    lines = text.split("\n")
    out: list[str] = []
    total = 0
    for lineno, raw in enumerate(lines, 1):
        line = raw
        stripped = line.strip()
        if stripped.startswith("#EXT-X-DEFINE:"):
            attrs = parse_attributes(stripped[len("#EXT-X-DEFINE:") :])
            if "NAME" in attrs:
                name = attrs["NAME"]
                if "VALUE" not in attrs:
                    raise PlaylistError("EXT-X-DEFINE with NAME but no VALUE", lineno)
                value = attrs["VALUE"]
            elif "IMPORT" in attrs:
                name = attrs["IMPORT"]
                if name not in imported:
                    raise PlaylistError(f"EXT-X-DEFINE IMPORT of unknown variable {name!r}", lineno)
                value = imported[name]
            elif "QUERYPARAM" in attrs:
                name = attrs["QUERYPARAM"]
                if name not in query:
                    raise PlaylistError(
                        f"EXT-X-DEFINE QUERYPARAM {name!r} is not in the playlist URL", lineno
                    )
                value = query[name]
            else:
                raise PlaylistError("EXT-X-DEFINE needs NAME, IMPORT or QUERYPARAM", lineno)
            if not _NAME.match(name):
                raise PlaylistError(f"bad variable name {name!r}", lineno)
            if name in variables:
                raise PlaylistError(f"variable {name!r} defined twice", lineno)
            if len(value) > _MAX_VALUE_LEN:
                raise PlaylistError("variable value too long", lineno)
            variables[name] = value
            if len(variables) > MAX_VARIABLES:
                raise PlaylistError(f"more than {MAX_VARIABLES} variables", lineno)
            out.append(raw)
            continue
        if "{$" in line:

            def repl(m: re.Match[str], lineno: int = lineno) -> str:
                name = m.group(1)
                if name not in variables:
                    raise PlaylistError(f"undefined variable {name!r}", lineno)
                return variables[name]

            line = _REF.sub(repl, line)
            if len(line) > 64 * 1024:
                raise PlaylistError("line too long after variable substitution", lineno)
        total += len(line) + 1
        if total > _MAX_EXPANDED:
            raise PlaylistError("playlist too large after variable substitution", lineno)
        out.append(line)
    return "\n".join(out), variables

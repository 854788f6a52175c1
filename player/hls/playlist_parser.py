"""Playlist text → the frozen dataclasses of ``playlist``, with every cap checked.

The ``m3u8`` library is only used as a tokenizer (``m3u8.parser.parse`` on a
string): never ``m3u8.load()``, which opens ``file://`` URLs and bare paths,
has no timeout and reads without a size limit. Anything the text does wrong,
including the ValueError/TypeError/KeyError/InvalidOperation the library
raises and the NaN/infinite/negative durations it accepts, becomes one
``PlaylistError(reason, line)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import m3u8.parser

from ..errors import PlaylistError, SecurityError
from .defines import substitute_variables
from .playlist import (
    MAX_BYTERANGE,
    MAX_PLAYLIST_BYTES,
    MAX_RENDITIONS,
    MAX_SEGMENTS,
    MAX_TARGET_DURATION,
    ByteRange,
    InitSection,
    Key,
    MediaPlaylist,
    MultivariantPlaylist,
    Part,
    PreloadHint,
    Rendition,
    RenditionReport,
    Segment,
    ServerControl,
    Variant,
)

__all__ = ["DowngradeError", "check_uri", "parse_media_playlist", "parse_playlist"]

_IV = re.compile(r"^0[xX][0-9a-fA-F]{32}$")
_RESOLUTION = re.compile(r"^(\d{1,5})x(\d{1,5})$")


class DowngradeError(PlaylistError, SecurityError):
    """An https playlist pointing at a plain-http URI (a key above all: it
    would travel in clear). A ``PlaylistError`` for the parser's contract and
    a ``SecurityError`` for whoever reports it."""

    kind = "security"


# --------------------------------------------------------------------------- helpers


def check_uri(base: str, uri: str, line: int | None, what: str = "URI") -> str:
    """``uri`` resolved against ``base``; only http(s), never https → http."""
    if not isinstance(uri, str) or not uri or len(uri) > 8192:
        raise PlaylistError(f"empty or oversized {what}", line)
    if any(c in uri for c in "\r\n\x00"):
        raise PlaylistError(f"control character in {what}", line)
    try:
        resolved = urljoin(base, uri.strip())
        parts = urlsplit(resolved)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise PlaylistError(f"bad {what}: {exc}", line) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise PlaylistError(
            f"{what} scheme {scheme or '(none)'!r} is not allowed (http/https)", line
        )
    if not parts.hostname:
        raise PlaylistError(f"{what} has no host", line)
    if urlsplit(base).scheme.lower() == "https" and scheme == "http":
        raise DowngradeError(f"{what} downgrades https to http", line)
    return resolved


def _byterange(value: Any, previous_end: int | None, line: int | None) -> ByteRange:
    text = str(value).strip()
    length_s, _, offset_s = text.partition("@")
    try:
        length = int(length_s)
        offset = int(offset_s) if offset_s else None
    except ValueError:
        raise PlaylistError(f"bad byte range {text!r}", line) from None
    if offset is None:
        if previous_end is None:
            raise PlaylistError("byte range without offset and no previous range", line)
        offset = previous_end
    if length <= 0 or offset < 0 or length > MAX_BYTERANGE:
        raise PlaylistError(f"byte range out of bounds {text!r}", line)
    return ByteRange(length, offset)


def _finite(value: Any, what: str, line: int | None, *, positive: bool = False) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise PlaylistError(f"bad {what} {value!r}", line) from None
    if not math.isfinite(f) or (positive and f <= 0):
        raise PlaylistError(
            f"{what} must be a finite{' positive' if positive else ''} number", line
        )
    return f


def _yes(value: Any) -> bool:
    return str(value).upper() == "YES" if value is not None else False


def _key(raw: Mapping[str, Any] | None, base: str, line: int | None) -> Key | None:
    if not raw:
        return None
    method = str(raw.get("method", "")).upper()
    if method == "NONE":
        return None
    if method not in ("AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR", "AES-256", "SAMPLE-AES-CENC"):
        raise PlaylistError(f"unknown EXT-X-KEY METHOD {method!r}", line)
    uri_raw = raw.get("uri")
    if not uri_raw:
        raise PlaylistError("EXT-X-KEY without URI", line)
    keyformat = str(raw.get("keyformat") or "identity")
    if keyformat != "identity" and method != "AES-128":
        # DRM key systems: keep the URI as it is (skd://, data:), never fetched.
        return Key(method, str(uri_raw), None, keyformat)
    uri = check_uri(base, str(uri_raw), line, "key URI")
    iv_raw = raw.get("iv")
    iv = None
    if iv_raw is not None:
        iv_text = str(iv_raw)
        if not _IV.match(iv_text):
            raise PlaylistError("EXT-X-KEY IV must be 0x followed by 32 hex digits", line)
        iv = bytes.fromhex(iv_text[2:])
    return Key(method, uri, iv, keyformat)


# --------------------------------------------------------------------------- pre-scan


@dataclass
class _Scan:
    target_duration: float | None = None
    td_line: int | None = None
    extinf_lines: list[int] = field(default_factory=list)
    uri_lines: list[int] = field(default_factory=list)
    stream_inf: int = 0
    media: int = 0


def _prescan(lines: list[str], max_segments: int) -> _Scan:
    scan = _Scan()
    expect_uri = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#EXT-X-TARGETDURATION:"):
                scan.target_duration = _finite(
                    line.split(":", 1)[1], "EXT-X-TARGETDURATION", lineno, positive=True
                )
                if scan.target_duration > MAX_TARGET_DURATION:
                    raise PlaylistError("EXT-X-TARGETDURATION is implausibly long", lineno)
                scan.td_line = lineno
            elif line.startswith("#EXTINF:"):
                value = line[len("#EXTINF:") :].split(",", 1)[0].strip()
                _finite(value, "EXTINF duration", lineno)
                scan.extinf_lines.append(lineno)
                if len(scan.extinf_lines) > max_segments:
                    raise PlaylistError(f"more than {max_segments} segments", lineno)
                expect_uri = True
            elif line.startswith("#EXT-X-STREAM-INF"):
                scan.stream_inf += 1
                expect_uri = True
                if scan.stream_inf + scan.media > MAX_RENDITIONS:
                    raise PlaylistError(
                        f"more than {MAX_RENDITIONS} variants and renditions", lineno
                    )
            elif line.startswith("#EXT-X-MEDIA:"):
                scan.media += 1
                if scan.stream_inf + scan.media > MAX_RENDITIONS:
                    raise PlaylistError(
                        f"more than {MAX_RENDITIONS} variants and renditions", lineno
                    )
            elif line.startswith("#EXT-X-PART:"):
                scan.extinf_lines.append(lineno)  # parts count against the cap too
                if len(scan.extinf_lines) > max_segments * 8:
                    raise PlaylistError("too many parts", lineno)
        elif expect_uri:
            scan.uri_lines.append(lineno)
            expect_uri = False
    if scan.stream_inf and scan.extinf_lines:
        raise PlaylistError(
            "playlist mixes multivariant (EXT-X-STREAM-INF) and media (EXTINF) tags",
            scan.extinf_lines[0],
        )
    return scan


def _tokenize(text: str) -> dict[str, Any]:
    current = [0]

    def track(line: str, lineno: int, data: Any, state: Any) -> bool:
        current[0] = lineno
        return False

    try:
        data: dict[str, Any] = m3u8.parser.parse(text, custom_tags_parser=track)
    except PlaylistError:
        raise
    except Exception as exc:  # ValueError, TypeError, KeyError, InvalidOperation, ...
        reason = f"{type(exc).__name__}: {exc}"[:200]
        raise PlaylistError(f"cannot parse: {reason}", current[0] or None) from None
    return data


def _prepare(text: str, url: str, imported: Mapping[str, str] | None) -> tuple[str, dict[str, str]]:
    if len(text) > MAX_PLAYLIST_BYTES:
        raise PlaylistError(f"playlist larger than {MAX_PLAYLIST_BYTES // (1024 * 1024)} MiB")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise PlaylistError("NUL character in playlist", text[: text.index("\x00")].count("\n") + 1)
    first = text.split("\n", 1)[0].strip()
    if first != "#EXTM3U":
        raise PlaylistError("not an HLS playlist (first line is not #EXTM3U)", 1)
    # normalise line ends so our line numbers and the tokenizer's agree
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return substitute_variables(text, url, imported)


# --------------------------------------------------------------------------- public


def parse_playlist(
    text: str,
    url: str,
    *,
    max_segments: int = MAX_SEGMENTS,
    imported: Mapping[str, str] | None = None,
) -> MultivariantPlaylist | MediaPlaylist:
    """Parse ``text`` fetched from ``url``. Raises only ``PlaylistError``."""
    try:
        return _parse(text, url, max_segments, imported)
    except PlaylistError:
        raise
    except Exception as exc:  # a bug or a case we did not foresee: still one clear error
        raise PlaylistError(f"cannot parse: {type(exc).__name__}: {exc}"[:200]) from None


def parse_media_playlist(
    text: str,
    url: str,
    *,
    max_segments: int = MAX_SEGMENTS,
    imported: Mapping[str, str] | None = None,
) -> MediaPlaylist:
    """Like ``parse_playlist`` but a multivariant playlist here is an error
    (nesting depth 1)."""
    result = parse_playlist(text, url, max_segments=max_segments, imported=imported)
    if isinstance(result, MultivariantPlaylist):
        raise PlaylistError("a multivariant playlist where a media playlist was expected")
    return result


def _parse(
    text: str, url: str, max_segments: int, imported: Mapping[str, str] | None
) -> MultivariantPlaylist | MediaPlaylist:
    text, variables = _prepare(text, url, imported)
    lines = text.split("\n")
    scan = _prescan(lines, max_segments)
    data = _tokenize(text)
    if data.get("is_variant") or scan.stream_inf:
        return _multivariant(data, url, scan, variables)
    return _media(data, url, scan, variables)


def _multivariant(
    data: dict[str, Any], url: str, scan: _Scan, variables: dict[str, str]
) -> MultivariantPlaylist:
    grouped: dict[tuple[Any, ...], int] = {}
    variants: list[Variant] = []
    backups: dict[int, list[str]] = {}
    for i, raw in enumerate(data.get("playlists") or []):
        line = scan.uri_lines[i] if i < len(scan.uri_lines) else None
        info = raw.get("stream_info") or {}
        bandwidth = info.get("bandwidth")
        if not isinstance(bandwidth, int) or bandwidth <= 0:
            raise PlaylistError("EXT-X-STREAM-INF without a positive BANDWIDTH", line)
        avg = info.get("average_bandwidth")
        if avg is not None and (not isinstance(avg, int) or avg <= 0):
            raise PlaylistError("bad AVERAGE-BANDWIDTH", line)
        width = height = None
        if info.get("resolution"):
            m = _RESOLUTION.match(str(info["resolution"]).strip())
            if not m:
                raise PlaylistError(f"bad RESOLUTION {info['resolution']!r}", line)
            width, height = int(m.group(1)), int(m.group(2))
        fps = info.get("frame_rate")
        frame_rate = _finite(fps, "FRAME-RATE", line, positive=True) if fps is not None else None
        uri = check_uri(url, str(raw.get("uri") or ""), line, "variant URI")
        codecs = str(info["codecs"]) if info.get("codecs") else None
        audio = str(info["audio"]) if info.get("audio") else None
        subs = str(info["subtitles"]) if info.get("subtitles") else None
        ident = (bandwidth, avg, width, height, codecs, audio, subs)
        if ident in grouped:  # a redundant stream: same attributes, other URI
            backups.setdefault(grouped[ident], []).append(uri)
            continue
        grouped[ident] = len(variants)
        variants.append(
            Variant(
                index=len(variants),
                uri=uri,
                bandwidth=bandwidth,
                average_bandwidth=avg,
                width=width,
                height=height,
                codecs=codecs,
                frame_rate=frame_rate,
                audio_group=audio,
                subtitles_group=subs,
            )
        )
    if not variants:
        raise PlaylistError("multivariant playlist without variants")
    variants = [
        Variant(**{**v.__dict__, "backups": tuple(backups.get(v.index, ()))}) for v in variants
    ]
    renditions: list[Rendition] = []
    for raw in data.get("media") or []:
        rtype = str(raw.get("type") or "").upper()
        if rtype not in ("AUDIO", "VIDEO", "SUBTITLES", "CLOSED-CAPTIONS"):
            raise PlaylistError(f"EXT-X-MEDIA with unknown TYPE {rtype!r}")
        if not raw.get("group_id") or not raw.get("name"):
            raise PlaylistError("EXT-X-MEDIA needs GROUP-ID and NAME")
        uri = raw.get("uri")
        renditions.append(
            Rendition(
                type=rtype,
                group_id=str(raw["group_id"]),
                name=str(raw["name"]),
                uri=check_uri(url, str(uri), None, "rendition URI") if uri else None,
                language=str(raw["language"]) if raw.get("language") else None,
                default=_yes(raw.get("default")),
                autoselect=_yes(raw.get("autoselect")),
                channels=str(raw["channels"]) if raw.get("channels") else None,
            )
        )
    iframes = tuple(str(p.get("uri")) for p in (data.get("iframe_playlists") or []) if p.get("uri"))
    session_keys = tuple(
        k for k in (_key(raw, url, None) for raw in data.get("session_keys") or []) if k
    )
    start = data.get("start") or {}
    start_offset = (
        _finite(start["time_offset"], "EXT-X-START", None) if "time_offset" in start else None
    )
    return MultivariantPlaylist(
        url=url,
        variants=tuple(variants),
        renditions=tuple(renditions),
        iframe_variants=iframes,
        session_keys=session_keys,
        independent_segments=bool(data.get("is_independent_segments")),
        start_offset=start_offset,
        variables=variables,
    )


def _part(raw: Mapping[str, Any], base: str, prev_end: int | None) -> Part:
    duration = _finite(raw.get("duration"), "EXT-X-PART DURATION", None, positive=True)
    br = _byterange(raw["byterange"], prev_end, None) if raw.get("byterange") else None
    return Part(
        uri=check_uri(base, str(raw.get("uri") or ""), None, "part URI"),
        duration=duration,
        independent=_yes(raw.get("independent")),
        byterange=br,
        gap=_yes(raw.get("gap")),
    )


def _media(data: dict[str, Any], url: str, scan: _Scan, variables: dict[str, str]) -> MediaPlaylist:
    td_raw = data.get("targetduration")
    if td_raw is None:
        raise PlaylistError("media playlist without EXT-X-TARGETDURATION")
    td = _finite(td_raw, "EXT-X-TARGETDURATION", scan.td_line, positive=True)
    msn = data.get("media_sequence") or 0
    dseq = data.get("discontinuity_sequence") or 0
    if not isinstance(msn, int) or msn < 0 or not isinstance(dseq, int) or dseq < 0:
        raise PlaylistError("bad EXT-X-MEDIA-SEQUENCE or EXT-X-DISCONTINUITY-SEQUENCE")
    skip = data.get("skip") or {}
    skipped = int(skip.get("skipped_segments") or 0)
    if skipped < 0 or skipped > MAX_SEGMENTS:
        raise PlaylistError("bad EXT-X-SKIP SKIPPED-SEGMENTS")
    segments: list[Segment] = []
    trailing: tuple[Part, ...] = ()
    start = 0.0
    prev_ranges: dict[str, int] = {}
    seq = msn + skipped
    n_full = 0
    raw_segments = data.get("segments") or []
    for raw in raw_segments:
        parts_raw = raw.get("parts") or []
        part_prev: int | None = None
        parts: list[Part] = []
        for p in parts_raw:
            part = _part(p, url, part_prev)
            part_prev = part.byterange.end if part.byterange else None
            parts.append(part)
        if not raw.get("uri"):
            # the segment being produced: only parts so far
            trailing = tuple(parts)
            continue
        line = scan.uri_lines[n_full] if n_full < len(scan.uri_lines) else None
        extinf_line = scan.extinf_lines[n_full] if n_full < len(scan.extinf_lines) else line
        n_full += 1
        duration = _finite(raw.get("duration"), "EXTINF duration", extinf_line)
        if duration <= 0:
            raise PlaylistError("EXTINF duration must be positive", extinf_line)
        if duration > 10 * td:
            raise PlaylistError(
                f"EXTINF duration {duration:g} is more than 10 x TARGETDURATION ({td:g})",
                extinf_line,
            )
        uri = check_uri(url, str(raw["uri"]), line, "segment URI")
        br = None
        if raw.get("byterange"):
            br = _byterange(raw["byterange"], prev_ranges.get(uri), line)
            prev_ranges[uri] = br.end
        init = None
        init_raw = raw.get("init_section")
        if init_raw:
            init_uri = check_uri(url, str(init_raw.get("uri") or ""), line, "EXT-X-MAP URI")
            ibr = _byterange(init_raw["byterange"], 0, line) if init_raw.get("byterange") else None
            init = InitSection(init_uri, ibr)
        discontinuity = bool(raw.get("discontinuity"))
        if discontinuity and segments:
            dseq += 1
        pdt = raw.get("program_date_time") or raw.get("current_program_date_time")
        segments.append(
            Segment(
                uri=uri,
                duration=duration,
                sequence=seq,
                discontinuity_sequence=dseq,
                start=start,
                discontinuity=discontinuity,
                key=_key(raw.get("key"), url, line),
                init=init,
                byterange=br,
                program_date_time=pdt if isinstance(pdt, datetime) else None,
                gap=bool(raw.get("gap_tag")),
                parts=tuple(parts),
                title=str(raw.get("title") or ""),
                line=line,
            )
        )
        seq += 1
        start += duration
    sc_raw = data.get("server_control") or {}
    server_control = ServerControl(
        can_block_reload=_yes(sc_raw.get("can_block_reload")),
        can_skip_until=(
            _finite(sc_raw["can_skip_until"], "CAN-SKIP-UNTIL", None, positive=True)
            if sc_raw.get("can_skip_until") is not None
            else None
        ),
        can_skip_dateranges=_yes(sc_raw.get("can_skip_dateranges")),
        hold_back=(
            _finite(sc_raw["hold_back"], "HOLD-BACK", None, positive=True)
            if sc_raw.get("hold_back") is not None
            else None
        ),
        part_hold_back=(
            _finite(sc_raw["part_hold_back"], "PART-HOLD-BACK", None, positive=True)
            if sc_raw.get("part_hold_back") is not None
            else None
        ),
    )
    part_inf = data.get("part_inf") or {}
    part_target = (
        _finite(part_inf["part_target"], "PART-TARGET", None, positive=True)
        if part_inf.get("part_target") is not None
        else None
    )
    hints: list[PreloadHint] = []
    hint_raw = data.get("preload_hint")
    for h in [hint_raw] if isinstance(hint_raw, dict) else list(hint_raw or []):
        hints.append(
            PreloadHint(
                type=str(h.get("type") or "").upper(),
                uri=check_uri(url, str(h.get("uri") or ""), None, "preload hint URI"),
                byterange_start=_opt_int(h.get("byterange_start")),
                byterange_length=_opt_int(h.get("byterange_length")),
            )
        )
    reports = tuple(
        RenditionReport(
            uri=check_uri(url, str(r.get("uri") or ""), None, "rendition report URI"),
            last_msn=_opt_int(r.get("last_msn")),
            last_part=_opt_int(r.get("last_part")),
        )
        for r in data.get("rendition_reports") or []
    )
    start_raw = data.get("start") or {}
    start_offset = (
        _finite(start_raw["time_offset"], "EXT-X-START TIME-OFFSET", None)
        if "time_offset" in start_raw
        else None
    )
    ptype = data.get("playlist_type")
    ptype_s = str(ptype).upper() if ptype else None
    if ptype_s not in (None, "VOD", "EVENT"):
        raise PlaylistError(f"unknown EXT-X-PLAYLIST-TYPE {ptype!r}")
    version = data.get("version")
    return MediaPlaylist(
        url=url,
        target_duration=td,
        media_sequence=msn,
        discontinuity_sequence=int(data.get("discontinuity_sequence") or 0),
        segments=tuple(segments),
        endlist=bool(data.get("is_endlist")),
        playlist_type=ptype_s,
        i_frames_only=bool(data.get("is_i_frames_only")),
        version=version if isinstance(version, int) else None,
        start_offset=start_offset,
        start_precise=_yes(start_raw.get("precise")),
        server_control=server_control,
        part_target=part_target,
        trailing_parts=trailing,
        preload_hints=tuple(hints),
        rendition_reports=reports,
        skipped_segments=skipped,
        variables=variables,
    )


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise PlaylistError(f"bad integer {value!r}") from None
    if out < 0:
        raise PlaylistError(f"negative integer {value!r}")
    return out

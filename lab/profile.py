"""Impairment profiles: what the lab's link does to the streams it serves.

A profile is a small TOML or JSON file::

    name = "3G"
    description = "a mobile link, slow and far away"
    delay_ms = 150          # added before every answer
    repeat_s = 60           # the bandwidth schedule and the outages repeat (optional)
    packet_loss_pct = 1.5   # RTSP over UDP, where the server can apply it

    [[bandwidth]]           # the link's rate from at_s on (unset: unlimited)
    at_s = 0
    kbps = 1600
    to_kbps = 400           # optional: a ramp, reaching to_kbps at the next point

    [[outage]]              # the origin is down from at_s for for_s seconds
    at_s = 20
    for_s = 10
    mode = "refuse"         # refuse (connections refused) | error (503) | hang

    [[error]]               # a status for the nth request, or for paths matching
    status = 404            # a regular expression (every time, or count times)
    nth = 5
    match = "\\.ts$"
    count = 1

Every mistake is one ``ProfileError`` naming the file and the line.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

__all__ = [
    "BUILTIN_PROFILES",
    "BandwidthPoint",
    "ErrorRule",
    "Outage",
    "Profile",
    "ProfileError",
    "builtin_profile",
    "load_profile",
    "parse_profile",
    "resolve_profile",
]

OutageKind = Literal["refuse", "error", "hang"]
_OUTAGE_KINDS = ("refuse", "error", "hang")
#: the profiles shipped in ``lab/profiles`` (file stem = name)
BUILTIN_PROFILES = ("3g", "wifi-congested", "drop-10s", "sawtooth")
_TOP_KEYS = {
    "name", "description", "delay_ms", "repeat_s", "packet_loss_pct",
    "bandwidth", "outage", "error",
}  # fmt: skip


class ProfileError(ValueError):
    """A profile that cannot be used: ``str()`` is the one line a user sees."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source, self.line, self.message = source, line, message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class BandwidthPoint:
    at_s: float
    bps: float
    #: a ramp: the rate reaches this at the next point (or at ``repeat_s``)
    to_bps: float | None = None


@dataclass(frozen=True)
class Outage:
    at_s: float
    for_s: float
    mode: OutageKind = "refuse"


@dataclass(frozen=True)
class ErrorRule:
    status: int
    #: the nth request to the origin (1-based), or
    nth: int | None = None
    #: paths matching this regular expression
    match: str | None = None
    #: how many matching requests get the status (None: all)
    count: int | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    delay_s: float = 0.0
    repeat_s: float | None = None
    packet_loss_pct: float = 0.0
    bandwidth: tuple[BandwidthPoint, ...] = ()
    outages: tuple[Outage, ...] = ()
    errors: tuple[ErrorRule, ...] = field(default_factory=tuple)

    def bits_per_second(self, t: float) -> float | None:
        """The link's rate ``t`` seconds after the lab started (None: unlimited)."""
        points = self.bandwidth
        if not points:
            return None
        if self.repeat_s:
            t %= self.repeat_s
        if t < points[0].at_s:
            return None
        i = max(k for k, p in enumerate(points) if p.at_s <= t)
        p = points[i]
        if p.to_bps is None:
            return p.bps
        end = points[i + 1].at_s if i + 1 < len(points) else self.repeat_s
        if end is None or end <= p.at_s:
            return p.to_bps
        f = min(1.0, (t - p.at_s) / (end - p.at_s))
        return p.bps + (p.to_bps - p.bps) * f

    def bytes_per_second(self, t: float) -> float | None:
        bps = self.bits_per_second(t)
        return None if bps is None else bps / 8

    def outage_at(self, t: float) -> Outage | None:
        """The outage under way ``t`` seconds after the start, if any."""
        if self.repeat_s:
            t %= self.repeat_s
        for o in self.outages:
            if o.at_s <= t < o.at_s + o.for_s:
                return o
        return None


# ----------------------------------------------------------------------------- lines


class _Lines:
    """Where a key sits in the file, so a semantic error names its line:
    ``where(table, index, key)`` for ``[[table]]`` entry ``index``, or
    ``where(None, 0, key)`` for a top-level key."""

    def __init__(self, text: str, json_text: bool) -> None:
        self._at: dict[tuple[str | None, int, str], int] = {}
        self._tables: dict[tuple[str, int], int] = {}
        if json_text:
            self._scan_json(text)
        else:
            self._scan_toml(text)

    def _scan_toml(self, text: str) -> None:
        table: str | None = None
        counts: dict[str, int] = {}
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            m = re.match(r"\[\[\s*([\w.-]+)\s*\]\]", line) or re.match(r"\[\s*([\w.-]+)\s*\]", line)
            if m:
                table = m.group(1)
                counts[table] = counts.get(table, -1) + 1
                self._tables[(table, counts[table])] = n
                continue
            k = re.match(r'"?([\w-]+)"?\s*=', line)
            if k:
                index = counts.get(table, 0) if table is not None else 0
                self._at.setdefault((table, index, k.group(1)), n)

    def _scan_json(self, text: str) -> None:
        # JSON has no positions after parsing: follow the nesting by hand
        # (enough for a profile's shape: top-level keys, arrays of flat objects).
        depth = 0
        table: str | None = None
        counts: dict[str, int] = {}
        last_key: str | None = None
        for n, raw in enumerate(text.splitlines(), 1):
            # a whole string at a time, so brackets inside values do not count
            for m in re.finditer(r'"((?:[^"\\]|\\.)*)"(\s*:)?|[\[\]{}]', raw):
                tok = m.group(0)
                if m.group(1) is not None:
                    if m.group(2) is None:
                        continue  # a value
                    key = m.group(1)
                    last_key = key
                    if depth == 1:
                        self._at.setdefault((None, 0, key), n)
                    elif depth == 3 and table is not None:
                        self._at.setdefault((table, counts.get(table, 0), key), n)
                elif tok in "[{":
                    depth += 1
                    if tok == "[" and depth == 2:
                        table = last_key
                    elif tok == "{" and depth == 3 and table is not None:
                        counts[table] = counts.get(table, -1) + 1
                        self._tables[(table, counts[table])] = n
                else:
                    depth -= 1
                    if depth == 1:
                        table = None

    def where(self, table: str | None, index: int, key: str | None) -> int | None:
        if key is not None and (table, index, key) in self._at:
            return self._at[(table, index, key)]
        if table is not None:
            return self._tables.get((table, index)) or self._at.get((None, 0, table))
        return None


# ----------------------------------------------------------------------------- parsing


class _Reader:
    def __init__(self, source: str, lines: _Lines) -> None:
        self.source, self.lines = source, lines

    def fail(self, table: str | None, index: int, key: str | None, message: str) -> ProfileError:
        return ProfileError(self.source, self.lines.where(table, index, key), message)

    def number(
        self,
        d: dict[str, Any],
        key: str,
        table: str | None,
        index: int,
        *,
        default: float | None = None,
        minimum: float = 0.0,
        positive: bool = False,
    ) -> float | None:
        if key not in d:
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(table, index, key, f"{key} must be a number, not {v!r}")
        if v < minimum or (positive and v <= 0):
            bound = "more than 0" if positive else f"at least {minimum:g}"
            raise self.fail(table, index, key, f"{key} must be {bound}, not {v!r}")
        return float(v)

    def entries(self, data: dict[str, Any], table: str) -> list[dict[str, Any]]:
        raw = data.get(table, [])
        if isinstance(raw, dict):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
            raise self.fail(table, 0, None, f"{table} must be a list of tables ([[{table}]])")
        return cast(list[dict[str, Any]], raw)

    def known(self, d: dict[str, Any], allowed: set[str], table: str | None, index: int) -> None:
        for key in d:
            if key not in allowed:
                where = f"in [[{table}]]" if table else "at the top level"
                choices = ", ".join(sorted(allowed))
                raise self.fail(table, index, key, f"unknown key {key!r} {where} ({choices})")


def _bandwidth(r: _Reader, data: dict[str, Any]) -> tuple[BandwidthPoint, ...]:
    points: list[BandwidthPoint] = []
    for i, e in enumerate(r.entries(data, "bandwidth")):
        r.known(e, {"at_s", "kbps", "to_kbps"}, "bandwidth", i)
        if "kbps" not in e:
            raise r.fail("bandwidth", i, None, "a [[bandwidth]] point needs kbps")
        at = r.number(e, "at_s", "bandwidth", i, default=0.0)
        kbps = r.number(e, "kbps", "bandwidth", i, positive=True)
        to = r.number(e, "to_kbps", "bandwidth", i, positive=True)
        assert at is not None and kbps is not None
        if points and at <= points[-1].at_s:
            raise r.fail("bandwidth", i, "at_s", "bandwidth points must be in time order")
        points.append(BandwidthPoint(at, kbps * 1000, None if to is None else to * 1000))
    return tuple(points)


def _outages(r: _Reader, data: dict[str, Any]) -> tuple[Outage, ...]:
    out: list[Outage] = []
    for i, e in enumerate(r.entries(data, "outage")):
        r.known(e, {"at_s", "for_s", "mode"}, "outage", i)
        for key in ("at_s", "for_s"):
            if key not in e:
                raise r.fail("outage", i, None, f"an [[outage]] needs {key}")
        at = r.number(e, "at_s", "outage", i)
        length = r.number(e, "for_s", "outage", i, positive=True)
        assert at is not None and length is not None
        mode = e.get("mode", "refuse")
        if mode not in _OUTAGE_KINDS:
            raise r.fail("outage", i, "mode", f"mode must be one of {', '.join(_OUTAGE_KINDS)}")
        if out and at < out[-1].at_s + out[-1].for_s:
            raise r.fail("outage", i, "at_s", "outages must be in time order, not overlapping")
        out.append(Outage(at, length, cast(OutageKind, mode)))
    return tuple(out)


def _errors(r: _Reader, data: dict[str, Any]) -> tuple[ErrorRule, ...]:
    rules: list[ErrorRule] = []
    for i, e in enumerate(r.entries(data, "error")):
        r.known(e, {"status", "nth", "match", "count"}, "error", i)
        status = e.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise r.fail("error", i, "status", f"status must be 400-599, not {status!r}")
        nth, match, count = e.get("nth"), e.get("match"), e.get("count")
        if (nth is None) == (match is None):
            raise r.fail("error", i, None, "an [[error]] needs either nth or match")
        if nth is not None and (isinstance(nth, bool) or not isinstance(nth, int) or nth < 1):
            raise r.fail("error", i, "nth", f"nth must be a whole number from 1, not {nth!r}")
        if match is not None:
            if not isinstance(match, str):
                raise r.fail("error", i, "match", f"match must be a string, not {match!r}")
            try:
                re.compile(match)
            except re.error as exc:
                msg = f"match is not a regular expression: {exc}"
                raise r.fail("error", i, "match", msg) from None
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise r.fail("error", i, "count", f"count must be a whole number from 1, not {count!r}")
        rules.append(ErrorRule(status, nth, match, count))
    return tuple(rules)


def parse_profile(text: str, source: str, *, json_text: bool | None = None) -> Profile:
    """Read a profile from ``text`` (TOML, or JSON when ``json_text`` or when
    it starts with ``{``). ``source`` names it in errors."""
    if json_text is None:
        json_text = text.lstrip().startswith("{")
    if json_text:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileError(source, exc.lineno, f"not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise ProfileError(source, 1, "a profile is a JSON object")
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib says "... (at line N, column M)"; keep the words, lift the line
            msg = str(exc)
            m = re.search(r"\(at line (\d+), column \d+\)$", msg)
            line = int(m.group(1)) if m else None
            msg = msg[: m.start()].strip() if m else msg
            raise ProfileError(source, line, f"not valid TOML: {msg}") from None
    r = _Reader(source, _Lines(text, json_text))
    r.known(data, _TOP_KEYS, None, 0)
    name = data.get("name", Path(source).stem)
    if not isinstance(name, str) or not name.strip():
        raise r.fail(None, 0, "name", "name must be a non-empty string")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise r.fail(None, 0, "description", "description must be a string")
    delay_ms = r.number(data, "delay_ms", None, 0, default=0.0)
    repeat = r.number(data, "repeat_s", None, 0, positive=True)
    loss = r.number(data, "packet_loss_pct", None, 0, default=0.0)
    assert delay_ms is not None and loss is not None
    if loss > 100:
        raise r.fail(None, 0, "packet_loss_pct", f"packet_loss_pct must be 0-100, not {loss:g}")
    profile = Profile(
        name=name.strip(),
        description=description,
        delay_s=delay_ms / 1000,
        repeat_s=repeat,
        packet_loss_pct=loss,
        bandwidth=_bandwidth(r, data),
        outages=_outages(r, data),
        errors=_errors(r, data),
    )
    if repeat is not None:
        for i, p in enumerate(profile.bandwidth):
            if p.at_s >= repeat:
                raise r.fail("bandwidth", i, "at_s", f"at_s must be before repeat_s ({repeat:g})")
        for i, o in enumerate(profile.outages):
            if o.at_s + o.for_s > repeat:
                raise r.fail("outage", i, "for_s", f"the outage must end by repeat_s ({repeat:g})")
    return profile


def load_profile(path: str | Path) -> Profile:
    """A profile file (``.json`` is JSON, anything else TOML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProfileError(str(p), None, "not a text file (UTF-8)") from None
    except OSError as exc:
        raise ProfileError(str(p), None, f"cannot read it: {exc.strerror or exc}") from None
    return parse_profile(text, str(p), json_text=p.suffix.lower() == ".json")


def builtin_profile(name: str) -> Profile:
    """One of ``BUILTIN_PROFILES``, read from the package's own files."""
    if name not in BUILTIN_PROFILES:
        known = ", ".join(BUILTIN_PROFILES)
        raise ProfileError(name, None, f"no such built-in profile (try {known})")
    res = resources.files("lab") / "profiles" / f"{name}.toml"
    return parse_profile(res.read_text(encoding="utf-8"), f"{name}.toml", json_text=False)


def resolve_profile(spec: str | None) -> Profile | None:
    """``--profile``: a built-in's name, a file's path, or None/"none" (no impairment)."""
    if spec is None or spec == "none":
        return None
    if spec in BUILTIN_PROFILES:
        return builtin_profile(spec)
    if not Path(spec).exists():
        known = ", ".join(BUILTIN_PROFILES)
        raise ProfileError(spec, None, f"no such file or built-in profile (built-in: {known})")
    return load_profile(spec)

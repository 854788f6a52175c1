"""Impairment profiles: the built-in ones say what their names promise, TOML
and JSON read the same, and every mistake is one message naming the file and
the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.profile import (
    BUILTIN_PROFILES,
    ProfileError,
    builtin_profile,
    load_profile,
    parse_profile,
    resolve_profile,
)

SAMPLE_TOML = """\
name = "sample"
description = "every kind of impairment"
delay_ms = 250
repeat_s = 40
packet_loss_pct = 2.5

[[bandwidth]]
at_s = 0
kbps = 2000

[[bandwidth]]
at_s = 10
kbps = 500
to_kbps = 1500

[[outage]]
at_s = 30
for_s = 5
mode = "error"

[[error]]
status = 404
nth = 3

[[error]]
status = 503
match = "\\\\.ts$"
count = 2
"""


def test_builtin_profiles_are_shipped_and_do_what_their_names_say() -> None:
    profiles = {name: builtin_profile(name) for name in BUILTIN_PROFILES}
    g3 = profiles["3g"]
    assert g3.bits_per_second(1) == 1_600_000 and g3.bits_per_second(35) == 750_000
    assert g3.bits_per_second(61) == 1_600_000  # it repeats
    assert g3.delay_s == pytest.approx(0.15) and g3.packet_loss_pct > 0
    drop = profiles["drop-10s"]
    down = [t for t in range(60) if drop.outage_at(t) is not None]
    assert down == list(range(20, 30)) and drop.outage_at(85) is not None  # 10 s, every minute
    saw = profiles["sawtooth"]
    rates = [saw.bits_per_second(t) or 0 for t in range(30)]
    assert rates == sorted(rates) and rates[0] == 400_000  # climbs all the way...
    assert saw.bits_per_second(29.9) == pytest.approx(6e6, rel=0.01)
    assert saw.bits_per_second(30.0) == 400_000  # ...then falls at once
    wifi = profiles["wifi-congested"]
    swing = {wifi.bits_per_second(t) or 0.0 for t in range(20)}
    assert len(swing) >= 4 and max(swing) / min(swing) > 4
    assert wifi.errors and all(e.status == 503 for e in wifi.errors)


def test_a_ramp_is_linear_to_the_next_point_and_no_bandwidth_is_unlimited() -> None:
    p = parse_profile(SAMPLE_TOML, "sample.toml")
    assert p.bits_per_second(5) == 2_000_000
    assert p.bits_per_second(10) == 500_000
    assert p.bits_per_second(25) == pytest.approx(1_000_000)  # halfway from 10 s to 40 s
    assert p.bytes_per_second(5) == 250_000
    assert parse_profile('name = "open"', "open.toml").bits_per_second(3) is None


def test_toml_and_json_describe_the_same_profile(tmp_path: Path) -> None:
    as_json = {
        "name": "sample",
        "description": "every kind of impairment",
        "delay_ms": 250,
        "repeat_s": 40,
        "packet_loss_pct": 2.5,
        "bandwidth": [{"at_s": 0, "kbps": 2000}, {"at_s": 10, "kbps": 500, "to_kbps": 1500}],
        "outage": [{"at_s": 30, "for_s": 5, "mode": "error"}],
        "error": [{"status": 404, "nth": 3}, {"status": 503, "match": "\\.ts$", "count": 2}],
    }
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(as_json, indent=2))
    toml_path = tmp_path / "sample.toml"
    toml_path.write_text(SAMPLE_TOML)
    assert load_profile(path) == load_profile(toml_path)
    assert load_profile(toml_path).outages[0].mode == "error"


def _error(text: str, name: str = "bad.toml") -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, name, json_text=name.endswith(".json"))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}:")  # one line, named
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('name = "x"\ndelay_ms = \n', 2, "not valid TOML"),
        ('name = "x"\n\n[[bandwidth]]\nat_s = 0\nkbps = -5\n', 5, "kbps must be more than 0"),
        ('name = "x"\nspeed = 3\n', 2, "unknown key 'speed'"),
        ('name = "x"\n[[bandwidth]]\nkbps = 100\n[[bandwidth]]\nat_s = 4\nrate = 1\n', 6, "rate"),
        ('name = "x"\n[[bandwidth]]\nat_s = 5\nkbps = 1\n[[bandwidth]]\nat_s = 2\nkbps = 1\n',
         6, "time order"),
        ('name = "x"\n[[outage]]\nat_s = 1\nfor_s = 2\nmode = "flaky"\n', 5, "mode must be"),
        ('name = "x"\n[[outage]]\nat_s = 1\nfor_s = 5\n[[outage]]\nat_s = 3\nfor_s = 1\n',
         6, "overlapping"),
        ('name = "x"\n[[error]]\nstatus = 404\n', 2, "either nth or match"),
        ('name = "x"\n[[error]]\nstatus = 200\nnth = 1\n', 3, "status must be 400-599"),
        ('name = "x"\n[[error]]\nstatus = 500\nmatch = "(["\n', 4, "not a regular expression"),
        ('name = "x"\nrepeat_s = 10\n[[outage]]\nat_s = 8\nfor_s = 5\n', 5, "end by repeat_s"),
        ('name = "x"\npacket_loss_pct = 120\n', 2, "0-100"),
        ('delay_ms = "slow"\n', 1, "delay_ms must be a number"),
    ],
)  # fmt: skip
def test_a_toml_mistake_is_one_message_naming_its_line(text: str, line: int, words: str) -> None:
    err = _error(text)
    assert err.line == line, str(err)
    assert words in err.message


def test_a_json_mistake_names_its_line_too() -> None:
    syntax = _error('{\n  "name": "x",\n  "delay_ms": 10,,\n}\n', "bad.json")
    assert syntax.line == 3 and "not valid JSON" in syntax.message
    semantic = _error(
        '{\n  "name": "x",\n  "bandwidth": [\n    {"at_s": 0, "kbps": 100},\n'
        '    {"at_s": 4,\n     "kbps": 0}\n  ]\n}\n',
        "bad.json",
    )
    assert semantic.line == 6 and "kbps must be more than 0" in semantic.message
    # brackets inside a value (a regular expression) do not throw the count off
    bracketed = _error(
        '{\n  "error": [\n    {"status": 503, "match": "s[{]\\\\.ts$"},\n'
        '    {"status": 503,\n     "nth": 0}\n  ]\n}\n',
        "bad.json",
    )
    assert bracketed.line == 5 and "nth must be a whole number" in bracketed.message
    assert _error("[1, 2]", "list.json").message == "a profile is a JSON object"


def test_unreadable_or_unknown_profiles_are_one_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such file or built-in profile"):
        resolve_profile(str(tmp_path / "missing.toml"))
    binary = tmp_path / "x.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ProfileError, match="not a text file"):
        load_profile(binary)
    with pytest.raises(ProfileError, match="no such built-in profile"):
        builtin_profile("5g")
    assert resolve_profile(None) is None and resolve_profile("none") is None
    assert resolve_profile("3g") == builtin_profile("3g")

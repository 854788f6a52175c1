"""The window's parts hold a little logic of their own that needs no window:
what an opening inherits from the settings, the title a URL gets, the file a
URL names, the rung a command line pinned, track names, and that every key
of the table has a command."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from player.config import OpenOptions
from player.events import MediaInfo, TrackInfo, VariantInfo
from ui.shortcuts import SHORTCUTS
from ui.window_keys import key_handlers
from ui.window_opening import _merge, _title_for, local_path
from ui.window_panels import _pinned
from ui.window_tracks import _language_code, _track_name

LADDER = (
    VariantInfo(0, 800_000, 640, 360),
    VariantInfo(1, 2_500_000, 1280, 720),
    VariantInfo(2, 5_000_000, 1920, 1080),
)


def _info(variants: tuple[VariantInfo, ...] = LADDER) -> MediaInfo:
    return MediaInfo("https://o.test/a.m3u8", "hls", "hls", 60.0, False, True, None, None,
                     variants=variants)  # fmt: skip


def test_an_opening_takes_the_unset_network_choices_from_the_settings() -> None:
    defaults = OpenOptions(rtsp_transport="tcp", low_latency=True, hwdec="auto")
    assert _merge(defaults, None) is defaults
    merged = _merge(defaults, OpenOptions(start_paused=True))
    assert (merged.rtsp_transport, merged.low_latency, merged.hwdec) == ("tcp", True, "auto")
    assert merged.start_paused
    own = _merge(defaults, OpenOptions(rtsp_transport="udp", low_latency=False, hwdec="no"))
    assert (own.rtsp_transport, own.low_latency, own.hwdec) == ("udp", False, "no")
    # the ABR policy: the settings' unless the URL's own options name one
    chosen = replace(defaults, abr_policy="mpc")
    assert _merge(chosen, OpenOptions(start_paused=True)).abr_policy == "mpc"
    assert _merge(chosen, OpenOptions(abr_policy="hybrid")).abr_policy == "hybrid"
    assert _merge(defaults, OpenOptions()).abr_policy is None  # the config's then


def test_a_title_is_the_file_name_else_the_host_never_a_password() -> None:
    assert _title_for("https://o.test/live/My%20Show.m3u8?token=1") == "My Show.m3u8"
    assert _title_for("rtsp://user:secret@cam.test:554/") == "cam.test"
    assert _title_for("/home/me/clip.mkv") == "clip.mkv"


def test_a_url_names_a_local_file_or_none() -> None:
    assert local_path("file:///tmp/a%20b.mkv") == "/tmp/a b.mkv"
    assert local_path("/tmp/a.mkv") == "/tmp/a.mkv"
    assert local_path("https://o.test/a.m3u8") is None


def test_the_rung_a_command_line_pinned_shows_as_locked() -> None:
    assert _pinned(None, _info()) is None
    assert _pinned(OpenOptions(), _info()) is None
    assert _pinned(OpenOptions(variant=1), _info()) == 1
    assert _pinned(OpenOptions(max_height=800), _info()) == 1  # the tallest under 800 lines
    assert _pinned(OpenOptions(variant=1), _info(())) is None  # no ladder, nothing to lock


def test_track_names_carry_a_language_they_do_not_already_say() -> None:
    assert _track_name(TrackInfo(0, "audio", "Director", "fr")) == "Director (fr)"
    assert _track_name(TrackInfo(1, "subtitles", "English (en)", "en")) == "English (en)"
    assert _track_name(TrackInfo(2, "audio", "Main")) == "Main"
    assert _track_name(TrackInfo(3, "audio", "Commentary", "en")) == "Commentary (en)"
    assert _track_name(TrackInfo(4, "audio", "EN stereo", "en")) == "EN stereo"
    assert _track_name(TrackInfo(5, "audio", "English", "en")) == "English"
    assert _language_code("ko-KR") == "ko"
    assert _language_code("kor") == "ko"
    assert _language_code(None) is None


class _Recorder:
    """Any attribute is a command that records its name when run."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ("levels", "tracks", "modes", "panels", "opener", "menus"):
            return _Part(self, name)
        return lambda *args, **kwargs: self.ran.append(name)


class _Part:
    def __init__(self, owner: _Recorder, name: str) -> None:
        self._owner, self._name = owner, name

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self._owner.ran.append(f"{self._name}.{name}")


def test_every_key_of_the_table_has_a_command_and_no_command_is_left_over() -> None:
    window = _Recorder()
    handlers = key_handlers(cast(Any, window))
    assert set(handlers) == {s.action for s in SHORTCUTS}
    for handler in handlers.values():
        handler()
    assert len(window.ran) == len(SHORTCUTS)  # each ran one command
    assert "levels.toggle_mute" in window.ran and "panels.toggle_stats" in window.ran

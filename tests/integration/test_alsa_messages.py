"""libasound's messages go to our log, never to stderr, and the underruns
they signal are the report's ``audio_underruns``. Each case runs in its own
process, whose file descriptor 2 the test reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

#: our log of libasound's messages, to stdout, one per line
LOG_TO_STDOUT = """
import logging, sys
alsa = logging.getLogger("player.alsa_log")
alsa.setLevel(logging.DEBUG)
alsa.addHandler(logging.StreamHandler(sys.stdout))
"""
#: ``Count.seen``: the underruns libasound reported to our log
COUNT_UNDERRUNS = """
class Count(logging.Handler):
    seen = 0
    def emit(self, record):
        Count.seen += record.getMessage().endswith("underrun occurred")

alsa.addHandler(Count())
"""


def _run(
    script: str, timeout: float = 60, count: bool = False
) -> tuple[list[str], dict[str, Any], str]:
    """(our ALSA log lines, the JSON result on the last line, stderr);
    ``count``: the script reads ``Count.seen``."""
    prelude = LOG_TO_STDOUT + (COUNT_UNDERRUNS if count else "")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(prelude) + textwrap.dedent(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return (
        [line for line in lines[:-1] if line.startswith("ALSA lib")],
        json.loads(lines[-1]),
        done.stderr,
    )


def test_libasound_messages_are_logged_and_underruns_counted_per_thread() -> None:
    logged, result, stderr = _run(
        """
        import ctypes, json, threading
        from player import alsa_log
        assert alsa_log.install()
        lib = ctypes.CDLL("libasound.so.2")
        pcm = ctypes.c_void_p()
        missing = lib.snd_pcm_open(ctypes.byref(pcm), b"heureum_no_such_pcm", 0, 0)
        assert lib.snd_pcm_open(ctypes.byref(pcm), b"null", 0, 0) == 0
        here, elsewhere = [], []
        alsa_log.watch(lambda: here.append(1))

        def recover(times):
            for _ in range(times):
                lib.snd_pcm_recover(pcm, -32, 0)  # -EPIPE: an underrun

        recover(3)
        other = threading.Thread(target=recover, args=(2,))  # nobody watches that thread
        other.start(); other.join()
        print(json.dumps({"missing": missing, "here": len(here)}))
        """
    )
    assert stderr == ""
    assert result["missing"] < 0 and result["here"] == 3
    # printf-style arguments are filled in, as ALSA's own handler would.
    assert any(line.endswith("Unknown PCM heureum_no_such_pcm") for line in logged), logged
    underruns = [line for line in logged if line.endswith("underrun occurred")]
    assert len(underruns) == 5 and all("(snd_pcm_recover)" in line for line in underruns)


def test_a_starved_portaudio_stream_counts_underruns_in_the_report(
    audio_device: str, av_file: Path
) -> None:
    logged, result, stderr = _run(
        f"""
        import json, logging, sys, time
        from player import PlayerState
        from tests.support.player_probe import Probe

        probe = Probe()
        probe.player.open({str(av_file)!r})
        probe.wait_state(PlayerState.PLAYING, 20)
        # playing starts from the first picture, and a new PulseAudio stream
        # may take no samples for 2 s more: starved before it runs, nothing
        # runs dry (polled from outside: no event says the device runs)
        session = probe.player._session
        deadline = time.monotonic() + 20
        while not session.playing_sound():
            assert time.monotonic() < deadline, "the device never ran"
            time.sleep(0.01)
        # ALSA's count, then the report's, around the starving (the stream may
        # have underrun at its start, before this session took it).
        def underruns(report):
            return report["audio_underruns"], report["audio_underruns_idle"]
        alsa_before, (heard_before, idle_before) = Count.seen, underruns(probe.report())
        # Starve the PortAudio callback as a busy machine does: hold the GIL
        # for stretches longer than the device buffer.
        sys.setswitchinterval(0.5)
        end = time.monotonic() + 2.5
        while time.monotonic() < end:
            pass
        sys.setswitchinterval(0.005)
        probe.wait_state(PlayerState.ENDED, 20)
        alsa_after, report = Count.seen, probe.report()
        probe.close()
        marks = sum(e["type"] == "audio_underrun" for e in report["timeline"])
        heard, idle = underruns(report)
        print(json.dumps({{
            "alsa": alsa_after - alsa_before,
            "heard": heard - heard_before,
            "idle": idle - idle_before,
            "timeline": marks,
        }}))
        """,
        count=True,
    )
    assert stderr == ""
    assert any(line.endswith("underrun occurred") for line in logged)
    assert result["alsa"] >= 1
    # Every underrun ALSA signalled on the stream's thread is in the report, and
    # only those; the starving came while media played: heard, and marked.
    assert result["heard"] + result["idle"] == result["alsa"]
    assert result["heard"] >= 1
    assert result["timeline"] >= 1


def test_every_compared_stream_on_the_shared_device_counts_its_underruns(
    audio_device: str, av_file: Path
) -> None:
    """Two streams of a comparison share one PortAudio stream, whose callback
    thread serves both voices: a starved callback runs the device dry for
    both, so each report counts every underrun ALSA signalled, and ALSA's
    messages go to our log, not to stderr, as with a stream of its own."""
    logged, result, stderr = _run(
        f"""
        import json, logging, sys, threading, time
        from player.compare import CompareSession
        from player.events import PlayerState, StateChanged

        cond = threading.Condition()
        states = {{}}
        def on_event(index, event):
            if isinstance(event, StateChanged):
                with cond:
                    states[index] = event.state
                    cond.notify_all()
        def wait_all(state, timeout):
            with cond:
                assert cond.wait_for(
                    lambda: [states.get(i) for i in (0, 1)] == [state, state], timeout
                ), states

        session = CompareSession([{str(av_file)!r}] * 2, heard=0, on_event=on_event)
        session.start()
        wait_all(PlayerState.PLAYING, 20)
        players = [s.player for s in session.streams]
        # the shared device runs (as for one stream above)
        deadline = time.monotonic() + 20
        while not all(p._session.playing_sound() for p in players):
            assert time.monotonic() < deadline, "the device never ran"
            time.sleep(0.01)
        def underruns():
            return [(r["audio_underruns"], r["audio_underruns_idle"])
                    for r in (p.report() for p in players)]
        alsa_before, before = Count.seen, underruns()
        # Starve the callback as a busy machine does (as for one stream above).
        sys.setswitchinterval(0.5)
        end = time.monotonic() + 2.5
        while time.monotonic() < end:
            pass
        sys.setswitchinterval(0.005)
        wait_all(PlayerState.ENDED, 20)
        alsa_after, after = Count.seen, underruns()
        session.close()
        print(json.dumps({{
            "alsa": alsa_after - alsa_before,
            "heard": [a[0] - b[0] for a, b in zip(after, before)],
            "idle": [a[1] - b[1] for a, b in zip(after, before)],
        }}))
        """,
        count=True,
    )
    assert not [line for line in stderr.splitlines() if "ALSA lib" in line], stderr
    assert any(line.endswith("underrun occurred") for line in logged)
    assert result["alsa"] >= 1
    for heard, idle in zip(result["heard"], result["idle"], strict=True):
        # each stream counts every underrun of the shared device: the heard
        # one and the muted one alike, both playing through the starving
        assert heard + idle == result["alsa"], result
        assert heard >= 1, result

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


def _run(script: str, timeout: float = 60) -> tuple[list[str], dict[str, int], str]:
    """(our ALSA log lines, the JSON result on the last line, stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LOG_TO_STDOUT) + textwrap.dedent(script)],
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

        class Count(logging.Handler):
            seen = 0
            def emit(self, record):
                Count.seen += record.getMessage().endswith("underrun occurred")

        logging.getLogger("player.alsa_log").addHandler(Count())
        probe = Probe()
        probe.player.open({str(av_file)!r})
        probe.wait_state(PlayerState.PLAYING, 20)
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
        """
    )
    assert stderr == ""
    assert any(line.endswith("underrun occurred") for line in logged)
    assert result["alsa"] >= 1
    # Every underrun ALSA signalled on the stream's thread is in the report, and
    # only those; the starving came while media played: heard, and marked.
    assert result["heard"] + result["idle"] == result["alsa"]
    assert result["heard"] >= 1
    assert result["timeline"] >= 1

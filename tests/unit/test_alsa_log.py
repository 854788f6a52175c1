"""``alsa_log.expand``: ALSA's printf formats filled from raw argument words
as the C ABI passes them; and who is told of an underrun: every listener of
the thread it came on (the handler itself is exercised against a real
libasound in ``tests/integration/test_alsa_messages.py``)."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator

import pytest

from player import alsa_log
from player.alsa_log import _handle, expand


def test_integers_read_as_their_length_says() -> None:
    # a 32-bit int is the low half of its word, signed for %d
    assert expand("%d frames", (0xFFFF_FFFF,)) == "-1 frames"
    assert expand("%u", (0xFFFF_FFFF,)) == "4294967295"
    assert expand("%d", (0x1_0000_0005,)) == "5"
    # a long is the whole word
    assert expand("%ld", (0xFFFF_FFFF_FFFF_FFFF,)) == "-1"
    assert expand("%lu", (1 << 40,)) == str(1 << 40)


def test_width_flags_hex_and_characters() -> None:
    assert expand("[%5d|%-4d|%04x|%X]", (42, 7, 255, 0xAB)) == "[   42|7   |00ff|AB]"
    assert expand("%c%c", (ord("o"), 0x100 + ord("k"))) == "ok"
    assert expand("%p", (0x1000,)) == "0x1000"


def test_strings_are_read_from_their_pointer() -> None:
    text = ctypes.create_string_buffer(b"hw:0,0")
    assert expand("device %s busy", (ctypes.addressof(text),)) == "device hw:0,0 busy"
    assert expand("%s", (0,)) == "(null)"
    assert expand("%-8s|", (ctypes.addressof(text),)) == "hw:0,0  |"


def test_what_cannot_be_read_stays_as_written() -> None:
    # floats travel in other registers: never read, and no word is used up
    assert expand("%f then %d", (3,)) == "%f then 3"
    # more conversions than words
    assert expand("%d and %d", (1,)) == "1 and %d"
    # a width taken from the arguments: nothing after it can be placed
    assert expand("%*d %d", (4, 5, 6)) == "%*d %d"
    assert expand("100%% %s", ()) == "100% %s"


def test_an_underrun_message_reads_whole() -> None:
    fn = ctypes.create_string_buffer(b"snd_pcm_recover")
    message = expand("%s: underrun occurred", (ctypes.addressof(fn),))
    assert message == "snd_pcm_recover: underrun occurred"


@pytest.fixture
def listeners() -> Iterator[None]:
    """The process's listeners as they were, whatever a test watched."""
    saved = {ident: list(fns) for ident, fns in alsa_log._listeners.items()}
    alsa_log._listeners.clear()
    yield
    alsa_log._listeners.clear()
    alsa_log._listeners.update(saved)


def _underrun_on_this_thread() -> None:
    """ALSA's message as libasound hands it to the handler (no libasound)."""
    _handle(b"pcm.c", 8570, b"snd_pcm_recover", 0, b"underrun occurred", 0, 0, 0, 0)


@pytest.mark.usefixtures("listeners")
def test_every_listener_of_the_thread_is_told_and_no_other_thread_s() -> None:
    first: list[int] = []
    second: list[int] = []
    elsewhere: list[int] = []
    other = threading.Thread(target=alsa_log.watch, args=(lambda: elsewhere.append(1),))
    other.start()
    other.join()
    alsa_log.watch(lambda: first.append(1))
    alsa_log.watch(lambda: second.append(1))  # a second voice of the same device
    _underrun_on_this_thread()
    _underrun_on_this_thread()
    _handle(b"pcm.c", 1, b"snd_pcm_open", 0, b"Unknown PCM %s", 0, 0, 0, 0)
    assert (first, second, elsewhere) == ([1, 1], [1, 1], [])


@pytest.mark.usefixtures("listeners")
def test_unwatch_stops_only_that_listener_from_any_thread() -> None:
    class Output:
        def __init__(self) -> None:
            self.count = 0

        def underrun(self) -> None:
            self.count += 1

    a, b = Output(), Output()
    alsa_log.watch(a.underrun)
    alsa_log.watch(b.underrun)
    # a new bound method of the same object is the same listener
    closer = threading.Thread(target=alsa_log.unwatch, args=(a.underrun,))
    closer.start()
    closer.join()
    _underrun_on_this_thread()
    assert (a.count, b.count) == (0, 1)
    alsa_log.unwatch(b.underrun)
    _underrun_on_this_thread()
    assert (a.count, b.count) == (0, 1)
    assert not alsa_log._listeners


@pytest.mark.usefixtures("listeners")
def test_a_listener_is_told_once_and_follows_its_stream_to_a_new_thread() -> None:
    seen: list[str] = []

    def listener() -> None:
        seen.append(threading.current_thread().name)

    alsa_log.watch(listener)
    alsa_log.watch(listener)  # every callback on a changed thread watches again
    _underrun_on_this_thread()
    assert seen == [threading.current_thread().name]

    def moved() -> None:
        alsa_log.watch(listener)
        _underrun_on_this_thread()

    mover = threading.Thread(target=moved, name="new-callback-thread")
    mover.start()
    mover.join()
    _underrun_on_this_thread()  # the old thread no longer tells it
    assert seen == [threading.current_thread().name, "new-callback-thread"]


@pytest.mark.usefixtures("listeners")
def test_a_failing_listener_costs_the_others_nothing() -> None:
    told: list[int] = []

    def broken() -> None:
        raise RuntimeError("a session already torn down")

    alsa_log.watch(broken)
    alsa_log.watch(lambda: told.append(1))
    _underrun_on_this_thread()
    assert told == [1]

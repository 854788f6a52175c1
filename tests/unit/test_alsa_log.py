"""``alsa_log.expand``: ALSA's printf formats filled from raw argument words
as the C ABI passes them (the handler itself is exercised against a real
libasound in ``tests/integration/test_alsa_messages.py``)."""

from __future__ import annotations

import ctypes

from player.alsa_log import expand


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

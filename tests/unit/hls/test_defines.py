"""``hls.defines``: EXT-X-DEFINE substitution, pure text in and out."""

from __future__ import annotations

import pytest

from player.errors import PlaylistError
from player.hls.defines import MAX_VARIABLES, parse_attributes, substitute_variables

URL = "http://origin.test/live/media.m3u8?token=abc&empty="


def test_attributes_lose_their_quotes_and_keep_commas_inside_them() -> None:
    assert parse_attributes('NAME="a,b",VALUE=3,X=""') == {"NAME": "a,b", "VALUE": "3", "X": ""}


def test_names_imports_and_query_parameters_are_substituted_line_for_line() -> None:
    text = (
        "#EXTM3U\n"
        '#EXT-X-DEFINE:NAME="host",VALUE="cdn.test"\n'
        '#EXT-X-DEFINE:IMPORT="path"\n'
        '#EXT-X-DEFINE:QUERYPARAM="token"\n'
        "#EXTINF:2,\n"
        "http://{$host}/{$path}/s1.ts?t={$token}\n"
    )
    out, defined = substitute_variables(text, URL, {"path": "v1"})
    lines = out.split("\n")
    assert len(lines) == len(text.split("\n"))  # line numbers stay valid
    assert lines[5] == "http://cdn.test/v1/s1.ts?t=abc"
    assert defined == {"host": "cdn.test", "path": "v1", "token": "abc"}


def test_text_without_the_tag_or_a_reference_is_returned_as_is() -> None:
    text = "#EXTM3U\n#EXTINF:2,\ns1.ts\n"
    assert substitute_variables(text, URL) == (text, {})


@pytest.mark.parametrize(
    ("lines", "message", "line"),
    [
        (['#EXT-X-DEFINE:NAME="a"'], "NAME but no VALUE", 2),
        (['#EXT-X-DEFINE:IMPORT="nope"'], "IMPORT of unknown variable 'nope'", 2),
        (['#EXT-X-DEFINE:QUERYPARAM="missing"'], "QUERYPARAM 'missing' is not in", 2),
        (['#EXT-X-DEFINE:VALUE="x"'], "needs NAME, IMPORT or QUERYPARAM", 2),
        (['#EXT-X-DEFINE:NAME="a b",VALUE="x"'], "bad variable name", 2),
        (['#EXT-X-DEFINE:NAME="a",VALUE="1"', '#EXT-X-DEFINE:NAME="a",VALUE="2"'], "twice", 3),
        (["s{$undefined}.ts"], "undefined variable 'undefined'", 2),
        ([f'#EXT-X-DEFINE:NAME="a",VALUE="{"x" * 5000}"'], "value too long", 2),
    ],
)
def test_every_problem_is_a_playlist_error_with_its_line(
    lines: list[str], message: str, line: int
) -> None:
    with pytest.raises(PlaylistError, match=message) as err:
        substitute_variables("\n".join(["#EXTM3U", *lines]), URL)
    assert err.value.line == line


def test_the_number_of_variables_and_the_expanded_size_are_capped() -> None:
    many = [f'#EXT-X-DEFINE:NAME="v{i}",VALUE="x"' for i in range(MAX_VARIABLES + 1)]
    with pytest.raises(PlaylistError, match=f"more than {MAX_VARIABLES} variables"):
        substitute_variables("\n".join(["#EXTM3U", *many]), URL)
    # a small playlist that expands past the cap (a "billion laughs")
    big = '#EXT-X-DEFINE:NAME="b",VALUE="' + "x" * 4000 + '"'
    refs = ["{$b}" * 15] * 200
    with pytest.raises(PlaylistError, match="too large after variable substitution"):
        substitute_variables("\n".join(["#EXTM3U", big, *refs]), URL)
    with pytest.raises(PlaylistError, match="line too long"):
        substitute_variables("\n".join(["#EXTM3U", big, "{$b}" * 17]), URL)

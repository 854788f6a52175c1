"""ui.rich_text.escape gives what html.escape gives (it replaced it to keep
``html`` out of the window's start)."""

from __future__ import annotations

import html

import pytest

from ui.rich_text import escape


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a < b && c > d", "\"quoted\" and 'single'", "&amp; already", "1 080p — 5 Mb/s"],
)
def test_it_escapes_as_html_does(text: str) -> None:
    assert escape(text) == html.escape(text)

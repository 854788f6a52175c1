"""A loopback HTTP server that answers every request with a redirect to a
fixed location (to prove redirects cannot leave the URL's protocol family)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

from .loopback import LoopbackServer


class RedirectServer(LoopbackServer):
    def __init__(self, location: str) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        super().__init__(Handler)

    def url(self, path: str = "/video.mp4") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

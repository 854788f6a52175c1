"""``LlRenditionServer``: ``LowLatencyServer`` (the real-time LL-HLS origin)
with what its base does not publish:

- alternate audio renditions (EXT-X-MEDIA TYPE=AUDIO, ``/a<j>/live.m3u8``)
  in LL-HLS parts of their own, lined up with the video parts (same media
  sequence numbers, same part times);
- parts as byte ranges of the segment being written (``s<m>.ts`` grows part
  by part), with an open-ended preload hint
  (``EXT-X-PRELOAD-HINT:TYPE=PART,URI="s<m>.ts",BYTERANGE-START=N``): a request
  for ``Range: bytes=N-`` is answered at once, 206 with a chunked body to
  which every part is written when it is produced, to the segment's end.
  ``ignore_range`` answers such requests 200 with the whole segment instead,
  as a server that does not do ranges may.

Every media request is logged with its Range header in ``range_requests``.
"""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from lab.origin import LowLatencyServer

__all__ = ["LlRenditionServer"]


class LlRenditionServer(LowLatencyServer):
    def __init__(
        self,
        variants: list[list[bytes]],
        *,
        audio: list[list[bytes]] | None = None,
        audio_names: list[str] | None = None,
        byterange_parts: bool = False,
        ignore_range: bool = False,
        **kwargs: object,
    ) -> None:
        tracks = variants + (audio or [])
        n = min(len(t) for t in tracks)
        super().__init__([v[:n] for v in variants], **kwargs)  # type: ignore[arg-type]
        self.audio = [a[:n] for a in audio or []]
        self.audio_names = audio_names or [f"Audio {j}" for j in range(len(self.audio))]
        self.byterange_parts = byterange_parts
        self.ignore_range = ignore_range
        #: (path, Range header or None) of every media request
        self.range_requests: list[tuple[str, str | None]] = []

    # -------------------------------------------------------------- tracks

    def _track(self, kind: str, index: int) -> list[bytes] | None:
        pool = self.variants if kind == "v" else self.audio
        return pool[index] if 0 <= index < len(pool) else None

    def _offset(self, parts: list[bytes], n: int) -> int:
        """Byte offset of part ``n`` in its segment."""
        first = n - n % self.k
        return sum(len(p) for p in parts[first:n])

    # -------------------------------------------------------------- playlists

    def master(self) -> str:
        if not self.audio:
            return super().master()
        lines = ["#EXTM3U", "#EXT-X-VERSION:9", "#EXT-X-INDEPENDENT-SEGMENTS"]
        for j, name in enumerate(self.audio_names):
            default = "YES" if j == 0 else "NO"
            lines.append(
                f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="{name}",DEFAULT={default},'
                f'AUTOSELECT=YES,CHANNELS="1",URI="a{j}/live.m3u8"'
            )
        for i, bw in enumerate(self.bandwidths):
            lines += [f'#EXT-X-STREAM-INF:BANDWIDTH={bw},AUDIO="aud"', f"v{i}/live.m3u8"]
        return "\n".join(lines) + "\n"

    def track_media(self, kind: str, index: int, produced: int, skip: bool = False) -> str:
        if kind == "v" and not self.byterange_parts:
            return self.media(index, produced, skip)
        parts = self._track(kind, index)
        assert parts is not None
        k = self.k
        seg_dur = k * self.part_duration
        complete = produced // k
        first = max(0, complete - self.window)
        lines, skipped = self._ll_head(first, complete, skip)
        for m in range(first + skipped, complete):
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{self._date(m * seg_dur)}")
            if m >= complete - self.parts_listed:
                lines += [self._line(parts, n) for n in range(m * k, (m + 1) * k)]
            lines += [f"#EXTINF:{seg_dur:.5f},", f"s{m}.ts"]
        if produced >= self.total and self.stall_after is None:
            lines.append("#EXT-X-ENDLIST")
            return "\n".join(lines) + "\n"
        lines += [self._line(parts, n) for n in range(complete * k, produced)]
        if self.hints and self.byterange_parts:
            start = self._offset(parts, produced)
            lines.append(
                f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s{complete}.ts",BYTERANGE-START={start}'
            )
        elif self.hints:
            lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p{produced}.ts"')
        return "\n".join(lines) + "\n"

    def _line(self, parts: list[bytes], n: int) -> str:
        ind = ",INDEPENDENT=YES" if n % self.independent_every == 0 else ""
        if not self.byterange_parts:
            return f'#EXT-X-PART:DURATION={self.part_duration:g},URI="p{n}.ts"{ind}'
        m = n // self.k
        br = f"{len(parts[n])}@{self._offset(parts, n)}"
        return f'#EXT-X-PART:DURATION={self.part_duration:g},URI="s{m}.ts",BYTERANGE={br}{ind}'

    # -------------------------------------------------------------- serving

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts_url = urlsplit(h.path)
        path = parts_url.path.strip("/")
        m = re.fullmatch(r"([va])(\d+)/(live\.m3u8|p(\d+)\.ts|s(\d+)\.ts)", path)
        if m is None or (m.group(1) == "v" and not self.byterange_parts and not self.audio):
            super()._handle(h)
            return
        kind, index = m.group(1), int(m.group(2))
        parts = self._track(kind, index)
        if parts is None:
            with self._lock:
                self.requests.append(h.path)
            self._status(h, 404)
            return
        with self._lock:
            self.requests.append(h.path)
            if m.group(3) != "live.m3u8":
                self.range_requests.append((h.path, h.headers.get("Range")))
        hold = 3 * self.k * self.part_duration
        if m.group(3) == "live.m3u8":
            query = dict(parse_qsl(parts_url.query))
            if not self._hold_for_reload(h, query, hold):
                return
            text = self.track_media(kind, index, self.produced(), query.get("_HLS_skip") == "YES")
            self._send(h, text.encode(), "application/vnd.apple.mpegurl")
            return
        if m.group(4) is not None:
            n = int(m.group(4))
            if n >= self.total or n > self.produced() or not self._wait_for_part(n, hold):
                self._status(h, 404)
                return
            self._send(h, parts[n], "video/mp2t")
            return
        self._segment(h, parts, int(m.group(5)), hold)

    def _segment(
        self, h: BaseHTTPRequestHandler, parts: list[bytes], seg: int, hold: float
    ) -> None:
        k = self.k
        if not self.byterange_parts:
            if (seg + 1) * k > self.produced():
                self._status(h, 404)
                return
            self._send(h, b"".join(parts[seg * k : (seg + 1) * k]), "video/mp2t")
            return
        if seg * k >= self.total or seg * k > self.produced():
            self._status(h, 404)  # not begun (a hint names only the segment being written)
            return
        size = sum(len(p) for p in parts[seg * k : (seg + 1) * k])
        rng = h.headers.get("Range")
        spec = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip()) if rng else None
        if rng and spec is None:
            self._status(h, 416)
            return
        a = int(spec.group(1)) if spec and not self.ignore_range else 0
        b = int(spec.group(2)) if spec and spec.group(2) and not self.ignore_range else None
        if a >= size:
            self._status(h, 416)
            return
        if b is not None:
            # a listed part: produced already, or held until it is
            last = seg * k + self._part_of(parts, seg, min(b, size - 1))
            if not self._wait_for_part(last, hold):
                self._status(h, 404)
                return
            body = b"".join(parts[seg * k : (seg + 1) * k])[a : b + 1]
            h.send_response(206)
            h.send_header("Content-Type", "video/mp2t")
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Content-Range", f"bytes {a}-{a + len(body) - 1}/{size}")
            h.end_headers()
            h.wfile.write(body)
            return
        # the rest of the segment, each part written as it is produced
        h.send_response(206 if a or (spec and not self.ignore_range) else 200)
        h.send_header("Content-Type", "video/mp2t")
        h.send_header("Transfer-Encoding", "chunked")
        h.send_header("Cache-Control", "no-cache")
        if spec and not self.ignore_range:
            h.send_header("Content-Range", f"bytes {a}-{size - 1}/{size}")
        h.end_headers()
        h.wfile.flush()
        offset = 0
        for n in range(seg * k, (seg + 1) * k):
            data = parts[n]
            lo = max(0, a - offset)
            offset += len(data)
            if lo >= len(data):
                continue
            if not self._wait_for_part(n, hold):
                h.close_connection = True
                return  # production stopped: the body ends unfinished
            piece = data[lo:]
            h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            h.wfile.flush()
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()

    def _part_of(self, parts: list[bytes], seg: int, byte: int) -> int:
        """Index in segment ``seg`` of the part holding byte ``byte``."""
        acc = 0
        for i in range(self.k):
            acc += len(parts[seg * self.k + i])
            if byte < acc:
                return i
        return self.k - 1

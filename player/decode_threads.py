"""How many threads a software video decoder gets, and of which kind: one
rule for every source (files and progressive HTTP through libavformat, HLS
through its own demuxer), so ``--threads`` and low-latency mode mean the
same whatever the protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import DecodeConfig

__all__ = ["DecodeThreads"]


@dataclass(frozen=True)
class DecodeThreads:
    #: 0: FFmpeg decides (one per core, plus one)
    count: int = 0
    #: frame threading adds (threads - 1) frames of delay: not for low latency
    frame: bool = True

    @classmethod
    def of(cls, decode: DecodeConfig, *, low_latency: bool) -> DecodeThreads:
        return cls(decode.threads, decode.frame_threading and not low_latency)

    def apply(self, ctx: Any) -> Any:
        """Set on a video decoder before it is opened (PyAV opens it at the
        first packet); returns ``ctx``."""
        ctx.thread_count = self.count
        ctx.thread_type = "AUTO" if self.frame else "SLICE"
        return ctx

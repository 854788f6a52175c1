"""The demux thread's work: open the source (and the HLS engine for a URL
that turned out to be HLS), choose its tracks, then read packets into the
video and audio queues, carrying out seeks and reconnecting a live stream.
The end of the input (and the error it ended on) is posted to the control
loop, which owns the session's fields; packets go straight to the queues."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from .capabilities import Adaptive, Tracks
from .commands import InputEnded
from .edge_jump import wants_edge_jump
from .errors import ErrorCode, PlayerError, UnsupportedError, error_for
from .events import MediaInfo, MediaOpened, Reconnected, Reconnecting
from .queues import EOS, QueueItem
from .redact import redact
from .session_clocks import SessionClocks
from .source_api import DemuxPacket, Source
from .sources import Target, make_source
from .warning_reasons import Reason, ReasonCode, words_of
from .warning_text import WarningCode

__all__ = ["DemuxThread"]

log = logging.getLogger(__name__)


class DemuxThread:
    """The demux thread's steps, on the session ``s`` (``Session`` runs them)."""

    def __init__(self, s: SessionClocks) -> None:
        self.s = s
        #: the session's start still to finish (the audio output, the control
        #: loop) while the first picture comes: called between packets, with
        #: True when the audio kept for the output has no more room
        self.pending_start: Callable[[bool], None] | None = None

    def make_source(self, target: Target) -> Source:
        s = self.s
        # the first source only: a reconnect's playlist is asked for afresh
        head_start, s.head_start = s.head_start, None
        source = make_source(target, s.config, s.clock, s.notify, head_start)
        if s.max_resolution != (None, None) and isinstance(source, Adaptive):
            source.set_max_resolution(*s.max_resolution)
        if s.pin_height is not None and isinstance(source, Adaptive):
            source.pin_height(s.pin_height)
        if isinstance(source, Adaptive):
            if s.options.max_height is not None:
                source.pin_height(s.options.max_height)
            if s.options.variant is not None:
                source.pin_variant(s.options.variant)
            if isinstance(source, Tracks):
                # HLS takes --aid/--sid before it opens, so its first segments
                # are of those renditions (it warns of one it lacks itself)
                aid, sid = s.options.audio_track, s.options.subtitle_track
                if isinstance(aid, int):
                    source.select_audio_track(aid)
                if sid == "no":
                    source.select_subtitle_track(None)
                elif isinstance(sid, int) and s.text_source is None:
                    source.select_subtitle_track(sid)
        s.source = source
        return source

    def open_source(self, target: Target) -> Source | None:
        s = self.s
        source = self.make_source(target)
        try:
            try:
                info = source.open()
            except UnsupportedError as exc:
                if str(exc) != "hls-redirect":
                    raise
                # A URL without .m3u8 that turned out to be HLS: our engine plays it.
                source.close()
                target = Target(target.url, target.scheme, "hls", target.display)
                s.target = target
                source = self.make_source(target)
                info = source.open()
        except BaseException:
            # A source that failed to open still holds connections and threads.
            source.close()
            raise
        if s.stopping.is_set():
            source.close()
            return None
        s.info = info
        s.media = info.media
        if not isinstance(source, Adaptive) and (
            s.options.variant is not None or s.options.max_height is not None
        ):
            # a file's or a camera's one picture: nothing to pin, it plays
            s.warn(WarningCode.NO_VARIANTS)
        if not isinstance(source, Adaptive) and s.options.abr_policy is not None:
            # a policy the user asked for (None: the config's own) that has no
            # rungs to pick from: said, not silently ignored
            s.warn(
                WarningCode.ABR_POLICY_UNUSED,
                policy=s.options.abr_policy,
                protocol=_protocol_name(info.media.protocol),
            )
        self._choose_tracks(source, info.media)
        s.metrics.protocol = info.media.protocol
        s.metrics.container = info.media.container
        s.want_edge_jump(wants_edge_jump(s.config.latency, info))
        s.notify(MediaOpened(info=info.media))
        return source

    def _choose_tracks(self, source: Source, media: MediaInfo) -> None:
        """mpv's --aid/--sid: the tracks asked for, where the source has them
        (a file's own subtitles are the player's: ``Player.open`` picks those;
        an adaptive source took them before it opened)."""
        s = self.s
        if isinstance(source, Adaptive):
            return
        tracks = source if isinstance(source, Tracks) else None
        aid = s.options.audio_track
        if isinstance(aid, int):
            count = len(media.audio_tracks) or (1 if media.audio is not None else 0)
            if aid >= count:
                s.warn(WarningCode.NO_SUCH_AUDIO_TRACK, number=aid + 1, count=count)
            elif tracks is not None and media.audio_tracks:
                try:
                    tracks.select_audio_track(aid)
                except ValueError:  # the source knows better than its MediaInfo
                    s.warn(WarningCode.NO_SUCH_AUDIO_TRACK, number=aid + 1, count=count)
        sid = s.options.subtitle_track
        if sid == "auto" or s.text_source is not None:
            return
        if sid == "no":
            if tracks is not None:
                tracks.select_subtitle_track(None)
        elif sid >= len(media.subtitle_tracks):
            count = len(media.subtitle_tracks)
            s.warn(WarningCode.NO_SUCH_SUBTITLE_TRACK, number=sid + 1, count=count)
        elif tracks is not None:
            try:
                tracks.select_subtitle_track(sid)
            except ValueError:
                count = len(media.subtitle_tracks)
                s.warn(WarningCode.NO_SUCH_SUBTITLE_TRACK, number=sid + 1, count=count)

    def loop(self, source: Source) -> Source:
        s = self.s
        rebase = 0.0
        #: the serial whose input this thread read to its end (-1: none)
        ended = -1
        while not s.stopping.is_set():
            if self.pending_start is not None:
                self.pending_start(False)
            with s.lock:
                request, s.pending_seek = s.pending_seek, None
            if request is not None:
                try:
                    with contextlib.ExitStack() as guard:
                        for decoder in s.decoders:
                            guard.enter_context(decoder.codec_lock)
                        source.seek(request[0], request[1])
                except PlayerError as exc:
                    s.report_error(exc)
                ended = -1
            if ended == s.serial:
                s.wait(0.1)
                continue
            serial = s.serial
            try:
                pkt = source.read()
            except PlayerError as exc:
                if s.stopping.is_set():
                    break
                # HLS retries and rejoins on its own; reconnecting would replay
                # a stalled playlist's window forever.
                hls = s.target is not None and s.target.family == "hls"
                if source.is_live and s.config.network.reconnect and not hls:
                    end = max(s.demuxed_end.values(), default=0.0)
                    new = self._reconnect(source, exc)
                    if new is None:
                        break
                    source = new
                    rebase = end
                    continue
                if not s.demuxed_end:
                    raise  # nothing read: nothing to play out
                # as mpv does: what was read before the error plays out, then
                # the error ends the session (_finish)
                log.info("source failed; playing out what was read: %s", redact(str(exc)))
                self._send_eos(serial, exc)
                ended = serial
                continue
            if pkt is None:
                if (
                    source.is_live
                    and s.config.network.reconnect
                    and s.info is not None
                    and s.info.media.protocol in ("rtsp", "rtsps", "rtmp", "rtmps")
                ):
                    end = max(s.demuxed_end.values(), default=0.0)
                    new = self._reconnect(
                        source, Reason.of(ReasonCode.CONNECTION_LOST, where=redact(s.url))
                    )
                    if new is None:
                        break
                    source = new
                    rebase = end
                    continue
                self._send_eos(serial)
                ended = serial
                continue
            if serial != s.serial:
                continue
            if rebase:
                if pkt.pts is not None:
                    pkt.pts += rebase
                if pkt.dts is not None:
                    pkt.dts += rebase
            self._route(pkt, serial)
        return source

    def _route(self, pkt: DemuxPacket, serial: int) -> None:
        s = self.s
        kind = pkt.stream.kind
        sel = pkt.stream.selection
        # A file's other audio tracks are read along (a switch plays on at
        # once) but are not what plays: the bitrate counts the selected one.
        heard = sel is None or pkt.stream.track == sel.current()[0]
        s.metrics.on_packet(kind, pkt.size, pkt.pts, heard)
        s.wallclock.on_packet(pkt.pts, pkt.wallclock)
        # audio read while the output opens is kept for it (``pending_start``)
        unheard = (
            kind == "audio"
            and s.audio is None
            and self.pending_start is None
            and not s.audio_opening
        )
        if pkt.pts is not None:
            # under the lock a seek takes to reset them: a packet read just
            # before a seek must not mark the new timeline's ends
            with s.lock:
                if serial != s.serial:
                    return
                if kind == "video":
                    newest = s.newest_video_pts
                    if newest is None or pkt.pts > newest:
                        s.newest_video_pts = pkt.pts
                end = pkt.pts + pkt.duration
                if not unheard and end > s.demuxed_end.get(kind, float("-inf")):
                    s.demuxed_end[kind] = end
        if unheard:
            return
        queue = s.video_packets if kind == "video" else s.audio_packets
        item = QueueItem[DemuxPacket](pkt, serial, pkt.pts, pkt.duration, pkt.size)
        while not s.stopping.is_set() and serial == s.serial:
            if queue.put(item, 0.1):
                return
            if self.pending_start is not None:
                self.pending_start(True)  # nobody reads that audio before it
                if kind == "audio" and s.audio is None:
                    return  # no output after all: dropped, as from now on

    def _send_eos(self, serial: int, error: PlayerError | None = None) -> None:
        s = self.s
        for q in (s.video_packets, s.audio_packets):
            q.put_nowait(QueueItem[DemuxPacket](EOS, serial, None, 0.0, 0))
        s.post(InputEnded(serial, error))

    def _reconnect(self, old: Source, reason: object) -> Source | None:
        s = self.s
        net = s.config.network
        old.close()
        started = s.clock.now()
        attempt = 0
        delay = net.reconnect_initial_delay
        while not s.stopping.is_set() and attempt < net.reconnect_max_attempts:
            attempt += 1
            s.notify(Reconnecting.of(attempt, delay, reason))
            if s.pause_unless_stopping(delay):
                return None
            assert s.target is not None
            source = self.make_source(s.target)
            try:
                source.open()
            except PlayerError as exc:
                source.close()
                reason = str(exc)
                delay = min(net.reconnect_max_delay, delay * 2)
                continue
            outage = s.clock.now() - started
            # the new connection's first burst is jumped over as an open's is
            s.want_edge_jump(wants_edge_jump(s.config.latency, s.info))
            s.notify(Reconnected(attempt=attempt, outage=outage))
            return source
        if not s.stopping.is_set():
            s.fail_from_thread(
                error_for(ErrorCode.RECONNECT_FAILED, attempts=attempt, reason=words_of(reason))
            )
        return None


def _protocol_name(scheme: str) -> str:
    """How a warning names the stream's protocol: RTSP, RTMP, HTTP... or a local file."""
    return "a local file" if scheme == "file" else scheme.upper()

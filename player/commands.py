"""The messages the control loop applies, and the one queue they wait in.

Callers' commands (``Play``, ``Seek`` ...) and the workers' results
(``PrerollShown``, ``VideoEnded`` ...) are small frozen values posted to the
session's ``Inbox``; only the control loop thread takes them out and changes
the session's fields for them, in the order they were posted (mpv's
``run_playloop``: other threads only wake the loop). A worker's result
carries the ``serial`` it was made under: one from before a seek is stale
when the loop meets it, and is dropped there.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass

from .clock import Clock
from .errors import PlayerError
from .events import Event

__all__ = [
    "WAIT_GUARD",
    "AudioEnded",
    "Command",
    "EdgeJump",
    "EdgeReached",
    "EdgeWanted",
    "Failed",
    "FrameStep",
    "FrameStepped",
    "Inbox",
    "InputEnded",
    "Message",
    "NonFatal",
    "Notice",
    "Pause",
    "Play",
    "PrerollShown",
    "Resynced",
    "Seek",
    "SeekToLive",
    "SelectVariant",
    "SpeedChanged",
    "VideoEnded",
    "VolumeChanged",
    "WorkerResult",
]

log = logging.getLogger(__name__)

#: the longest a caller waits for the loop to apply its command (clock
#: seconds): a guard against a loop held up by the caller itself (a
#: subscriber on a source's thread that holds what the loop needs), after
#: which the command still applies, later
WAIT_GUARD = 2.0


# ---------------------------------------------------------------- commands
# eq=False on every message here: each is posted once and taken once, never
# compared or hashed by value, and dataclass would otherwise compile an
# __eq__ and a __hash__ for each at every start (1.5 ms of it for these).
@dataclass(frozen=True, eq=False)
class Play:
    pass


@dataclass(frozen=True, eq=False)
class Pause:
    pass


@dataclass(frozen=True, eq=False)
class Seek:
    position: float
    exact: bool


@dataclass(frozen=True, eq=False)
class FrameStep:
    pass


@dataclass(frozen=True, eq=False)
class SpeedChanged:
    """The user's speed (``Levels.speed``) changed: play at it."""


@dataclass(frozen=True, eq=False)
class VolumeChanged:
    """The user's volume or mute (``Levels``) changed: the output takes it."""


@dataclass(frozen=True, eq=False)
class SelectVariant:
    index: int | None


@dataclass(frozen=True, eq=False)
class SeekToLive:
    pass


Command = (
    Play | Pause | Seek | FrameStep | SpeedChanged | VolumeChanged | SelectVariant | SeekToLive
)


# ---------------------------------------------------------------- worker results
@dataclass(frozen=True, eq=False)
class PrerollShown:
    """The presenter showed the first frame of ``serial`` (after a start or a
    seek): the clocks are anchored on it."""

    serial: int
    pts: float


@dataclass(frozen=True, eq=False)
class VideoEnded:
    """The presenter met the end of the video of ``serial``."""

    serial: int


@dataclass(frozen=True, eq=False)
class AudioEnded:
    """The audio decoder's last sample of ``serial`` is in the output buffer."""

    serial: int


@dataclass(frozen=True, eq=False)
class InputEnded:
    """The demux thread read the source's end for ``serial``; ``error``: it
    ended on this error, raised once what was read before it has played."""

    serial: int
    error: PlayerError | None = None


@dataclass(frozen=True, eq=False)
class EdgeJump:
    """The presenter passes over frames behind the live edge (``edge_jump``)
    of ``serial``: playback jumps to ``target`` (frames before it are
    dropped, the refill is no stall, and a reconnect's clocks move there)."""

    serial: int
    target: float


@dataclass(frozen=True, eq=False)
class EdgeReached:
    """The presenter reached the live edge that edge-jump request number
    ``request`` (``SessionState.edge_jumps``) asked for: the jump is over."""

    request: int


@dataclass(frozen=True, eq=False)
class FrameStepped:
    """The presenter showed the frame at ``pts`` of ``serial``, stepped to
    while paused: the clocks stand on it."""

    serial: int
    pts: float


@dataclass(frozen=True, eq=False)
class Resynced:
    """The presenter meets the frame at ``pts`` of ``serial`` far from the
    clock it follows (no sound defines time): the clocks jump to it and run
    on from there."""

    serial: int
    pts: float


@dataclass(frozen=True, eq=False)
class EdgeWanted:
    """The demux thread opened or reconnected the source: whether the next
    frame shown is the newest received (``edge_jump``). The loop numbers the
    request (``SessionState.edge_jumps``)."""

    wanted: bool


@dataclass(frozen=True, eq=False)
class Failed:
    """A worker thread's fatal error (whatever its serial: a session that
    failed is over). The loop applies it as the worker did before: the
    error event, the report's errors, then state ERROR."""

    error: BaseException


@dataclass(frozen=True, eq=False)
class Notice:
    """An event a worker thread has for the listeners (a warning, a
    reconnect, a rung switched, the media opened...), stamped (``t``) when it
    happened: the loop tells it, so listeners hear the session from one
    thread, in the order each thread posted."""

    event: Event


@dataclass(frozen=True, eq=False)
class NonFatal:
    """A worker's non-fatal error (corrupt data, a seek the source failed):
    the loop reports it (the report's errors, ``ErrorOccurred``)."""

    error: BaseException


WorkerResult = (
    PrerollShown
    | VideoEnded
    | AudioEnded
    | InputEnded
    | EdgeJump
    | EdgeReached
    | EdgeWanted
    | FrameStepped
    | Resynced
    | Notice
    | NonFatal
    | Failed
)
Message = Command | WorkerResult


class Inbox:
    """The control loop's one queue. Any thread posts; the loop thread takes
    what was posted, oldest first, at the top of each tick (``pop``) and marks it
    applied (``done``); a caller that needs its command in effect before it
    goes on waits for that (``wait_applied``) on the session's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cond = threading.Condition(threading.Lock())
        self._items: deque[tuple[int, Message]] = deque()
        self._posted = 0
        #: numbers posted and not yet applied (one applied from inside
        #: another's applying finishes first: a count would run ahead)
        self._unapplied: set[int] = set()
        #: the loop thread, while it runs (None before it starts and after it ends)
        self._owner: threading.Thread | None = None
        #: the newest queued seek's target, for the position callers read
        self._seek_view: float | None = None

    def post(self, message: Message) -> int:
        """Queues ``message``; returns its number for ``wait_applied``."""
        with self._cond:
            self._posted += 1
            self._items.append((self._posted, message))
            self._unapplied.add(self._posted)
            if isinstance(message, Seek):
                self._seek_view = max(0.0, message.position)
            return self._posted

    def pop(self) -> tuple[int, Message] | None:
        """The oldest message not yet taken, with its number (one at a time:
        a command applied from inside another's applying keeps the order)."""
        with self._cond:
            return self._items.popleft() if self._items else None

    def post_to_loop(self, message: Message) -> int | None:
        """Queues ``message`` only while a loop runs on another thread to
        apply it, and returns its number; None (nothing queued) otherwise:
        the caller applies it itself. Checked and queued at once, so nothing
        lands after the loop took its last messages (``owned_by(None)``,
        ``take_last``)."""
        with self._cond:
            if self._owner is None or self._owner is threading.current_thread():
                return None
            self._posted += 1
            self._items.append((self._posted, message))
            self._unapplied.add(self._posted)
            return self._posted

    def take_last(self) -> list[Failed | Notice | NonFatal]:
        """The loop is ending: what is still queued and must not be lost
        (fatal errors, the workers' events and non-fatal errors), taken out in
        order (and marked applied) for it to apply; commands and other results
        stay unapplied."""
        with self._cond:
            last = [(n, m) for n, m in self._items if isinstance(m, Failed | Notice | NonFatal)]
            for taken in last:
                self._items.remove(taken)
                self._unapplied.discard(taken[0])
            self._cond.notify_all()
            return [m for _, m in last if isinstance(m, Failed | Notice | NonFatal)]

    def applied(self, number: int) -> bool:
        """Whether message ``number`` (and every one before it) was applied."""
        with self._cond:
            return self._applied_through(number)

    @property
    def posted(self) -> int:
        """The number of the newest message posted."""
        with self._cond:
            return self._posted

    def done(self, number: int) -> None:
        with self._cond:
            self._unapplied.discard(number)
            if not any(isinstance(m, Seek) for _, m in self._items):
                self._seek_view = None
            self._cond.notify_all()

    def pending_seek(self) -> float | None:
        """Where the newest seek not yet applied goes (None: none queued)."""
        with self._cond:
            return self._seek_view

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    # -- the loop's thread --------------------------------------------------
    def owned_by(self, thread: threading.Thread | None) -> None:
        """The loop thread starts (``thread``) or ends (None): callers wait
        for their commands only while a loop runs to apply them."""
        with self._cond:
            self._owner = thread
            self._cond.notify_all()

    def on_loop_thread(self) -> bool:
        with self._cond:
            return self._owner is threading.current_thread()

    def writable_here(self) -> bool:
        """Whether this thread may write what the loop owns: it is the
        loop's, or no loop runs (before it starts: the open; after it ends)."""
        with self._cond:
            return self._owner is None or self._owner is threading.current_thread()

    def wait_applied(self, number: int, stopping: threading.Event) -> None:
        """Until the loop applied message ``number`` (and all before it).
        Returns at once when no loop runs (the message waits for one) or the
        session stops, and after ``WAIT_GUARD`` at most."""
        with self._cond:
            went_on = self._clock.wait_for(
                self._cond,
                lambda: self._applied_through(number) or self._owner is None or stopping.is_set(),
                WAIT_GUARD,
            )
        if not went_on:
            log.warning("the control loop did not take a command within %.1f s", WAIT_GUARD)

    def _applied_through(self, number: int) -> bool:
        return number <= self._posted and not any(n <= number for n in self._unapplied)

    def release_waiters(self) -> None:
        """Wakes callers waiting for their commands (the session stops)."""
        with self._cond:
            self._cond.notify_all()

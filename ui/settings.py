"""Persistent settings (QSettings, INI format). Tests pass their own path (or set
HEUREUM_SETTINGS) so they never touch the user's file."""

from __future__ import annotations

import os
from typing import Literal, cast, get_args

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from player.config import AbrPolicyName, NetworkConfig, OpenOptions

__all__ = ["MAX_HISTORY", "Settings"]

MAX_HISTORY = 15
Transport = Literal["auto", "udp", "tcp", "http"]
_TRANSPORTS = ("auto", "udp", "tcp", "http")
_ABR_POLICIES: tuple[AbrPolicyName, ...] = get_args(AbrPolicyName)


class Settings:
    def __init__(self, path: str | None = None) -> None:
        path = path or os.environ.get("HEUREUM_SETTINGS")
        if path:
            self._q = QSettings(path, QSettings.Format.IniFormat)
        else:
            self._q = QSettings(
                QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Heureum", "heureum"
            )

    @property
    def path(self) -> str:
        return self._q.fileName()

    def sync(self) -> None:
        self._q.sync()

    # -- typed accessors -------------------------------------------------------
    def _float(self, key: str, default: float) -> float:
        try:
            return float(cast(float, self._q.value(key, default)))
        except (TypeError, ValueError):
            return default

    def _bool(self, key: str, default: bool) -> bool:
        value = self._q.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    def _list(self, key: str) -> list[str]:
        value = self._q.value(key, [])
        if value is None:
            return []
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in cast(list[object], value)]

    @property
    def volume(self) -> float:
        return min(1.5, max(0.0, self._float("audio/volume", 1.0)))

    @volume.setter
    def volume(self, v: float) -> None:
        self._q.setValue("audio/volume", float(v))

    @property
    def muted(self) -> bool:
        return self._bool("audio/muted", False)

    @muted.setter
    def muted(self, m: bool) -> None:
        self._q.setValue("audio/muted", bool(m))

    @property
    def geometry(self) -> QByteArray | None:
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, g: QByteArray) -> None:
        self._q.setValue("window/geometry", g)

    @property
    def window_state(self) -> QByteArray | None:
        """``QMainWindow.saveState()``: where the panels are and which show."""
        value = self._q.value("window/state")
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, state: QByteArray) -> None:
        self._q.setValue("window/state", state)

    @property
    def recent(self) -> list[str]:
        return self._list("history/recent")

    def add_recent(self, url: str) -> None:
        self._q.setValue("history/recent", _push(self.recent, url))

    def clear_recent(self) -> None:
        self._q.setValue("history/recent", [])

    @property
    def url_history(self) -> list[str]:
        return self._list("history/urls")

    def add_url_history(self, url: str) -> None:
        self._q.setValue("history/urls", _push(self.url_history, url))

    @property
    def rtsp_transport(self) -> Transport:
        value = str(self._q.value("network/rtsp_transport", "auto"))
        return cast(Transport, value) if value in _TRANSPORTS else "auto"

    @rtsp_transport.setter
    def rtsp_transport(self, t: str) -> None:
        self._q.setValue("network/rtsp_transport", t if t in _TRANSPORTS else "auto")

    @property
    def low_latency(self) -> bool:
        return self._bool("network/low_latency", False)

    @low_latency.setter
    def low_latency(self, v: bool) -> None:
        self._q.setValue("network/low_latency", bool(v))

    @property
    def abr_policy(self) -> AbrPolicyName:
        """Settings → Network → ABR policy (``--abr-policy``); a name this
        version does not know (a newer one's, a hand edit) reads as the default."""
        value = str(self._q.value("network/abr_policy", ""))
        return value if value in _ABR_POLICIES else NetworkConfig().abr_policy

    @abr_policy.setter
    def abr_policy(self, name: str) -> None:
        self._q.setValue(
            "network/abr_policy", name if name in _ABR_POLICIES else NetworkConfig().abr_policy
        )

    @property
    def hwdec(self) -> bool:
        """Settings → Video → Hardware decoding (``--hwdec=auto``)."""
        return self._bool("video/hwdec", False)

    @hwdec.setter
    def hwdec(self, v: bool) -> None:
        self._q.setValue("video/hwdec", bool(v))

    def open_options(self) -> OpenOptions:
        """The network and decoding defaults as per-URL options."""
        transport = self.rtsp_transport
        return OpenOptions(
            rtsp_transport=None if transport == "auto" else transport,
            low_latency=self.low_latency or None,
            hwdec="auto" if self.hwdec else None,
            # the default policy is no choice of the user's: None, so a stream
            # without rungs (RTSP, a file) is not told it ignores one
            abr_policy=None if self.abr_policy == NetworkConfig().abr_policy else self.abr_policy,
        )

    @property
    def language(self) -> str:
        """'system', 'en' or 'ko'."""
        return str(self._q.value("ui/language", "system"))

    @language.setter
    def language(self, lang: str) -> None:
        self._q.setValue("ui/language", lang)

    @property
    def screenshot_dir(self) -> str:
        configured = os.environ.get("HEUREUM_SCREENSHOT_DIR") or str(
            self._q.value("screenshot/directory", "")
        )
        if configured:
            return configured
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return pictures or os.path.expanduser("~")

    @screenshot_dir.setter
    def screenshot_dir(self, path: str) -> None:
        self._q.setValue("screenshot/directory", path)

    @property
    def export_dir(self) -> str:
        """Where the last timeline export went (Documents at first)."""
        configured = str(self._q.value("export/directory", ""))
        if configured and os.path.isdir(configured):
            return configured
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return docs or os.path.expanduser("~")

    @export_dir.setter
    def export_dir(self, path: str) -> None:
        self._q.setValue("export/directory", path)

    @property
    def software_gl(self) -> str:
        """The OpenGL probe's remembered software verdict (ui.probe_memory)."""
        return str(self._q.value("video/software_gl", "") or "")

    @software_gl.setter
    def software_gl(self, value: str) -> None:
        if value:
            self._q.setValue("video/software_gl", value)
        else:
            self._q.remove("video/software_gl")


def _push(items: list[str], url: str) -> list[str]:
    return ([url] + [u for u in items if u != url])[:MAX_HISTORY]

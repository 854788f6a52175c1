"""The Quality menu: Auto plus one entry per HLS variant (MediaInfo.variants).

This is where the ABR-aware UI grows: the bandwidth/bitrate/buffer panel
(``ui/abr_panel.py``, pyqtgraph) and the timeline export will listen to
``PlayerBridge.anyEvent`` (VariantSwitched, StatsUpdated, BufferingChanged,
ErrorOccurred) and sit next to this menu.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from player.events import VariantInfo

__all__ = ["QualityMenu", "variant_label"]


def variant_label(v: VariantInfo) -> str:
    parts = []
    if v.height:
        parts.append(f"{v.height}p")
    if v.frame_rate and v.frame_rate > 31:
        parts[-1:] = [
            f"{parts[-1]}{round(v.frame_rate)}" if parts else f"{round(v.frame_rate)} fps"
        ]
    parts.append(
        f"{v.bandwidth / 1_000_000:.2f} Mb/s"
        if v.bandwidth >= 1_000_000
        else f"{v.bandwidth // 1000} kb/s"
    )
    if v.name:
        parts.append(f"({v.name})")
    return " ".join(parts)


class QualityMenu(QMenu):
    """Emits ``variantChosen(index)`` with -1 for Auto."""

    variantChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._variants: tuple[VariantInfo, ...] = ()
        self._auto: QAction | None = None
        self.retranslate()
        self.set_variants(())

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Quality"))
        if self._auto is not None:
            self._auto.setText(self.tr("Auto"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_variants(self, variants: tuple[VariantInfo, ...]) -> None:
        self._variants = variants
        self.clear()
        for action in self._group.actions():
            self._group.removeAction(action)
        self._auto = self._add(self.tr("Auto"), -1)
        self._auto.setChecked(True)
        if variants:
            self.addSeparator()
        for v in sorted(variants, key=lambda v: v.bandwidth, reverse=True):
            self._add(variant_label(v), v.index)
        self.setEnabled(bool(variants))

    def _add(self, text: str, index: int) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setData(index)
        action.triggered.connect(lambda _=False, i=index: self.variantChosen.emit(i))
        self._group.addAction(action)
        self.addAction(action)
        return action

    def mark_current(self, index: int | None) -> None:
        """Mark the variant playing now (what Auto chose, or the locked one)."""
        for action in self._group.actions():
            data = action.data()
            if data == -1:
                continue
            base = action.text().removeprefix("▶ ")
            action.setText(f"▶ {base}" if data == index else base)

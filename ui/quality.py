"""The Quality menu: Auto plus one entry per HLS variant (``MediaInfo.variants``),
highest first, as ``1280x720 · 2.5 Mb/s``.

Checks: Auto is checked while the player chooses; the variant in use is
checked too (from ``VariantSwitched`` and ``stats().abr.variant_index``),
so "Auto ✓ + 720p ✓" reads "automatic, playing 720p now". A locked variant is
checked alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from player.events import VariantInfo

from .abr_text import variant_text

__all__ = ["QualityMenu", "variant_label"]

variant_label = variant_text


class QualityMenu(QMenu):
    """Emits ``variantChosen(index)`` with -1 for Auto."""

    variantChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._variants: tuple[VariantInfo, ...] = ()
        self._auto: QAction | None = None
        self._by_index: dict[int, QAction] = {}
        self._locked: int | None = None
        self._current: int | None = None
        self.retranslate()
        self.set_variants(())

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Quality"))
        self._label_auto()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_variants(self, variants: tuple[VariantInfo, ...]) -> None:
        """A new ladder (new media): back to Auto."""
        if variants == self._variants and self._auto is not None:
            return  # TracksChanged with the same ladder: keep the state
        self._variants = variants
        self._locked = None
        self._current = None
        self.clear()
        self._by_index = {}
        self._auto = self._add("", -1)
        if variants:
            self.addSeparator()
        for v in sorted(variants, key=lambda v: v.bandwidth, reverse=True):
            self._by_index[v.index] = self._add(variant_label(v), v.index)
        self.setEnabled(bool(variants))
        self._sync()

    def _add(self, text: str, index: int) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setData(index)
        action.triggered.connect(lambda _=False, i=index: self._chosen(i))
        self.addAction(action)
        return action

    def _chosen(self, index: int) -> None:
        self._locked = None if index < 0 else index
        self._sync()
        self.variantChosen.emit(index)

    def show_locked(self, index: int) -> None:
        """Check ``index`` as locked without asking for it: a rung the
        command line pinned (--variant, --max-height) before the menu knew."""
        if index in self._by_index:
            self._locked = index
            self._sync()

    def mark_current(self, index: int | None) -> None:
        """The variant playing now (what Auto chose, or the locked one)."""
        if index != self._current:
            self._current = index
            self._sync()

    @property
    def locked(self) -> int | None:
        return self._locked

    @property
    def current(self) -> int | None:
        return self._current

    def _label_auto(self) -> None:
        if self._auto is None:
            return
        v = self._by_variant(self._current)
        text = self.tr("Auto")
        if v is not None and self._locked is None and v.height:
            text = self.tr("Auto (%1)").replace("%1", f"{v.height}p")
        self._auto.setText(text)

    def _sync(self) -> None:
        if self._auto is not None:
            self._auto.setChecked(self._locked is None)
        for index, action in self._by_index.items():
            on = index == self._locked if self._locked is not None else index == self._current
            action.setChecked(on)
        self._label_auto()

    def _by_variant(self, index: int | None) -> VariantInfo | None:
        for v in self._variants:
            if v.index == index:
                return v
        return None

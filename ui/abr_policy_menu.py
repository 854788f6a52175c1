"""Settings → Network → ABR policy: which rule picks an HLS stream's rungs
(``--abr-policy``), saved in the settings and used from the next open on.

A session that plays keeps the policy it opened with: the policy's state (its
estimate history, MPC's past prediction errors) belongs to that session, and
the report's ``abr.policy`` names the one that ran."""

from __future__ import annotations

from typing import get_args

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from player.config import AbrPolicyName

from .settings import Settings

__all__ = ["AbrPolicyMenu"]


class AbrPolicyMenu(QMenu):
    def __init__(self, parent: QWidget, settings: Settings) -> None:
        super().__init__(parent)
        self.setObjectName("abr_policy_menu")
        self._settings = settings
        self._group = QActionGroup(self)
        #: one checkable action a policy, by its name
        self.policy_actions: dict[str, QAction] = {}
        chosen = settings.abr_policy
        for name in get_args(AbrPolicyName):
            act = QAction(self)
            act.setCheckable(True)
            act.setChecked(name == chosen)
            act.triggered.connect(lambda _=False, n=name: self._choose(n))
            self._group.addAction(act)
            self.addAction(act)
            self.policy_actions[name] = act
        self.retranslate()

    def _choose(self, name: str) -> None:
        self._settings.abr_policy = name

    def retranslate(self) -> None:
        self.setTitle(self.tr("ABR policy"))
        names = {
            "hybrid": self.tr("Hybrid: throughput, then buffer"),
            "mpc": self.tr("Model-predictive: plans a few segments ahead (default)"),
        }
        for name, act in self.policy_actions.items():
            act.setText(names.get(name, name))
        self.setToolTip(self.tr("Used for HLS streams opened from now on"))

"""Everything Heureum ships that is not code: the icon, the Qt stylesheets, the
translations, the desktop entry, the AppStream metainfo and the licence notices.

Read through ``importlib.resources`` so the same calls work from a checkout,
an installed wheel and a PyInstaller bundle (where the files sit beside the
frozen modules)."""

from __future__ import annotations

import contextlib
from importlib import resources as _res
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = [
    "APP_ID",
    "data_dir",
    "icon_path",
    "notice_text",
    "stylesheet",
    "translations_dir",
]

#: the reverse-DNS id of the desktop entry and the AppStream component
APP_ID = "io.github.heureum.Heureum"


def _root() -> Traversable:
    return _res.files(__name__)


def stylesheet(name: str) -> str:
    """The Qt stylesheet ``styles/<name>.qss``."""
    return (_root() / "styles" / f"{name}.qss").read_text(encoding="utf-8")


def notice_text(name: str) -> str:
    """A licence or notice file from ``licenses/`` (``THIRD-PARTY-NOTICES.md``)."""
    return (_root() / "licenses" / name).read_text(encoding="utf-8")


def data_dir() -> Path:
    """The resources folder on disk. Wheels and PyInstaller bundles unpack it,
    so this is a real directory there too; a zip import would be the only
    exception and Heureum is never run from one."""
    root = _root()
    with contextlib.suppress(TypeError):
        return Path(str(root))
    raise RuntimeError("Heureum's resources are not on the file system")


def icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG of ``size`` pixels."""
    name = "heureum.svg" if size is None else f"heureum-{size}.png"
    return data_dir() / "icons" / name


def translations_dir() -> Path:
    """Where the compiled ``heureum_<lang>.qm`` files are (QTranslator needs a path)."""
    return data_dir() / "i18n"

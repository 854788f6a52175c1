"""Translations: Qt Linguist ``.ts`` sources and the compiled ``.qm`` files live in
``resources/i18n`` (``python -m ui.i18n`` runs pyside6-lrelease over them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from resources import translations_dir

__all__ = ["I18N_DIR", "LANGUAGES", "install_language", "translation_sources", "ui_language"]

I18N_DIR: Path = translations_dir()
#: code -> name shown in its own language
LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어"}

_installed: list[QTranslator] = []


def _locale_for(lang: str) -> QLocale:
    return QLocale.system() if lang in ("", "system") else QLocale(lang)


def ui_language(lang: str = "system") -> str:
    """The language code ('en', 'ko') the window speaks for the setting ``lang``."""
    code = _locale_for(lang).name().split("_")[0]
    return code if code in LANGUAGES else "en"


def install_language(app: QCoreApplication, lang: str = "system") -> str:
    """Install the translators for ``lang`` ('system', 'en', 'ko'); replaces the
    previous ones, so every widget gets a LanguageChange. Returns the language used."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = _locale_for(lang)
    code = locale.name().split("_")[0]
    if code not in LANGUAGES or code == "en":
        return "en"
    ours = QTranslator(app)
    if ours.load(locale, "heureum", "_", str(I18N_DIR)):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return code


def translation_sources() -> list[Path]:
    """Every file whose strings the .ts files translate: the UI's modules and
    the engine's error and warning templates (marked for lupdate, see
    player.error_text, player.warning_text and player.warning_reasons)."""
    ui = Path(__file__).resolve().parents[1]
    engine = ui.parent / "player"
    texts = ("error_text.py", "warning_text.py", "warning_reasons.py")
    return [*sorted(ui.glob("*.py")), *(engine / name for name in texts)]


def update_translations() -> None:
    """Refresh every .ts here from the sources with Qt's lupdate (new strings
    come in unfinished, for a translator)."""
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = [str(p) for p in translation_sources()]
    for ts in sorted(I18N_DIR.glob("*.ts")):
        subprocess.run([str(lupdate), "-locations", "none", *sources, "-ts", str(ts)], check=True)


def compile_translations() -> None:
    """Compile every .ts in resources/i18n to .qm with Qt's lrelease (shipped with PySide6)."""
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    for ts in sorted(I18N_DIR.glob("*.ts")):
        subprocess.run(
            [str(lrelease), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True
        )

"""``python -m ui.i18n``: compile the .ts translations to .qm."""

from . import compile_translations

compile_translations()

"""``python -m ui.i18n``: compile the .ts translations to .qm;
``python -m ui.i18n update`` first refreshes the .ts files from the sources."""

import sys

from . import compile_translations, update_translations

if sys.argv[1:] == ["update"]:
    update_translations()
compile_translations()

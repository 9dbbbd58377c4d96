"""Text read from input (输入文本): one rule for ids, names and every other free text.

Names and ids are shown to staff, written to the ledger and to FHIR, and compared for
identity, so text is NFC-normalised (one spelling of 张 whatever the keyboard), and refused
when it holds characters that hide what it says or that a database cannot store:
control characters (NUL is refused by PostgreSQL and silently kept by SQLite), lone
surrogates (not encodable in UTF-8), bidirectional overrides and isolates (they reorder what
a reader sees: "Trojan Source", CVE-2021-42574) and zero-width characters (two ids that look
the same but differ). Tab and line breaks stay allowed in free text such as a reason.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from yibao.errors import InputError

_ALLOWED_CONTROLS: Final = frozenset("\t\n\r")
# bidi embeddings, overrides and isolates; zero-width space, joiners, word joiner, BOM
_HIDDEN: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff"
)


def clean_text(value: str, where: str) -> str:
    """``value`` NFC-normalised, or an :class:`InputError` naming ``where`` and the first
    character refused (by its code point, since it may not print)."""
    for ch in value:
        category = unicodedata.category(ch)
        if ch in _HIDDEN or category == "Cs" or (category == "Cc" and ch not in _ALLOWED_CONTROLS):
            raise InputError(
                f"{where}: character U+{ord(ch):04X} is not allowed "
                "(control, surrogate, bidirectional or zero-width)"
            )
    return unicodedata.normalize("NFC", value)

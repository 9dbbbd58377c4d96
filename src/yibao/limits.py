"""Bounds on every amount, quantity and price the system accepts (输入限额).

Money and quantities arrive as text (JSON, YAML, CSV, command-line flags) and are read in one
place, :func:`yibao.io.records.money` and :func:`yibao.io.records.whole`, so the command
line and the API refuse the same values with the same one-line message naming the field.

The bounds are far above any real bill, wage or account, and low enough that no sum the
ledger forms overflows a signed 64-bit integer (BIGINT, SQLite INTEGER): the largest
accepted posting is :data:`JOURNAL_MAX_FEN` (10^13 fen), so 2^63 − 1 ≈ 9.2 × 10^18 fen is
only reached after 900 000 postings each at the bound on one account — a trial balance of
accepted input never overflows in practice, and :func:`check_sum` refuses a sum that would.

Text form: ASCII digits with an optional sign and decimals (at most two for money) (``"1234.56"``).
Refused: full-width or Arabic-Indic digits (``"１００"``, ``"١٠٠"``), underscores
(``"1_000"``), exponents (``"1e21"``), ``NaN`` and ``Infinity``, floats.
"""

from __future__ import annotations

import re
from typing import Final

from yibao.errors import InputError

# one amount of any kind (a posting, a contribution run's total): 100 billion yuan
JOURNAL_MAX_FEN: Final = 10**13
# one bill line's amount, a unit price, a price cap: 10 million yuan
LINE_MAX_FEN: Final = 10**9
# a claim's total (the sum of its lines, or a pre-split total): 100 million yuan
CLAIM_MAX_FEN: Final = 10**10
# an individual account balance (个人账户), a monthly wage: 10 million yuan
ACCOUNT_MAX_FEN: Final = 10**9
WAGE_MAX_FEN: Final = 10**9
# a line's quantity, and the lines of one claim
QUANTITY_MAX: Final = 100_000
LINES_MAX: Final = 10_000
# any other whole number read from input (a count, a year)
WHOLE_MAX: Final = 10**9

INT64_MAX: Final = 2**63 - 1

_DECIMAL: Final = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def ascii_amount(text: str, where: str) -> str:
    """``text`` when it is an ASCII decimal (the places are checked on conversion)."""
    if len(text) > 24 or not _DECIMAL.fullmatch(text):
        raise InputError(
            f"{where}: amount {text[:40]!r} is not a number in yuan written with ASCII digits "
            "(such as 1234.56)"
        )
    return text


def ascii_ratio(text: str, where: str) -> str:
    """``text`` when it is an ASCII decimal (such as ``0.15``), else a 400 error."""
    if len(text) > 24 or not _DECIMAL.fullmatch(text):
        raise InputError(
            f"{where}: ratio {text[:40]!r} is not a number written with ASCII digits (such as 0.15)"
        )
    return text


def within(value: int, maximum: int, where: str, unit: str = "fen") -> int:
    """``value`` when |value| ≤ ``maximum``, else a 400 error naming the bound."""
    if abs(value) > maximum:
        shown = f"{maximum / 100:,.2f} yuan" if unit == "fen" else f"{maximum:,}"
        raise InputError(f"{where}: exceeds the limit of {shown}")
    return value


def check_sum(values: list[int], maximum: int, where: str) -> int:
    """The sum of ``values`` when it stays within ``maximum`` (a claim's lines, a run)."""
    total = sum(values)
    return within(total, min(maximum, INT64_MAX), where)

"""Fund budgets, early warning and actuarial projection (基金预算、风险预警与精算预测).

Pure core: no file, database or HTTP code. ``params`` parses the strict assumption and scenario
YAML (from text), ``warning`` computes indicators and warning levels, ``population`` runs the
cohort-component projection, ``projection`` turns people into yearly fund income and expenditure
and ``montecarlo`` draws the uncertain inputs.

Money: the deterministic projection keeps float yuan inside a year and rounds each yearly
income, expenditure and balance to integer fen at the named stage ``PROJECTION_YEAR``; the Monte
Carlo keeps float yuan arrays (10 000 paths cannot be Decimal and stay fast) and rounds its
summaries (quantiles, means) to fen at ``MONTE_CARLO_SUMMARY``. No float reaches a ledger: the
adjustment-fund transfers are re-allocated in integer fen before they become journals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from yibao.money import Stage, round_decimal_fen

PROJECTION_YEAR: Final = Stage.PROJECTION_YEAR
MONTE_CARLO_SUMMARY: Final = Stage.MONTE_CARLO_SUMMARY


def to_fen(yuan: float, stage: Stage = Stage.PROJECTION_YEAR) -> int:
    """Float yuan rounded half-up to integer fen (the named projection stages only).

    >>> to_fen(1.005), to_fen(-2.5)
    (101, -250)
    """
    return round_decimal_fen(Decimal(repr(float(yuan))) * 100, stage)

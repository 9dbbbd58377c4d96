"""Formulas written once, evaluated on Python values or on table columns.

A payment rule that both the scalar path (one case, Python ints) and a table path (an Ibis
column on DuckDB or Spark) evaluate is written once with ``+ − × //``, comparisons, ``&``,
``|`` and :func:`where`; money is rounded with :func:`yibao.money.round_at`. The scalar path
passes ints and gets ints; the table path passes columns and gets an expression.
"""

from __future__ import annotations

from typing import Any


def where(cond: Any, then: Any, otherwise: Any) -> Any:
    """``then`` where ``cond`` holds, else ``otherwise``; ``cond`` a bool or a boolean column.

    >>> where(3 > 2, "high", "low")
    'high'
    """
    if isinstance(cond, bool):
        return then if cond else otherwise
    return cond.ifelse(then, otherwise)

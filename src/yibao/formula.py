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


def or_default(value: Any, default: Any) -> Any:
    """``value``, or ``default`` where it is None (a null in a column).

    >>> or_default(None, 0), or_default(5, 0)
    (0, 5)
    """
    if value is None:
        return default
    fill = getattr(value, "fill_null", None)
    return value if fill is None else fill(default)


def contains(haystack: Any, needle: Any) -> Any:
    """Whether the string ``haystack`` contains ``needle`` (a string or string column).

    >>> contains("|a|b|", "|b|")
    True
    """
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    return haystack.contains(needle)

"""The compiled kernel rounds and measures schedules exactly as the Python definitions do.

Half-up to the fen is defined in ``money`` (ROUND_HALF_UP of Python's ``decimal`` is the
independent reference here); the kernel's schedule pieces must equal ``Schedule`` on
Python integers for every drawn schedule and stretch.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao.money import Stage, round_at
from yibao.settle import kernel as k
from yibao.settle.schedule import make_schedule

units = st.integers(min_value=-(10**15), max_value=10**15)


def _decimal_half_up(n: int) -> int:
    """n / 10 000 rounded half-up by ``decimal`` (away from zero on a tie)."""
    return int((Decimal(n) / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=500, deadline=None)
@given(units)
def test_kernel_rounding_is_half_up(n: int) -> None:
    assert k._round(n) == _decimal_half_up(n) == round_at(Stage.POOLED_FUND, n)


def test_ties_round_up() -> None:
    assert [k._round(v) for v in (5_000, 15_000, 4_999, -5_000, 12_345_000)] == [
        1,
        2,
        0,
        -1,
        1235,
    ]


@st.composite
def schedules(draw: st.DrawFn) -> list[tuple[int | None, int]]:
    bounds = sorted(set(draw(st.lists(st.integers(1, 10**9), max_size=k.NB - 1))))
    rates = draw(
        st.lists(st.integers(0, 10_000), min_size=len(bounds) + 1, max_size=len(bounds) + 1)
    )
    return list(zip([*bounds, None], rates, strict=True))


@settings(max_examples=300, deadline=None)
@given(schedules(), st.integers(0, 2 * 10**9), st.integers(0, 2 * 10**9), st.integers(0, 10**13))
def test_kernel_schedule_equals_python_schedule(
    bands: list[tuple[int | None, int]], x: int, y: int, budget: int
) -> None:
    s = make_schedule(bands)
    a, b = min(x, y), max(x, y)
    p = np.zeros(k.N_PARAMS, dtype=np.int64)
    p[k.P_FUND : k.P_FUND + 3 * k.NB] = k._band_params(s)
    assert k._units(p, k.P_FUND, a, b) == s.units(a, b)
    assert k._crossing(p, k.P_FUND, a, b, budget) == s.crossing(a, b, budget)


def test_too_many_bands_is_refused() -> None:
    s = make_schedule([(i + 1, 0) for i in range(k.NB)] + [(None, 1)])
    try:
        k._band_params(s)
    except Exception as e:
        assert "bands" in str(e)
    else:
        raise AssertionError("accepted more bands than the kernel holds")

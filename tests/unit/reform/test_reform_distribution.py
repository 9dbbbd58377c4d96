"""Income deciles, catastrophic health expenditure, gainers and losers on hand-made persons."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from yibao.reform.che import RULES, capacity_to_pay, catastrophic
from yibao.reform.distribution import annotate, decile_table, gains_and_losses, income_deciles

SDG10, SDG25, WHO40 = RULES


def test_deciles_rank_by_income_and_break_ties_by_person_order() -> None:
    # twenty persons, in person-id order; incomes 1..10 twice, one missing
    income = [10 - i % 10 for i in range(20)] + [None]
    deciles = income_deciles(pa.array(income, pa.int64()))
    assert deciles[-1] == 0  # no income: no decile
    assert np.bincount(deciles[:-1], minlength=11).tolist() == [0] + [2] * 10
    assert deciles[9] == 1 and deciles[19] == 1  # the two incomes of 1
    assert deciles[0] == 10 and deciles[10] == 10  # the two incomes of 10
    # ties: equal incomes fall in order of the rows (person ids) across a decile boundary
    assert income_deciles(pa.array([5, 5, 5, 5], pa.int64())).tolist() == [1, 3, 6, 8]


def test_budget_share_thresholds_are_strict_and_need_an_income() -> None:
    income = np.array([100_000_00, 100_000_00, 100_000_00, 0, 50_000_00])
    oop = np.array([10_000_00, 10_000_01, 25_000_01, 1, 12_500_00])
    assert catastrophic(oop, income, SDG10).tolist() == [False, True, True, False, True]
    assert catastrophic(oop, income, SDG25).tolist() == [False, False, True, False, False]


def test_capacity_to_pay_takes_off_subsistence_food_or_the_food_share() -> None:
    # 10,000 yuan: 29.8 % is 2,980 (below the 8,411 standard); 50,000: the standard applies
    assert capacity_to_pay(np.array([10_000_00, 50_000_00])).tolist() == [7_020_00, 41_589_00]
    # 40 % of 7,020 is 2,808 yuan: above it is catastrophic, at it is not
    income = np.array([10_000_00, 10_000_00])
    assert catastrophic(np.array([2_808_00, 2_808_01]), income, WHO40).tolist() == [False, True]


def people(oop_base: list[int], oop_reform: list[int], income: list[int | None]) -> pa.Table:
    n = len(oop_base)
    return annotate(
        pa.table(
            {
                "person_id": [f"P{i:02d}" for i in range(n)],
                "household_income_fen": pa.array(income, pa.int64()),
                "claims": [1 if b or r else 0 for b, r in zip(oop_base, oop_reform, strict=True)],
                "oop_base": oop_base,
                "oop_reform": oop_reform,
                "oop_delta": [r - b for b, r in zip(oop_base, oop_reform, strict=True)],
            }
        )
    )


def test_decile_table_sums_each_group_before_and_after() -> None:
    # ten persons, one per decile; the poorest's spending falls below 10 % of income
    income = [10_000_00 * (i + 1) for i in range(10)]
    base = [2_000_00] + [0] * 9
    reform = [500_00] + [0] * 8 + [100_00]
    rows = decile_table(people(base, reform, income))
    assert [r.persons for r in rows] == [1] * 10
    d1, d10 = rows[0], rows[9]
    assert (d1.oop_base, d1.oop_reform, d1.gainers, d1.losers) == (2_000_00, 500_00, 1, 0)
    assert (d10.oop_base, d10.oop_reform, d10.gainers, d10.losers) == (0, 100_00, 0, 1)
    assert d1.che_base == (1, 0, 0)  # 20 % of income: > 10 %, not > 25 %; 2,000 < 40 % × 7,020
    assert d1.che_reform == (0, 0, 0)
    assert (d1.income_min, d10.income_max) == (10_000_00, 100_000_00)


def test_gains_and_losses_are_counted_and_banded_by_size() -> None:
    base = [1_000_00, 50_00, 0, 20_000_00, 300_00, 0]
    reform = [900_00, 50_00, 5_00, 5_000_00, 2_000_00, 0]
    g = gains_and_losses(people(base, reform, [1] * 6))
    assert (g.gainers, g.losers, g.unchanged_patients) == (2, 2, 1)
    assert (g.gain_total, g.loss_total) == (15_100_00, 1_705_00)
    assert (g.largest_gain, g.largest_loss) == (15_000_00, 1_700_00)
    # bands (0, 100], (100, 1,000], (1,000, 10,000], above: a change of 100 yuan is in the first
    assert [(b.persons, b.total) for b in g.gain_bands] == [
        (1, -100_00),
        (0, 0),
        (0, 0),
        (1, -15_000_00),
    ]
    assert [(b.persons, b.total) for b in g.loss_bands] == [
        (1, 5_00),
        (0, 0),
        (1, 1_700_00),
        (0, 0),
    ]

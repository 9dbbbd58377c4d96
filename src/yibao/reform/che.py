"""Catastrophic health expenditure (灾难性卫生支出): out-of-pocket above a share of what a
household can pay.

Two definitions are in use, and the report shows both:

* **Budget share** — SDG indicator 3.8.2 (WHO and World Bank): out-of-pocket health spending
  greater than 10 % or 25 % of total household consumption *or income*
  (WHO, "Monitoring Sustainable Development Goals – Indicator 3.8.2",
  who.int/health_financing/topics/financial-protection/monitoring-sdg; Wagstaff et al.,
  Lancet Glob Health 2018;6:e169–79).
* **Capacity to pay** — WHO (Xu et al., "Household catastrophic health expenditure: a
  multicountry analysis", Lancet 2003;362:111–117): out-of-pocket exceeding 40 % of the income
  left after subsistence needs. Xu et al. take subsistence as a food-based poverty line, or the
  household's actual food spending where that is lower (sub-method 2 in the overview of
  Cost Eff Resour Alloc 2023, doi:10.1186/s12962-023-00457-5, table 1).

What the data allows: insurance records carry neither household consumption nor food
spending nor household membership. The proxy is per person: the person's out-of-pocket
(:func:`yibao.reform.compare.oop`) against the annual per-capita disposable income of the
person's household (``household_income_fen``, synthetic in a ``yibao synth`` province). The
subsistence amount is the national per-capita food, tobacco and liquor consumption, 8,411 yuan
(NBS 2024), or 29.8 % of the person's income (its share of consumption, NBS 2024) where that is
lower. Figures: NBS 2024 income and consumption release, repost at
xzhangyanghe.cn/display.php?id=16834 [N].

Comparisons are integer: ``oop × 10 000 > threshold units × base``, never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from yibao.money import Fen, div_half_up_array, ratio_units

SUBSISTENCE_FEN: Final[Fen] = 841_100  # NBS 2024 per-capita food, tobacco and liquor spending
FOOD_SHARE: Final = Decimal("0.298")  # NBS 2024 share of food, tobacco and liquor in spending


@dataclass(frozen=True, slots=True)
class CheRule:
    """One definition: out-of-pocket above ``threshold`` of income or of capacity to pay."""

    key: str
    label: str
    threshold: Decimal
    capacity: bool  # against capacity to pay (income − subsistence) rather than income
    source: str


RULES: Final = (
    CheRule("sdg10", "SDG 3.8.2: > 10 % of income", Decimal("0.10"), False, "WHO/World Bank"),
    CheRule("sdg25", "SDG 3.8.2: > 25 % of income", Decimal("0.25"), False, "WHO/World Bank"),
    CheRule(
        "who40",
        "WHO: > 40 % of capacity to pay",
        Decimal("0.40"),
        True,
        "Xu et al. 2003 (WHO)",
    ),
)


def capacity_to_pay(income: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Income less subsistence: the standard food amount, or the food share of the income
    where that is lower (non-negative incomes).

    >>> capacity_to_pay(np.array([0, 1_000_000, 10_000_000])).tolist()
    [0, 702000, 9158900]
    """
    income = np.asarray(income, np.int64)
    food = div_half_up_array(income * ratio_units(FOOD_SHARE), 10_000)
    return np.asarray(income - np.minimum(SUBSISTENCE_FEN, food), np.int64)


def catastrophic(
    oop: npt.NDArray[np.int64], income: npt.NDArray[np.int64], rule: CheRule
) -> npt.NDArray[np.bool_]:
    """Whether each person's out-of-pocket is catastrophic under ``rule``; a person without a
    positive income is never counted (no capacity to measure against).

    >>> rule = RULES[0]
    >>> catastrophic(np.array([1000, 1001, 5]), np.array([10000, 10000, 0]), rule).tolist()
    [False, True, False]
    """
    income = np.asarray(income, np.int64)
    base = capacity_to_pay(income) if rule.capacity else income
    over = np.asarray(oop, np.int64) * 10_000 > ratio_units(rule.threshold) * base
    return np.asarray((income > 0) & over, np.bool_)

"""Household income of the insured (家庭人均可支配收入): SYNTHETIC, for distribution analyses.

``household_income_fen`` is the annual per-capita disposable income of the person's household,
in fen. Insurance records carry no such figure; the reform analysis needs one to rank persons
into income deciles and to measure catastrophic health expenditure against a capacity to pay.
It is drawn from its own random stream, so adding it changed no other column.

| quantity | value used | source |
|---|---|---|
| spread | lognormal, σ = 0.74 | least-squares fit to the NBS 2023 quintile groups (五等份收入分组): each group's share of the sum of the five group means is 4.4 / 9.9 / 15.5 / 24.2 / 45.9 % (9,215 … 95,055 yuan); the lognormal gives 5.6 / 10.3 / 15.3 / 22.7 / 46.1 % |
| employees (active, retired) | mean 54,188 yuan | NBS 2024: urban per-capita disposable income (城镇居民人均可支配收入) |
| residents | mean 23,119 yuan | NBS 2024: rural per-capita disposable income (农村居民人均可支配收入); most residents are rural ([M]: an approximation, urban non-employed residents are pooled in) |
| assistance categories | mean 9,215 yuan, σ = 0.35 | NBS 2023: low-income quintile group (低收入组) mean; σ [M] |
| active employees' rank | by wage | the household income rises with the person's own wage (z-score of log wage), [M] |

NBS 2024 figures: 2024 income and consumption release (全国居民人均可支配收入 41,314 yuan;
urban 54,188; rural 23,119; median 34,707), repost at xzhangyanghe.cn/display.php?id=16834
[N]. NBS 2023 quintile groups: 2023 statistical communiqué as reported by The Paper
(thepaper.cn/newsDetail_forward_26506891, 2024-02-29) [N].
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

SIGMA: Final = 0.74
MEAN_YUAN: Final = {"employee": 54_188, "resident": 23_119, "assistance": 9_215}
ASSISTANCE_SIGMA: Final = 0.35  # [M]


def _lognormal(mean: float, sigma: float, z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Values with the given mean for standard-normal ``z``."""
    return np.asarray(mean * np.exp(sigma * z - sigma**2 / 2), np.float64)


def household_income(
    seed: int,
    employee: npt.NDArray[np.bool_],
    wage_fen: npt.NDArray[np.int64],
    assistance: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """Annual per-capita household disposable income in whole yuan as fen, one per person.

    ``wage_fen`` is −1 where a person has no wage (retirees, residents).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    z = rng.standard_normal(len(employee))
    waged = wage_fen > 0
    if waged.sum() > 1:
        logw = np.log(wage_fen[waged].astype(np.float64))
        spread = logw.std()
        if spread > 0:
            z[waged] = (logw - logw.mean()) / spread
    yuan = np.where(
        employee,
        _lognormal(MEAN_YUAN["employee"], SIGMA, z),
        _lognormal(MEAN_YUAN["resident"], SIGMA, z),
    )
    yuan = np.where(assistance, _lognormal(MEAN_YUAN["assistance"], ASSISTANCE_SIGMA, z), yuan)
    return np.round(yuan).astype(np.int64) * 100

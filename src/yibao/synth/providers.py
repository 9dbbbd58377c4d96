"""Designated providers (定点医药机构): hospitals by level, community health centres, pharmacies.

Counts per prefecture scale with its insured population (densities in :mod:`calibration`,
[M]) with a floor, so that a small demo has every kind. Each provider has a popularity weight
(Pareto, [M]) so that a few large hospitals take many patients, as they do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.synth import calibration as cal
from yibao.synth.config import SynthConfig

PROVIDER_KINDS: tuple[str, ...] = ("hospital", "community", "pharmacy")
LEVELS: tuple[str, ...] = ("L1", "L2", "L3")
# Care categories a claim chooses among: (kind, level).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("hospital", "L1"),
    ("hospital", "L2"),
    ("hospital", "L3"),
    ("community", "L1"),
    ("pharmacy", "L1"),
)
_NAMES: dict[tuple[str, str], str] = {
    ("hospital", "L3"): "第{no}人民医院（三级）",
    ("hospital", "L2"): "第{no}医院（二级）",
    ("hospital", "L1"): "第{no}镇卫生院（一级）",
    ("community", "L1"): "第{no}社区卫生服务中心",
    ("pharmacy", "L1"): "第{no}大药房",
}


@dataclass(frozen=True)
class Providers:
    """Providers as parallel arrays (index = provider number − 1)."""

    region: npt.NDArray[np.int64]
    category: npt.NDArray[np.int64]  # index into CATEGORIES
    popularity: npt.NDArray[np.float64]
    names: list[str]

    def __len__(self) -> int:
        return len(self.region)

    @property
    def kind(self) -> npt.NDArray[np.int64]:
        lookup = np.array([PROVIDER_KINDS.index(k) for k, _ in CATEGORIES])
        return lookup[self.category]

    @property
    def level(self) -> npt.NDArray[np.int64]:
        lookup = np.array([LEVELS.index(lv) for _, lv in CATEGORIES])
        return lookup[self.category]


def generate_providers(
    config: SynthConfig, insured_by_region: npt.NDArray[np.int64], rng: np.random.Generator
) -> Providers:
    regions: list[int] = []
    categories: list[int] = []
    names: list[str] = []
    for r, code in enumerate(config.prefectures):
        millions = insured_by_region[r] / 1e6
        for c, cat in enumerate(CATEGORIES):
            count = max(cal.PROVIDER_FLOOR[cat], round(millions * cal.PROVIDERS_PER_MILLION[cat]))
            regions.extend([r] * count)
            categories.extend([c] * count)
            label = config.region_name(code)
            names.extend(f"{label} " + _NAMES[cat].format(no=i + 1) for i in range(count))
    popularity = rng.pareto(1.5, len(regions)) + 1.0
    return Providers(np.array(regions), np.array(categories), popularity, names)


def provider_picker(
    providers: Providers,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """Tables to draw a provider of a (region, category) group by popularity in one search.

    Returns the global cumulative weights (group g occupies (g, g + 1]), the providers in that
    order, each group's first position, and the number of categories.
    """
    ncat = len(CATEGORIES)
    group = providers.region * ncat + providers.category
    order = np.argsort(group, kind="stable")
    g_sorted = group[order]
    w = providers.popularity[order]
    cum = np.empty(len(order))
    for g in np.unique(g_sorted):
        sel = g_sorted == g
        cum[sel] = g + np.cumsum(w[sel]) / w[sel].sum()
    first = np.searchsorted(g_sorted, np.arange(int(providers.region.max() + 1) * ncat))
    return cum, order, first, ncat


def pick_providers(
    table: tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64], int],
    region: npt.NDArray[np.int64],
    category: npt.NDArray[np.int64],
    u: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    """A provider of each claim's (region, category) drawn by popularity."""
    cum, order, _first, ncat = table
    g = region * ncat + category
    pos = np.searchsorted(cum, g + np.clip(u, 1e-12, 1 - 1e-12), side="left")
    return order[np.minimum(pos, len(order) - 1)]

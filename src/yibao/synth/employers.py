"""Employer units (参保单位) and the assignment of employees in service to them.

Kinds follow the 2024 bulletin split (PF §10): enterprises, public institutions, and flexible
workers (灵活就业) who contribute individually; the latter are grouped under one pseudo-unit
per prefecture. Unit sizes are heavy-tailed (Pareto weights, [M]).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.synth.config import SynthConfig
from yibao.synth.population import EMPLOYER_KINDS, Persons

MEAN_SIZE: dict[str, int] = {"enterprise": 25, "public_institution": 60}  # [M]
KIND_NAMES: dict[str, str] = {
    "enterprise": "示范企业{no}有限公司",
    "public_institution": "示范事业单位{no}",
    "flexible": "灵活就业人员（个人参保）",
}


@dataclass(frozen=True)
class Employers:
    """Employer units as parallel arrays, and each person's employer index (−1 = none)."""

    region: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    employee_count: npt.NDArray[np.int64]
    names: list[str]
    of_person: npt.NDArray[np.int64]


def _units(count: int, kind: str) -> int:
    if kind == "flexible":
        return 1
    return max(2, -(-count // MEAN_SIZE[kind]))


def generate_employers(
    config: SynthConfig, persons: Persons, rng: np.random.Generator
) -> Employers:
    regions: list[int] = []
    kinds: list[int] = []
    names: list[str] = []
    of_person = np.full(len(persons), -1, np.int64)
    for r, code in enumerate(config.prefectures):
        for k, kind in enumerate(EMPLOYER_KINDS):
            members = np.flatnonzero((persons.region == r) & (persons.employer_kind == k))
            units = _units(len(members), kind)
            weights = rng.pareto(1.2, units) + 1.0
            first = len(regions)
            choice = rng.choice(units, size=len(members), p=weights / weights.sum())
            of_person[members] = first + choice
            regions.extend([r] * units)
            kinds.extend([k] * units)
            label = config.region_name(code)
            names.extend(
                f"{label} " + KIND_NAMES[kind].format(no=f"{i + 1:05d}") for i in range(units)
            )
    count = np.bincount(of_person[of_person >= 0], minlength=len(regions)).astype(np.int64)
    return Employers(np.array(regions), np.array(kinds), count, names, of_person)

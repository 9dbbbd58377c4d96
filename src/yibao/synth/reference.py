"""Reference data of the generator: conditions, their codes, and how catalogue items are used.

Read once from ``yibao/synth/data`` (see its README for sources) into numpy arrays.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from yibao.money import yuan_to_fen
from yibao.policy.catalogue import Catalogue, demo_catalogue
from yibao.types import ItemClass, ItemKind, VisitType

VISIT_ORDER: tuple[VisitType, ...] = (
    VisitType.INPATIENT,
    VisitType.OUTPATIENT_GENERAL,
    VisitType.OUTPATIENT_CHRONIC,
    VisitType.PHARMACY,
)
"""Visit types by their integer code in the generator's arrays."""


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("yibao.synth.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass(frozen=True)
class CodeRanges:
    """Codes grouped by condition: codes[start[c] : start[c] + count[c]] belong to c."""

    codes: npt.NDArray[np.object_]
    start: npt.NDArray[np.int64]
    count: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Conditions:
    """Conditions (病种) the generator draws, with eligibility and cost parameters."""

    name: tuple[str, ...]
    setting: npt.NDArray[np.str_]  # inpatient | outpatient | chronic
    profile: tuple[str, ...]
    sex: npt.NDArray[np.int64]  # 0 any, 1 male, 2 female
    min_age: npt.NDArray[np.int64]
    max_age: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    cost_factor: npt.NDArray[np.float64]
    los_mean: npt.NDArray[np.float64]
    main_dx: CodeRanges
    procedures: CodeRanges
    secondary: CodeRanges
    comorbidities: npt.NDArray[np.object_]


@dataclass(frozen=True)
class Items:
    """Catalogue items as the generator uses them, indexed 0..n-1, grouped by role."""

    code: npt.NDArray[np.object_]
    price_fen: npt.NDArray[np.int64]
    cap_fen: npt.NDArray[np.int64]  # -1 = no cap
    sex: npt.NDArray[np.int64]  # 0 any
    min_age: npt.NDArray[np.int64]
    max_age: npt.NDArray[np.int64]
    visit_mask: npt.NDArray[np.int64]  # bit v set = covered for VISIT_ORDER[v]
    roles: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]  # items, cum. weights
    restricted_drugs: npt.NDArray[np.int64]  # drugs with a sex, age or visit restriction

    def pick(self, role: str, u: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Items of a role drawn by weight, one per uniform number in ``u``."""
        members, cum = self.roles[role]
        pos = np.searchsorted(cum, u * cum[-1], side="right").clip(0, len(members) - 1)
        picked: npt.NDArray[np.int64] = members[pos]
        return picked

    def fallback(self, role: str) -> int:
        """The role's heaviest item without restrictions (used to replace ineligible lines)."""
        members, cum = self.roles[role]
        weights = np.diff(np.concatenate([[0.0], cum]))
        free = (
            (self.sex[members] == 0)
            & (self.min_age[members] < 0)
            & (self.max_age[members] < 0)
            & (self.visit_mask[members] == (1 << len(VISIT_ORDER)) - 1)
        )
        candidates = np.flatnonzero(free)
        if len(candidates) == 0:
            return int(members[np.argmax(weights)])
        return int(members[candidates[np.argmax(weights[candidates])]])


def _ranges(by_condition: dict[str, list[str]], names: tuple[str, ...]) -> CodeRanges:
    codes: list[str] = []
    start, count = [], []
    for name in names:
        start.append(len(codes))
        count.append(len(by_condition.get(name, [])))
        codes.extend(by_condition.get(name, []))
    return CodeRanges(np.array(codes, dtype=object), np.array(start), np.array(count))


@cache
def conditions() -> Conditions:
    rows = _rows("conditions.csv")
    names = tuple(r["condition"] for r in rows)
    codes: dict[str, dict[str, list[str]]] = {}
    for r in _rows("codes.csv"):
        codes.setdefault(r["role"], {}).setdefault(r["condition"], []).append(r["code"])
    return Conditions(
        name=names,
        setting=np.array([r["setting"] for r in rows]),
        profile=tuple(r["profile"] for r in rows),
        sex=np.array([int(r["sex"] or 0) for r in rows]),
        min_age=np.array([int(r["min_age"]) for r in rows]),
        max_age=np.array([int(r["max_age"]) for r in rows]),
        weight=np.array([float(r["weight"]) for r in rows]),
        cost_factor=np.array([float(r["cost_factor"]) for r in rows]),
        los_mean=np.array([float(r["los_mean"]) for r in rows]),
        main_dx=_ranges(codes["main_dx"], names),
        procedures=_ranges(codes["procedure"], names),
        secondary=_ranges(codes["secondary_procedure"], names),
        comorbidities=np.array(codes["comorbidity"]["*"], dtype=object),
    )


def _visit_mask(visits: frozenset[VisitType] | None) -> int:
    if visits is None:
        return (1 << len(VISIT_ORDER)) - 1
    return sum(1 << i for i, v in enumerate(VISIT_ORDER) if v in visits)


@cache
def items(catalogue: Catalogue | None = None) -> Items:
    cat = catalogue or demo_catalogue()
    rows = _rows("item_usage.csv")
    entries = [cat.item(r["item_code"]) for r in rows]  # unknown codes fail here
    roles: dict[str, tuple[list[int], list[float]]] = {}
    for i, r in enumerate(rows):
        members, weights = roles.setdefault(r["role"], ([], []))
        members.append(i)
        weights.append(float(r["weight"]))
    restricted = [
        i
        for i, e in enumerate(entries)
        if e.kind is ItemKind.DRUG
        and e.item_class is not ItemClass.C
        and (e.sex, e.min_age, e.max_age, e.visit_types) != (None, None, None, None)
    ]
    return Items(
        code=np.array([e.code for e in entries], dtype=object),
        price_fen=np.array([yuan_to_fen(r["price"]) for r in rows], np.int64),
        cap_fen=np.array([-1 if e.price_cap is None else e.price_cap for e in entries], np.int64),
        sex=np.array([0 if e.sex is None else int(e.sex.value) for e in entries], np.int64),
        min_age=np.array([-1 if e.min_age is None else e.min_age for e in entries], np.int64),
        max_age=np.array([-1 if e.max_age is None else e.max_age for e in entries], np.int64),
        visit_mask=np.array([_visit_mask(e.visit_types) for e in entries], np.int64),
        roles={
            k: (np.array(m, np.int64), np.cumsum(np.array(w, np.float64)))
            for k, (m, w) in roles.items()
        },
        restricted_drugs=np.array(restricted, np.int64),
    )

"""Disability assessment (失能等级评估) per the 2021 national standard's dimensions.

长期护理失能等级评估标准(试行), 医保办发〔2021〕37号: 3 first-level indicators, 17 items, a
first-level grade per indicator, and a combination (组合法) giving level 0–5. The item point
values are from the standard's forms as published in public repositories. The official score
bands per grade and the combination table were NOT found in the sources: the bands below are
SYNTHETIC (the ADL bands borrow the Barthel-style bands 100 / 65–95 / 45–60 / ≤40, themselves
unconfirmed for this standard) and are labelled so in every result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from yibao.errors import InputError

ADL_ITEMS: Mapping[str, tuple[int, ...]] = {
    "eating": (0, 5, 10),  # 进食
    "dressing": (0, 5, 10),  # 穿衣
    "face_mouth_cleaning": (0, 5),  # 面部与口腔清洁
    "bowel_control": (0, 5, 10),  # 大便控制
    "bladder_control": (0, 5, 10),  # 小便控制
    "toileting": (0, 5, 10),  # 用厕
    "walking": (0, 5, 10, 15),  # 平地行走
    "bed_chair_transfer": (0, 5, 10, 15),  # 床椅转移
    "stairs": (0, 5, 10),  # 上下楼
    "bathing": (0, 5),  # 洗澡
}
"""日常生活活动能力: 10 items, maximum 100."""

COGNITION_ITEMS: Mapping[str, tuple[int, ...]] = {
    name: (0, 1, 2, 3, 4)
    for name in ("time_orientation", "person_orientation", "space_orientation", "memory")
}
"""认知能力: 4 items scored 0–4, maximum 16."""

PERCEPTION_ITEMS: Mapping[str, tuple[int, ...]] = {
    name: (0, 1, 2, 3, 4) for name in ("vision", "hearing", "communication")
}
"""感知觉与沟通能力: 3 items scored 0–4, maximum 12."""

INDICATORS: Mapping[str, Mapping[str, tuple[int, ...]]] = {
    "adl": ADL_ITEMS,
    "cognition": COGNITION_ITEMS,
    "perception": PERCEPTION_ITEMS,
}


class Level(IntEnum):
    """The six final levels of the 2021 standard."""

    NORMAL = 0  # 基本正常
    MILD = 1  # 轻度失能
    MODERATE = 2  # 中度失能
    SEVERE_I = 3  # 重度失能Ⅰ级
    SEVERE_II = 4  # 重度失能Ⅱ级
    SEVERE_III = 5  # 重度失能Ⅲ级


# SYNTHETIC first-level grade bands: (lowest score of the grade, grade), best grade first.
# Grade 0 intact, 1 mild, 2 moderate, 3 severe, 4 very severe (ADL only).
SYNTHETIC_BANDS: Mapping[str, tuple[tuple[int, int], ...]] = {
    "adl": ((100, 0), (65, 1), (45, 2), (25, 3), (0, 4)),
    "cognition": ((16, 0), (12, 1), (8, 2), (0, 3)),
    "perception": ((12, 0), (9, 1), (6, 2), (0, 3)),
}
BANDS_NOTE = "SYNTHETIC bands: the official grade bands and combination table are not in the facts"


@dataclass(frozen=True, slots=True)
class Assessment:
    """One assessment record: the item scores, when it was made and until when it holds."""

    person_id: str
    assessed_on: date
    valid_until: date
    disabled_since: date  # start of the disability the applicant documents (≥6 months)
    scores: Mapping[str, Mapping[str, int]]  # indicator → item → points


@dataclass(frozen=True, slots=True)
class Outcome:
    """Indicator totals, first-level grades and the final level, with the bands' status."""

    totals: Mapping[str, int]
    grades: Mapping[str, int]
    level: Level
    note: str = BANDS_NOTE


def validate(a: Assessment) -> None:
    """Refuse unknown indicators or items, missing items and points the form does not offer."""
    unknown = sorted(set(a.scores) - set(INDICATORS))
    if unknown:
        raise InputError(f"assessment {a.person_id}: unknown indicator '{unknown[0]}'")
    for indicator, items in INDICATORS.items():
        given = a.scores.get(indicator)
        if given is None:
            raise InputError(f"assessment {a.person_id}: indicator '{indicator}' is missing")
        extra = sorted(set(given) - set(items))
        if extra:
            raise InputError(f"assessment {a.person_id}: unknown {indicator} item '{extra[0]}'")
        for item, allowed in items.items():
            if item not in given:
                raise InputError(f"assessment {a.person_id}: {indicator} item '{item}' missing")
            if given[item] not in allowed:
                raise InputError(
                    f"assessment {a.person_id}: {indicator}.{item} = {given[item]!r} "
                    f"is not one of {list(allowed)}"
                )
    if a.valid_until < a.assessed_on:
        raise InputError(f"assessment {a.person_id}: valid_until is before assessed_on")
    if a.disabled_since > a.assessed_on:
        raise InputError(f"assessment {a.person_id}: disabled_since is after assessed_on")


def grade(indicator: str, total: int) -> int:
    """The first-level grade of an indicator total (SYNTHETIC bands)."""
    for lowest, g in SYNTHETIC_BANDS[indicator]:
        if total >= lowest:
            return g
    raise AssertionError("bands end at 0")


def combine(grades: Mapping[str, int]) -> Level:
    """SYNTHETIC combination: ADL sets the level, impaired cognition or perception raises it.

    Follows the only hint in the facts ("ADL moderate + cognition mild → moderate; ADL severe +
    cognition mild → severe I"): a moderate-or-worse cognition or perception grade adds one.
    """
    impaired = max(grades["cognition"], grades["perception"])
    if grades["adl"] == 0 and impaired == 0:
        return Level.NORMAL
    level = max(grades["adl"], 1) + (1 if impaired >= 2 else 0)
    return Level(min(level, Level.SEVERE_III))


def assess(a: Assessment) -> Outcome:
    """Validate the record and map it to a level."""
    validate(a)
    totals = {ind: sum(a.scores[ind].values()) for ind in INDICATORS}
    grades = {ind: grade(ind, t) for ind, t in totals.items()}
    return Outcome(totals, grades, combine(grades))

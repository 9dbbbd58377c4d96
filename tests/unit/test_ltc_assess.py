"""Disability assessment: the facts' worked example 9 and the bad-input refusals."""

from __future__ import annotations

from datetime import date

import pytest

from yibao.errors import InputError
from yibao.ltc.assess import Assessment, Level, assess

# policy-facts-2 §8 example 9: ADL items as listed, total 55 of 100.
ADL_EXAMPLE_9 = {
    "eating": 5,
    "dressing": 0,
    "face_mouth_cleaning": 0,
    "bowel_control": 10,
    "bladder_control": 10,
    "toileting": 5,
    "walking": 15,
    "bed_chair_transfer": 10,
    "stairs": 0,
    "bathing": 0,
}
INTACT_COGNITION = dict.fromkeys(
    ("time_orientation", "person_orientation", "space_orientation", "memory"), 4
)
INTACT_PERCEPTION = dict.fromkeys(("vision", "hearing", "communication"), 4)


def record(adl: dict[str, int], cognition: dict[str, int] | None = None) -> Assessment:
    return Assessment(
        "P1",
        date(2025, 3, 1),
        date(2027, 2, 28),
        date(2024, 6, 1),
        {
            "adl": adl,
            "cognition": cognition or INTACT_COGNITION,
            "perception": INTACT_PERCEPTION,
        },
    )


def test_example_9_adl_total_55_is_moderate() -> None:
    out = assess(record(ADL_EXAMPLE_9))
    assert out.totals == {"adl": 55, "cognition": 16, "perception": 12}
    assert out.level is Level.MODERATE
    assert "SYNTHETIC" in out.note


def test_impaired_cognition_raises_the_level() -> None:
    poor = dict.fromkeys(INTACT_COGNITION, 2)  # 8 of 16
    assert assess(record(ADL_EXAMPLE_9, poor)).level is Level.SEVERE_I


def test_fully_dependent_with_impaired_cognition_is_severe_iii() -> None:
    zero = dict.fromkeys(ADL_EXAMPLE_9, 0)
    assert assess(record(zero, dict.fromkeys(INTACT_COGNITION, 0))).level is Level.SEVERE_III


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"eating": 7}, "adl.eating = 7"),
        ({"flying": 5}, "unknown adl item 'flying'"),
    ],
)
def test_bad_scores_are_refused(change: dict[str, int], message: str) -> None:
    with pytest.raises(InputError, match=message):
        assess(record({**ADL_EXAMPLE_9, **change}))

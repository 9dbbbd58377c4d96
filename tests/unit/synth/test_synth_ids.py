"""Identifiers: fixed-width codes and GB 11643-1999 identity numbers."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from yibao.synth.ids import (
    check_char,
    fixed_ids,
    id_numbers,
    is_valid_id_number,
    sequence_codes,
)


def test_fixed_ids() -> None:
    out = fixed_ids("P", np.array([1, 23, 9_999_999]), 7).to_pylist()
    assert out == ["P0000001", "P0000023", "P9999999"]


def test_known_check_characters() -> None:
    # the standard's worked example and a number ending in X
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("110105194912310021")
    assert not is_valid_id_number("11010519491231002")


@given(
    st.lists(
        st.tuples(
            st.integers(110000, 999999),
            st.dates(min_value=date(1900, 1, 1),
                     max_value=date(2030, 12, 31)),
            st.integers(1, 999),
        ),
        min_size=1,
        max_size=30,
    )
)  # fmt: skip
def test_vectorised_numbers_match_the_scalar_rule(rows: list[tuple[int, object, int]]) -> None:
    region = np.array([r[0] for r in rows], np.int64)
    birth = np.array([str(r[1]) for r in rows], dtype="datetime64[D]")
    seq = np.array([r[2] for r in rows], np.int64)
    for (reg, day, sq), number in zip(
        rows, id_numbers(region, birth, seq).to_pylist(), strict=True
    ):
        assert number[:6] == f"{reg:06d}"
        assert number[6:14] == str(day).replace("-", "")
        assert number[14:17] == f"{sq:03d}"
        assert number[17] == check_char(number[:17])


def test_sequence_codes_unique_and_odd_for_men() -> None:
    region = np.array([990100] * 5 + [990200])
    days = np.array([100, 100, 100, 100, 101, 100])
    male = np.array([True, True, False, False, True, True])
    seq = sequence_codes(region, days, male)
    assert list(seq % 2) == [1, 1, 0, 0, 1, 1]
    keys = set(zip(region, days, seq, strict=True))
    assert len(keys) == len(seq)

"""GB 11643 identity numbers: check digit, birth date, sex, masking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao.enroll.idcard import check_character, mask, parse_identity
from yibao.errors import InputError
from yibao.types import Sex


def test_published_example() -> None:
    # the example number of GB 11643-1999 Annex: 11010519491231002X
    ident = parse_identity("11010519491231002x")
    assert ident.number == "11010519491231002X"
    assert ident.birth_date == date(1949, 12, 31)
    assert ident.sex is Sex.FEMALE  # sequence 002 is even
    assert ident.region == "110105"
    assert ident.masked == "110105********002X"


@pytest.mark.parametrize(
    ("number", "fault"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491231002", "18 characters"),
        ("1101051949123100XX", "18 characters"),
        ("110105194913310028", "birth date"),
        ("11010518000101002X", "not plausible"),
    ],
)
def test_refuses(number: str, fault: str) -> None:
    with pytest.raises(InputError, match=fault) as e:
        parse_identity(number, "person.id_number")
    assert str(e.value).startswith("person.id_number:")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_accepted(first17: str) -> None:
    good = check_character(first17)
    for c in "0123456789X":
        n = first17 + c
        try:
            parse_identity(n)
            ok = True
        except InputError as e:
            ok = False
            if c == good:
                assert "check digit" not in str(e)  # only a bad date may refuse it
        if ok:
            assert c == good


def test_mask_hides_birth_date_and_sequence() -> None:
    assert mask("440308199001011234") == "440308********1234"
    assert "19900101" not in mask("440308199001011234")

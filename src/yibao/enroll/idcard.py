"""The 18-digit resident identity number (公民身份号码, GB 11643-1999).

Six digits of region, eight of birth date, three of sequence (odd for men, even for women)
and a check character computed by ISO 7064 MOD 11-2 over the first seventeen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from yibao.errors import InputError
from yibao.types import Sex

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"  # remainder → check character (GB 11643 Table 1)


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """A valid identity number and what it says of its holder."""

    number: str
    region: str
    birth_date: date
    sex: Sex

    @property
    def masked(self) -> str:
        """For display and logs: region prefix and last four only (``110101********123X``)."""
        return mask(self.number)


def check_character(first17: str) -> str:
    """The GB 11643 check character of seventeen digits.

    >>> check_character("11010519491231002")
    'X'
    """
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def mask(number: str) -> str:
    """An identity number with the birth date and sequence hidden.

    >>> mask("11010519491231002X")
    '110105********002X'
    """
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def parse_identity(number: str, where: str = "id_number") -> IdentityNumber:
    """Validate an 18-digit identity number; the error names ``where`` and says what is wrong.

    >>> parse_identity("11010519491231002X").birth_date
    datetime.date(1949, 12, 31)
    """
    if not isinstance(number, str):
        raise InputError(f"{where}: expected text, got {type(number).__name__}")
    n = number.strip().upper()
    if len(n) != 18 or not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        raise InputError(f"{where}: must be 17 digits and a digit or X (18 characters)")
    try:
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        raise InputError(f"{where}: positions 7-14 are not a valid birth date") from None
    if born.year < 1880:
        raise InputError(f"{where}: birth year {born.year} is not plausible")
    if check_character(n[:17]) != n[17]:
        raise InputError(f"{where}: check digit does not match (GB 11643)")
    sex = Sex.MALE if int(n[16]) % 2 == 1 else Sex.FEMALE
    return IdentityNumber(n, n[:6], born, sex)

"""Catalogue restrictions (限性别 / 限年龄 / 限就诊类别): the one rule, on values or columns.

An item of the reimbursement catalogue may be covered only for one sex, an age range or some
visit types; used outside them it is full self-pay for the bill split and a finding for
supervision. :func:`restriction` is that rule, written once with :mod:`yibao.formula`
operations so that it evaluates on one line's Python values (``policy.catalogue``,
``settle.split``) and on Ibis columns (``settle.batch.split_lines``, supervision's line rules).

Which age: the age in whole years on the **admission date** (入院日期). The catalogue
restricts who the item is for, and the patient is that person from the start of the stay:
a child admitted at 17 who turns 18 on the ward is treated as a child for the whole stay.
It is also the age the settlement list records: 《医疗保障基金结算清单填写规范》(医保办发
〔2021〕34号) takes 年龄 as the 实足年龄 at admission, as the inpatient front sheet does
(《住院病案首页数据填写质量规范》). [T: our reading, not yet in policy-facts.md.]
For an outpatient visit admission and settlement are the same day.
"""

from __future__ import annotations

from typing import Any, Final

from yibao.formula import contains, or_default, where

NO_MAX_AGE: Final = 200
"""Stands for "no upper age" when a restriction has none."""

SEX: Final = "sex"
MIN_AGE: Final = "min_age"
MAX_AGE: Final = "max_age"
VISIT: Final = "visit"
NONE: Final = ""


def visits_key(visit_types: Any) -> str | None:
    """A set of visit types as the ``|a|b|`` key that :func:`restriction` searches."""
    if visit_types is None:
        return None
    return "|" + "|".join(sorted(str(v) for v in visit_types)) + "|"


def restriction(
    r_sex: Any, min_age: Any, max_age: Any, r_visits: Any, sex: Any, age: Any, visit: Any
) -> Any:
    """Which restriction a use breaks: ``"sex"``, ``"min_age"``, ``"max_age"``, ``"visit"``,
    or ``""`` when the item is covered.

    ``r_sex``, ``min_age``, ``max_age`` and ``r_visits`` (a :func:`visits_key`) are the item's
    restrictions, each None (null) when absent; ``sex``, ``age`` (at admission) and ``visit``
    describe the use. Sexes and visit types are compared as their string values.

    >>> restriction("2", None, None, None, "1", 30, "inpatient")
    'sex'
    >>> restriction(None, 18, None, "|inpatient|", "1", 17, "inpatient")
    'min_age'
    >>> restriction(None, None, None, "|inpatient|", "1", 40, "outpatient")
    'visit'
    """
    key = "|" + visit + "|"
    return where(
        or_default(r_sex, sex) != sex,
        SEX,
        where(
            age < or_default(min_age, 0),
            MIN_AGE,
            where(
                age > or_default(max_age, NO_MAX_AGE),
                MAX_AGE,
                where(contains(or_default(r_visits, key), key), NONE, VISIT),
            ),
        ),
    )

"""A care case (护理待遇申请) read from a file, checked and settled bill by bill.

A case is one person: their basic insurance enrolment, their disability assessment and the
month's care bills (护理费用清单). Reading refuses unknown fields and bad values with one line;
settling checks eligibility (:mod:`yibao.ltc.eligibility`) before the benefit rule.

File shape::

    person:     {id, scheme: employee|resident, enrolled_since: YYYY-MM-DD}
    assessment: {assessed_on, valid_until, disabled_since, scores: {adl: {item: points}, …}}
    bills:      [{id, provider, month: YYYY-MM, form, days, cost (yuan)}]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yibao.errors import InputError
from yibao.io.records import Obj
from yibao.ltc.assess import Assessment, Outcome, assess
from yibao.ltc.benefit import CareBill, CareSettlement, Pack, settle_bill
from yibao.ltc.eligibility import Enrolment, check
from yibao.types import Scheme

CASE_KEYS = frozenset({"person", "assessment", "bills"})
PERSON_KEYS = frozenset({"id", "scheme", "enrolled_since"})
ASSESSMENT_KEYS = frozenset({"assessed_on", "valid_until", "disabled_since", "scores"})
BILL_KEYS = frozenset({"id", "provider", "month", "form", "days", "cost"})


@dataclass(frozen=True, slots=True)
class Case:
    enrolment: Enrolment
    assessment: Assessment
    bills: tuple[CareBill, ...]


def read_assessment(raw: object, person_id: str, where: str) -> Assessment:
    """An assessment record; item scores are checked by :func:`yibao.ltc.assess.validate`."""
    o = Obj(raw, where, ASSESSMENT_KEYS)
    scores = o.raw("scores")
    if not isinstance(scores, dict) or not all(isinstance(v, dict) for v in scores.values()):
        raise InputError(f"{o.at('scores')}: expected indicator → item → points")
    for ind, items in scores.items():
        for item, points in items.items():
            if isinstance(points, bool) or not isinstance(points, int):
                raise InputError(f"{o.at('scores')}.{ind}.{item}: expected whole points")
    return Assessment(
        person_id, o.day("assessed_on"), o.day("valid_until"), o.day("disabled_since"), scores
    )


def _month(o: Obj, key: str) -> date:
    text = o.text(key)
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise InputError(f"{o.at(key)}: expected a month YYYY-MM, got {text!r}") from None


def read_bill(raw: object, person_id: str, where: str) -> CareBill:
    o = Obj(raw, where, BILL_KEYS)
    return CareBill(
        o.text("id"),
        person_id,
        o.text("provider"),
        _month(o, "month"),
        o.text("form"),
        o.count("days"),
        o.money("cost", 0),
    )


def read_case(raw: object, where: str) -> Case:
    """A whole case file, strictly."""
    o = Obj(raw, where, CASE_KEYS)
    p = Obj(o.raw("person"), o.at("person"), PERSON_KEYS)
    who = Enrolment(p.text("id"), p.enum("scheme", Scheme), p.day("enrolled_since"))
    a = read_assessment(o.raw("assessment"), who.person_id, o.at("assessment"))
    bills = tuple(
        read_bill(b, who.person_id, f"{o.at('bills')}[{i}]") for i, b in enumerate(o.items("bills"))
    )
    ids = [b.bill_id for b in bills]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup is not None:
        raise InputError(f"{o.at('bills')}: bill id '{dup}' appears twice")
    return Case(who, a, bills)


def settle_case(pack: Pack, case: Case) -> tuple[Outcome, list[tuple[CareBill, CareSettlement]]]:
    """Assess, check eligibility of every bill, then settle them all (all or nothing)."""
    outcome = assess(case.assessment)
    for bill in case.bills:
        check(
            pack.eligibility,
            pack.min_level,
            case.enrolment,
            case.assessment,
            outcome.level,
            bill.month,
            bill.bill_id,
        )
    return outcome, [(b, settle_bill(pack, b, outcome.level)) for b in case.bills]

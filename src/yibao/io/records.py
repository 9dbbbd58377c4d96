"""Plain data (parsed JSON or YAML) ↔ the settlement records, strictly.

Every reader takes the parsed data and ``where``, a label naming the file and the place in it
(``claim.json``, ``scenarios/x.yaml: claims[2]``). An unknown key, a missing key, a wrong
type, a negative or non-numeric amount is an :class:`~yibao.errors.InputError` whose one-line
message names the key and the value at fault. Money is in yuan in files (a number or a
decimal string, at most two places) and in fen in memory.

The writers turn a :class:`~yibao.settle.engine.Settlement` into JSON-ready data: amounts in
yuan as strings, the trace with every cited parameter.

Field names
-----------
person:  ``id, scheme, type, sex, birth_date | age, region, assistance, enrolled_from,
enrolled_to, account_balance``
claim:   ``id, provider, level, region, visit, date | admit_date + discharge_date, route,
lines | presplit``
line:    ``code, amount, quantity, unit_price, class, preself_ratio, price_cap, fund_ratio``
presplit: ``total, full_selfpay, over_limit, preself, item_fund, item_fund_scope``
accumulators: ``year, pools {visit: {admissions, scope, deductible}}, ceiling_scope {group},
ceiling_fund {group}, large_amount_paid, ci_base, ci_paid, assistance_base,
assistance_paid, tilt_paid, account_balance``
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeVar

from yibao import limits
from yibao.errors import InputError
from yibao.money import Fen, MoneyError, fen_to_yuan, ratio, yuan_to_fen
from yibao.policy.pack import Citation
from yibao.policy.schema import AgeBand, Band, Kind, leaf_spec
from yibao.settle.engine import Settlement, Step
from yibao.settle.model import Accumulators, Claim, Line, Person, PoolTotals, PreSplit
from yibao.settle.parts import INTERFACE_CODES, Parts
from yibao.settle.split import LineSplit
from yibao.text import clean_text
from yibao.types import (
    PERSON_TYPES_BY_SCHEME,
    AssistanceCategory,
    ItemClass,
    Level,
    PersonType,
    Route,
    Scheme,
    Sex,
    VisitType,
)

_E = TypeVar("_E", bound=StrEnum)
_MISSING: Final = object()
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

PERSON_KEYS: Final = frozenset(
    {
        "id",
        "scheme",
        "type",
        "sex",
        "birth_date",
        "age",
        "region",
        "assistance",
        "enrolled_from",
        "enrolled_to",
        "account_balance",
    }
)
CLAIM_KEYS: Final = frozenset(
    {
        "id",
        "provider",
        "level",
        "region",
        "visit",
        "date",
        "admit_date",
        "discharge_date",
        "route",
        "lines",
        "presplit",
    }
)
LINE_KEYS: Final = frozenset(
    {
        "code",
        "amount",
        "quantity",
        "unit_price",
        "class",
        "preself_ratio",
        "price_cap",
        "fund_ratio",
    }
)
PRESPLIT_KEYS: Final = frozenset(
    {"total", "full_selfpay", "over_limit", "preself", "item_fund", "item_fund_scope"}
)
_ACC_MONEY: Final = (
    "large_amount_paid",
    "ci_base",
    "ci_paid",
    "assistance_base",
    "assistance_paid",
    "tilt_paid",
)
ACCUMULATOR_KEYS: Final = frozenset(
    {"year", "pools", "ceiling_scope", "ceiling_fund", "account_balance", *_ACC_MONEY}
)
_POOL_KEYS: Final = frozenset({"admissions", "scope", "deductible"})
_SEX_WORDS: Final = {"male": Sex.MALE, "female": Sex.FEMALE, "1": Sex.MALE, "2": Sex.FEMALE}


class Obj:
    """A mapping read from a file, with the label that names it in error messages.

    Construction refuses a non-mapping and any key outside ``allowed``.
    """

    def __init__(self, data: object, where: str, allowed: frozenset[str]) -> None:
        if not isinstance(data, Mapping):
            raise InputError(f"{where}: expected a mapping of fields, got {_show(data)}")
        for key in data:
            if not isinstance(key, str):
                raise InputError(f"{where}: field names must be text, got {key!r}")
            if key not in allowed:
                raise InputError(
                    f"{where}: unknown field {key!r}; allowed: {', '.join(sorted(allowed))}"
                )
        self.data: Mapping[str, object] = data
        self.where = where

    def at(self, key: str) -> str:
        """The label of one field: ``file: a.b``."""
        return f"{self.where}.{key}" if ": " in self.where else f"{self.where}: {key}"

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> object:
        """The value of a required field."""
        if key not in self.data or self.data[key] is None:
            raise InputError(f"{self.at(key)}: missing (required)")
        return self.data[key]

    def text(self, key: str, default: str | None = None) -> str:
        if not self.has(key):
            if default is not None:
                return default
            self.raw(key)
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise InputError(f"{self.at(key)}: expected text, got {_show(value)}")
        return clean_text(str(value), self.at(key))

    def money(
        self, key: str, default: Fen | None = None, maximum: int = limits.JOURNAL_MAX_FEN
    ) -> Fen:
        if not self.has(key) and default is not None:
            return default
        return money(self.raw(key), self.at(key), maximum=maximum)

    def opt_money(self, key: str, maximum: int = limits.JOURNAL_MAX_FEN) -> Fen | None:
        return money(self.data[key], self.at(key), maximum=maximum) if self.has(key) else None

    def opt_ratio(self, key: str) -> Decimal | None:
        return ratio_value(self.data[key], self.at(key)) if self.has(key) else None

    def count(
        self,
        key: str,
        default: int | None = None,
        minimum: int = 0,
        maximum: int = limits.WHOLE_MAX,
    ) -> int:
        if not self.has(key) and default is not None:
            return default
        return whole(self.raw(key), self.at(key), minimum, maximum)

    def day(self, key: str) -> date:
        return day_value(self.raw(key), self.at(key))

    def opt_day(self, key: str) -> date | None:
        return day_value(self.data[key], self.at(key)) if self.has(key) else None

    def enum(self, key: str, enum: type[_E], default: _E | None = None) -> _E:
        if not self.has(key) and default is not None:
            return default
        return enum_value(self.raw(key), self.at(key), enum)

    def items(self, key: str) -> list[object]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise InputError(f"{self.at(key)}: expected a non-empty list, got {_show(value)}")
        return value


def _show(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Decimal):
        return repr(str(value))
    return repr(value)


def money(
    value: object,
    where: str,
    *,
    allow_negative: bool = False,
    maximum: int = limits.JOURNAL_MAX_FEN,
) -> Fen:
    """Yuan (a number or decimal string) as fen; refuses negative, non-numeric, sub-fen,
    non-ASCII digits, exponents, and amounts beyond ``maximum`` fen (:mod:`yibao.limits`)."""
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
        raise InputError(f"{where}: expected an amount in yuan, got {_show(value)}")
    text = value.strip() if isinstance(value, str) else str(value)
    try:
        fen = yuan_to_fen(limits.ascii_amount(text, where))
    except MoneyError as e:
        raise InputError(f"{where}: {e}") from None
    if fen < 0 and not allow_negative:
        raise InputError(f"{where}: amount must not be negative, got {_show(value)}")
    return limits.within(fen, maximum, where)


def ratio_value(value: object, where: str) -> Decimal:
    """A ratio in [0, 1] with at most four places."""
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
        raise InputError(f"{where}: expected a ratio such as 0.1, got {_show(value)}")
    try:
        r = ratio(limits.ascii_ratio(str(value).strip(), where))
    except MoneyError as e:
        raise InputError(f"{where}: {e}") from None
    if not Decimal(0) <= r <= Decimal(1):
        raise InputError(f"{where}: a ratio must lie in [0, 1], got {_show(value)}")
    return r


def whole(value: object, where: str, minimum: int = 0, maximum: int = limits.WHOLE_MAX) -> int:
    """A whole number in [``minimum``, ``maximum``]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: expected a whole number, got {_show(value)}")
    if value < minimum:
        raise InputError(f"{where}: must be at least {minimum}, got {value}")
    if value > maximum:
        raise InputError(f"{where}: must be at most {maximum:,}")
    return value


def day_value(value: object, where: str) -> date:
    """A date given as YYYY-MM-DD (text, or a YAML date)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{where}: expected a date YYYY-MM-DD, got {_show(value)}")


def enum_value(value: object, where: str, enum: type[_E]) -> _E:
    """One of the values of ``enum``."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is not None:
        if enum is Sex and text.lower() in _SEX_WORDS:
            return enum(_SEX_WORDS[text.lower()].value)
        if enum is Level and text in ("1", "2", "3"):
            return enum(f"L{text}")
        try:
            return enum(text)
        except ValueError:
            pass
    allowed = ", ".join(m.value for m in enum)
    if enum is Sex:
        allowed = "1 (male), 2 (female)"
    raise InputError(f"{where}: unknown value {_show(value)}; expected one of {allowed}")


# ------------------------------------------------------------------------------- readers


@dataclass(frozen=True, slots=True)
class PersonInput:
    """A person record and the individual account balance the file gives (fen)."""

    person: Person
    account_balance: Fen | None


def _birth_from_age(age: int, on: date) -> date:
    """A birth date making the person ``age`` on every day of the year of ``on``."""
    return date(on.year - age, 1, 1)


def read_person(data: object, where: str, on: date | None = None) -> PersonInput:
    """A person. ``age`` (instead of ``birth_date``) needs ``on``: the person is that age
    throughout the year of ``on`` (born on 1 January)."""
    o = Obj(data, where, PERSON_KEYS)
    if o.has("birth_date") == o.has("age"):
        raise InputError(f"{where}: give exactly one of birth_date and age")
    if o.has("birth_date"):
        birth = o.day("birth_date")
    else:
        age = o.count("age")
        if age > 150:
            raise InputError(f"{o.at('age')}: must be at most 150, got {age}")
        if on is None:
            raise InputError(f"{o.at('age')}: give birth_date (no reference date for an age)")
        birth = _birth_from_age(age, on)
    scheme = o.enum("scheme", Scheme)
    person_type = o.enum("type", PersonType)
    if person_type not in PERSON_TYPES_BY_SCHEME[scheme]:
        allowed = ", ".join(PERSON_TYPES_BY_SCHEME[scheme])
        raise InputError(
            f"{o.at('type')}: {person_type.value!r} is not a person type of the {scheme.value} "
            f"scheme; expected one of {allowed}"
        )
    enrolled_from, enrolled_to = o.opt_day("enrolled_from"), o.opt_day("enrolled_to")
    if enrolled_from and enrolled_to and enrolled_to < enrolled_from:
        raise InputError(
            f"{o.at('enrolled_to')}: {enrolled_to} is before enrolled_from {enrolled_from}"
        )
    person = Person(
        person_id=o.text("id", "P1"),
        scheme=scheme,
        person_type=person_type,
        sex=o.enum("sex", Sex),
        birth_date=birth,
        insured_region=o.text("region", ""),
        assistance_category=(
            o.enum("assistance", AssistanceCategory) if o.has("assistance") else None
        ),
        enrolled_from=enrolled_from,
        enrolled_to=enrolled_to,
    )
    return PersonInput(person, o.opt_money("account_balance", limits.ACCOUNT_MAX_FEN))


def read_line(data: object, where: str) -> Line:
    """One bill line; ``class`` and the ratios make it self-describing (no catalogue)."""
    o = Obj(data, where, LINE_KEYS)
    inline = [k for k in ("preself_ratio", "price_cap", "fund_ratio") if o.has(k)]
    if inline and not o.has("class"):
        raise InputError(f"{o.at(inline[0])}: an inline {inline[0]} needs the line's class")
    item_class = o.enum("class", ItemClass) if o.has("class") else None
    if item_class is ItemClass.C and inline:
        raise InputError(f"{o.at(inline[0])}: a class C line is all self-pay and takes no ratio")
    quantity = o.count("quantity", 1, minimum=1, maximum=limits.QUANTITY_MAX)
    unit_price = o.opt_money("unit_price", limits.LINE_MAX_FEN)
    if unit_price is not None and not o.has("amount"):
        amount = limits.within(unit_price * quantity, limits.LINE_MAX_FEN, o.at("quantity"))
    else:
        amount = o.money("amount", maximum=limits.LINE_MAX_FEN)
    return Line(
        code=o.text("code"),
        amount=amount,
        quantity=quantity,
        unit_price=unit_price,
        item_class=item_class,
        preself_ratio=o.opt_ratio("preself_ratio"),
        price_cap=o.opt_money("price_cap", limits.LINE_MAX_FEN),
        fund_ratio=o.opt_ratio("fund_ratio"),
    )


def read_presplit(data: object, where: str) -> PreSplit:
    """Amounts of a bill already split by the catalogue."""
    o = Obj(data, where, PRESPLIT_KEYS)
    split = PreSplit(
        total=o.money("total", maximum=limits.CLAIM_MAX_FEN),
        full_selfpay=o.money("full_selfpay", 0),
        over_limit=o.money("over_limit", 0),
        preself=o.money("preself", 0),
        item_fund=o.money("item_fund", 0),
        item_fund_scope=o.money("item_fund_scope", 0),
    )
    if split.scope < 0:
        raise InputError(
            f"{where}: full_selfpay + over_limit + preself ({fen_to_yuan(split.total - split.scope)})"
            f" exceed the total {fen_to_yuan(split.total)}"
        )
    if split.item_fund_scope > split.scope or split.item_fund > split.item_fund_scope:
        raise InputError(
            f"{where}: item_fund ≤ item_fund_scope ≤ the policy scope "
            f"{fen_to_yuan(split.scope)} must hold"
        )
    return split


def read_claim(
    data: object, where: str, *, default_id: str = "C1", default_region: str = ""
) -> Claim:
    """A claim with ``lines`` or ``presplit``; ``date`` stands for a one-day visit."""
    o = Obj(data, where, CLAIM_KEYS)
    if o.has("date"):
        if o.has("admit_date") or o.has("discharge_date"):
            raise InputError(f"{o.at('date')}: give date, or admit_date and discharge_date")
        admit = discharge = o.day("date")
    else:
        discharge = o.day("discharge_date")
        admit = o.opt_day("admit_date") or discharge
    if admit > discharge:
        raise InputError(f"{o.at('admit_date')}: {admit} is after discharge_date {discharge}")
    if o.has("lines") == o.has("presplit"):
        raise InputError(f"{where}: give exactly one of lines and presplit")
    lines: tuple[Line, ...] = ()
    presplit = None
    if o.has("lines"):
        items = o.items("lines")
        if len(items) > limits.LINES_MAX:
            raise InputError(f"{o.at('lines')}: more than {limits.LINES_MAX:,} lines")
        lines = tuple(read_line(x, f"{o.at('lines')}[{i}]") for i, x in enumerate(items, 1))
        limits.check_sum([x.amount for x in lines], limits.CLAIM_MAX_FEN, o.at("lines"))
    else:
        presplit = read_presplit(o.raw("presplit"), o.at("presplit"))
    return Claim(
        claim_id=o.text("id", default_id),
        provider_id=o.text("provider", "provider"),
        level=o.enum("level", Level),
        treatment_region=o.text("region", default_region),
        visit_type=o.enum("visit", VisitType),
        admit_date=admit,
        discharge_date=discharge,
        route=o.enum("route", Route, Route.LOCAL),
        lines=lines,
        presplit=presplit,
    )


def _money_map(data: object, where: str) -> MappingProxyType[str, Fen]:
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: expected a mapping of group → yuan, got {_show(data)}")
    return MappingProxyType({str(k): money(v, f"{where}.{k}") for k, v in data.items()})


def read_accumulators(data: object, where: str, year: int | None = None) -> Accumulators:
    """Year-to-date totals (yuan). ``year`` defaults to the given one (else it is required)."""
    o = Obj(data, where, ACCUMULATOR_KEYS)
    y = o.count("year", year, minimum=1900) if year is not None else o.count("year")
    if year is not None and y != year:
        raise InputError(f"{o.at('year')}: {y} is not the year of the claims ({year})")
    pools: dict[str, PoolTotals] = {}
    if o.has("pools"):
        raw = o.raw("pools")
        if not isinstance(raw, Mapping):
            raise InputError(f"{o.at('pools')}: expected a mapping visit type → totals")
        for visit, totals in raw.items():
            label = f"{o.at('pools')}.{visit}"
            v = enum_value(visit, label, VisitType)
            p = Obj(totals, label, _POOL_KEYS)
            pools[v.value] = PoolTotals(
                p.count("admissions", 0), p.money("scope", 0), p.money("deductible", 0)
            )
    return Accumulators(
        year=y,
        pools=MappingProxyType(pools),
        ceiling_scope=_money_map(o.data.get("ceiling_scope") or {}, o.at("ceiling_scope")),
        ceiling_fund=_money_map(o.data.get("ceiling_fund") or {}, o.at("ceiling_fund")),
        account_balance=o.money("account_balance", 0, limits.ACCOUNT_MAX_FEN),
        **{name: o.money(name, 0) for name in _ACC_MONEY},
    )


# ------------------------------------------------------------------------------- writers


def yuan(fen: Fen) -> str:
    """Fen as a yuan string with two places (``"13160.00"``)."""
    return str(fen_to_yuan(fen))


PART_NAMES: Final = (*(f.name for f in fields(Parts)), "fund_total")


def part_value(parts: Parts, name: str) -> Fen:
    """One part by name, ``fund_total`` included."""
    value: Fen = getattr(parts, name)
    return value


def parts_to_data(parts: Parts) -> dict[str, dict[str, str]]:
    """Every part: ``{name: {"code": interface code, "yuan": "…"}}``."""
    return {
        name: {"code": INTERFACE_CODES[name], "yuan": yuan(part_value(parts, name))}
        for name in PART_NAMES
    }


def _value_data(path: str, value: object) -> object:
    spec = leaf_spec(path)
    money_leaf = spec is not None and spec.kind is Kind.MONEY
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return yuan(value) if money_leaf else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Band):
        return {"upto": None if value.upto is None else yuan(value.upto), "ratio": str(value.ratio)}
    if isinstance(value, AgeBand):
        return {"min_age": value.min_age, "add": str(value.add)}
    if isinstance(value, tuple):
        return [_value_data(path, v) for v in value]
    return str(value)


def citation_to_data(c: Citation) -> dict[str, object]:
    """A cited parameter: path, value (money in yuan), period, pack and reference."""
    return {
        "path": c.path,
        "value": _value_data(c.path, c.value),
        "from": c.start.isoformat(),
        "to": c.end.isoformat() if c.end else None,
        "pack": c.pack,
        "reference": {
            "key": c.reference.key,
            "title": c.reference.title,
            "url": c.reference.url,
            "synthetic": c.reference.synthetic,
        },
    }


def citation_value_text(c: Citation) -> str:
    """The cited value as short text (money in yuan)."""
    v = _value_data(c.path, c.value)
    if isinstance(v, list):
        return "[" + ", ".join(_compact(x) for x in v) + "]"
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def _compact(x: object) -> str:
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {'null' if v is None else v}" for k, v in x.items()) + "}"
    return str(x)


def step_to_data(step: Step) -> dict[str, object]:
    return {
        "step": step.name,
        "text": step.text,
        "amounts": {k: yuan(v) for k, v in step.amounts.items()},
        "citations": [citation_to_data(c) for c in step.citations],
        "rounded_at": [str(s) for s in step.stages],
    }


def line_to_data(s: LineSplit) -> dict[str, object]:
    return {
        "code": s.code,
        "amount": yuan(s.amount),
        "full_selfpay": yuan(s.full_selfpay),
        "over_limit": yuan(s.over_limit),
        "preself": yuan(s.preself),
        "scope": yuan(s.scope),
        "item_fund": yuan(s.item_fund),
        "outside_schedule": s.outside_schedule,
        "reason": s.reason,
    }


def accumulators_to_data(acc: Accumulators) -> dict[str, object]:
    """Accumulators in the form :func:`read_accumulators` reads (yuan as strings)."""
    return {
        "year": acc.year,
        "pools": {
            k: {
                "admissions": p.admissions,
                "scope": yuan(p.scope),
                "deductible": yuan(p.deductible),
            }
            for k, p in sorted(acc.pools.items())
        },
        "ceiling_scope": {k: yuan(v) for k, v in sorted(acc.ceiling_scope.items())},
        "ceiling_fund": {k: yuan(v) for k, v in sorted(acc.ceiling_fund.items())},
        **{name: yuan(getattr(acc, name)) for name in _ACC_MONEY},
        "account_balance": yuan(acc.account_balance),
    }


def settlement_to_data(s: Settlement) -> dict[str, object]:
    """A settlement as JSON-ready data."""
    return {
        "claim_id": s.claim_id,
        "person_id": s.person_id,
        "settle_date": s.settle_date.isoformat(),
        "admission_seq": s.admission_seq,
        "parts": parts_to_data(s.parts),
        "lines": [line_to_data(x) for x in s.lines],
        "trace": [step_to_data(x) for x in s.trace],
        "before": accumulators_to_data(s.before),
        "after": accumulators_to_data(s.after),
    }

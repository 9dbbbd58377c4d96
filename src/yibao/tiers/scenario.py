"""Supplementary-tier worked examples: the basic settlement's parts as the source states them,
the person, the tiers in order, and the published payments.

Shape::

    name: …
    source: {url: …, note: …}
    tiers: [civil-servant-example, huhuibao-2025]   # shipped tier ids, in chain order
    person: {scheme: employee, person_type: active, preexisting: false}
    visit: inpatient
    day: 2025-06-30
    parts: {total, full_selfpay, over_limit, scope, pooled_fund, coinsurance, over_ceiling,
            large_amount, critical_illness, assistance, account, cash}   # yuan
    expect: {payments: {tier/duty: yuan}, cash: yuan, account: yuan}
    # or
    expect_error: "…"
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from yibao.errors import InputError
from yibao.io.records import Obj, money
from yibao.io.yamlio import parse_yaml, read_text
from yibao.settle.parts import Parts
from yibao.tiers.epidemic import FiscalShare, check_window, fiscal_share, regime
from yibao.tiers.supplementary import Holder, load_tier, supplement
from yibao.types import PersonType, Scheme, VisitType

TOP_KEYS = frozenset(
    {
        "name",
        "source",
        "tiers",
        "person",
        "visit",
        "day",
        "parts",
        "epidemic",
        "expect",
        "expect_error",
    }
)
EPIDEMIC_KEYS = frozenset({"regime", "status", "admitted"})
EXPECT_KEYS = frozenset({"payments", "cash", "account", "fiscal", "central", "local"})
PART_KEYS = frozenset(
    {
        "total",
        "full_selfpay",
        "over_limit",
        "preself",
        "scope",
        "deductible",
        "pooled_fund",
        "coinsurance",
        "over_ceiling",
        "large_amount",
        "critical_illness",
        "assistance",
        "account",
        "cash",
    }
)


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def read_parts(raw: object, where: str) -> Parts:
    """Basic parts in yuan; the two identities of :class:`Parts` must hold."""
    o = Obj(raw, where, PART_KEYS)
    parts = Parts(**{k: o.money(k, 0) for k in PART_KEYS})
    bad = [v for v in parts.violations() if "scope parts" not in v]
    if bad:
        raise InputError(f"{where}: {bad[0]}")
    return parts


def run_file(path: Path) -> Result:
    o = Obj(parse_yaml(read_text(path), str(path)), str(path), TOP_KEYS)
    if o.has("expect") == o.has("expect_error"):
        raise InputError(f"{path}: give exactly one of expect, expect_error")
    p = Obj(o.raw("person"), o.at("person"), frozenset({"scheme", "person_type", "preexisting"}))
    names = o.data.get("tiers") or []
    if not isinstance(names, list):
        raise InputError(f"{o.at('tiers')}: expected a list of tier ids")
    tiers = [load_tier(str(n)) for n in names]
    who = Holder(
        p.enum("scheme", Scheme),
        p.enum("person_type", PersonType),
        frozenset(t.tier_id for t in tiers),
        bool(p.data.get("preexisting", False)),
    )
    parts = read_parts(o.raw("parts"), o.at("parts"))
    visit, day = o.enum("visit", VisitType), o.day("day")
    if o.has("expect_error"):
        want = o.text("expect_error")
        try:
            _epidemic(o, parts, visit)
            supplement(tiers, who, parts, visit, day, {})
        except InputError as err:
            ok = want in str(err)
            return Result(o.text("name"), () if ok else (f"error {str(err)!r} lacks {want!r}",))
        return Result(o.text("name"), (f"expected the error {want!r}",))
    fiscal, parts = _epidemic(o, parts, visit)
    s = supplement(tiers, who, parts, visit, day, {})
    e = Obj(o.raw("expect"), o.at("expect"), EXPECT_KEYS)
    failures: list[str] = []
    if fiscal is not None:
        for key, v in (
            ("fiscal", fiscal.amount),
            ("central", fiscal.central),
            ("local", fiscal.local),
        ):
            if e.has(key) and e.money(key) != v:
                failures.append(f"{key}: {v} fen, expected {e.raw(key)} yuan")
    got = {f"{x.tier_id}/{x.duty}": x.amount for x in s.payments}
    expected = e.raw("payments") if e.has("payments") else {}
    if not isinstance(expected, dict):
        raise InputError(f"{e.at('payments')}: expected tier/duty → yuan")
    for key, value in expected.items():
        w = money(value, f"{e.at('payments')}.{key}")
        if got.get(str(key), 0) != w:
            failures.append(f"{key}: {got.get(str(key), 0)} fen, expected {value} yuan")
    for key, v in (("cash", s.cash), ("account", s.account)):
        if e.has(key) and e.money(key) != v:
            failures.append(f"{key}: {v} fen, expected {e.raw(key)} yuan")
    return Result(o.text("name"), tuple(failures))


def _epidemic(o: Obj, parts: Parts, visit: VisitType) -> tuple[FiscalShare | None, Parts]:
    """The epidemic overlay's fiscal share, and the parts the tiers then see (nothing owed)."""
    if not o.has("epidemic"):
        return None, parts
    ep = Obj(o.raw("epidemic"), o.at("epidemic"), EPIDEMIC_KEYS)
    r = regime(ep.text("regime"))
    check_window(r, ep.text("status"), ep.day("admitted"), visit, ep.where)
    return fiscal_share(r, parts), replace(parts, account=0, cash=0)


def run_dir(path: Path) -> list[Result]:
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no scenario files")
    return [run_file(f) for f in files]

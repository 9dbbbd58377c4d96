"""Family mutual-aid scenarios: a binding, the holder's balance, what the member owes.

Shape::

    name: …
    source: {url: …, note: …}
    binding: {owner, owner_region, member, member_region, relation, bound_from}
    day: 2024-09-01
    balance: "3000"
    pays: claim | contribution
    owed: "1150"                 # the member's cash share, or the resident contribution
    expect: {paid: "…", balance_after: "…"}   # or expect_error: "…"
"""

from __future__ import annotations

from pathlib import Path

from yibao.errors import InputError
from yibao.io.records import Obj
from yibao.io.yamlio import parse_yaml, read_text
from yibao.tiers.family import NATIONAL, Binding, Relation, pay_claim, pay_contribution
from yibao.tiers.scenario import Result

TOP_KEYS = frozenset(
    {"name", "source", "binding", "day", "balance", "pays", "owed", "expect", "expect_error"}
)
BINDING_KEYS = frozenset(
    {"owner", "owner_region", "member", "member_region", "relation", "bound_from"}
)


def read_binding(raw: object, where: str) -> Binding:
    b = Obj(raw, where, BINDING_KEYS)
    return Binding(
        b.text("owner"),
        b.text("owner_region"),
        b.text("member"),
        b.text("member_region"),
        b.enum("relation", Relation),
        b.day("bound_from"),
    )


def run_file(path: Path) -> Result:
    o = Obj(parse_yaml(read_text(path), str(path)), str(path), TOP_KEYS)
    if o.has("expect") == o.has("expect_error"):
        raise InputError(f"{path}: give exactly one of expect, expect_error")
    b = read_binding(o.raw("binding"), o.at("binding"))
    pays = o.text("pays")
    if pays not in ("claim", "contribution"):
        raise InputError(f"{o.at('pays')}: expected claim or contribution, got {pays!r}")
    fn = pay_claim if pays == "claim" else pay_contribution
    args = (NATIONAL, b, o.money("balance"), o.money("owed"), o.day("day"))
    name = o.text("name")
    if o.has("expect_error"):
        want = o.text("expect_error")
        try:
            fn(*args)
        except InputError as err:
            return Result(name, () if want in str(err) else (f"error {str(err)!r} lacks {want!r}",))
        return Result(name, (f"expected the error {want!r}",))
    got = fn(*args)
    e = Obj(o.raw("expect"), o.at("expect"), frozenset({"paid", "balance_after"}))
    failures = []
    for key, value in (("paid", got.amount), ("balance_after", got.balance_after)):
        if e.has(key) and e.money(key) != value:
            failures.append(f"{key}: {value} fen, expected {e.raw(key)} yuan")
    return Result(name, tuple(failures))


def run_dir(path: Path) -> list[Result]:
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no scenario files")
    return [run_file(f) for f in files]

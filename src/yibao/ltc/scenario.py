"""LTC worked-example scenarios: a readable YAML case with its published figures.

Shape::

    name: …
    source: {url: …, note: …}
    pack: tengzhou            # a shipped LTC pack
    overrides: {cap_mode: …, eligibility: {…}}   # optional, labelled synthetic in the result
    case: {person, assessment, bills}            # as ``yibao ltc settle`` reads it
    expect: {level: 3, bills: {B1: {ltc_fund: "100.00", personal: "50.00"}}}
    # or
    expect_error: "in the waiting period"

Expected figures come from the facts' worked examples (policy-facts-2 §8), never from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from yibao.errors import InputError
from yibao.io.records import Obj, money
from yibao.io.yamlio import parse_yaml, read_text
from yibao.ltc.benefit import CAP_MODES, Pack, shipped_pack
from yibao.ltc.care import read_case, settle_case
from yibao.ltc.eligibility import parse_eligibility
from yibao.policy.errors import PolicyError

TOP_KEYS = frozenset({"name", "source", "pack", "overrides", "case", "expect", "expect_error"})


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    path: str
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def _pack(o: Obj) -> Pack:
    pack = shipped_pack(o.text("pack"))
    if not o.has("overrides"):
        return pack
    ov = Obj(o.raw("overrides"), o.at("overrides"), frozenset({"cap_mode", "eligibility"}))
    if ov.has("cap_mode"):
        mode = ov.text("cap_mode")
        if mode not in CAP_MODES:
            raise InputError(f"{ov.at('cap_mode')}: expected one of {list(CAP_MODES)}")
        pack = replace(pack, cap_mode=mode)
    if ov.has("eligibility"):
        try:
            pack = replace(pack, eligibility=parse_eligibility(ov.raw("eligibility"), ov.where))
        except PolicyError as e:
            raise InputError(str(e)) from None
    return pack


def _check(o: Obj, pack: Pack) -> list[str]:
    case = read_case(o.raw("case"), o.at("case"))
    if o.has("expect_error"):
        want = o.text("expect_error")
        try:
            settle_case(pack, case)
        except InputError as e:
            return [] if want in str(e) else [f"error {str(e)!r} does not say {want!r}"]
        return [f"expected the error {want!r}, but the case settled"]
    exp = Obj(o.raw("expect"), o.at("expect"), frozenset({"level", "bills"}))
    outcome, settled = settle_case(pack, case)
    failures: list[str] = []
    if exp.has("level") and exp.count("level") != int(outcome.level):
        failures.append(f"level {int(outcome.level)}, expected {exp.count('level')}")
    by_id = {b.bill_id: s for b, s in settled}
    bills = exp.raw("bills") if exp.has("bills") else {}
    if not isinstance(bills, dict):
        raise InputError(f"{exp.at('bills')}: expected bill id → figures")
    for bid, want in bills.items():
        w = Obj(want, f"{exp.at('bills')}.{bid}", frozenset({"ltc_fund", "personal"}))
        got = by_id.get(str(bid))
        if got is None:
            failures.append(f"bill {bid}: not in the case")
            continue
        for key, value in (("ltc_fund", got.fund), ("personal", got.personal)):
            if w.has(key) and money(w.raw(key), w.at(key)) != value:
                failures.append(f"bill {bid}: {key} {value} fen, expected {w.raw(key)} yuan")
    return failures


def run_file(path: Path) -> Result:
    """Run one scenario file; bad files raise a one-line :class:`InputError`."""
    o = Obj(parse_yaml(read_text(path), str(path)), str(path), TOP_KEYS)
    if o.has("expect") == o.has("expect_error"):
        raise InputError(f"{path}: give exactly one of expect, expect_error")
    return Result(o.text("name"), str(path), tuple(_check(o, _pack(o))))


def run_dir(path: Path) -> list[Result]:
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no scenario files")
    return [run_file(f) for f in files]

"""LTC benefits by care form (护理形式) and the settlement of a monthly care bill.

Rules per region come from the packs in ``packs/`` (each value cited). Two cap modes exist in
the sources (policy-facts-2 §1.5 modelling notes): ``ratio_then_cap`` pays
min(cost × ratio, cap); ``cap_then_ratio`` pays min(cost, cap) × ratio. Family care is a flat
cash amount per day. No pilot found has a deductible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import yaml

from yibao.errors import InputError
from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.ltc.assess import Level
from yibao.ltc.eligibility import Eligibility, parse_eligibility
from yibao.ltc.schema import LEAVES
from yibao.money import Fen, Stage, apply_ratio, ratio, yuan_to_fen
from yibao.policy.errors import PolicyError

CAP_MODES = ("ratio_then_cap", "cap_then_ratio")
PACK_KEYS = frozenset(path.split(".")[0] for path in LEAVES)  # the schema's top level
RULE_KEYS = frozenset(path.split(".")[-1] for path in LEAVES if path.startswith("rules."))


@dataclass(frozen=True, slots=True)
class Rule:
    """The payment rule of one care form: ratio and caps, or a flat cash amount per day."""

    form: str
    ratio: Decimal | None
    day_cap: Fen | None
    month_cap: Fen | None
    cash_per_day: Fen | None
    source: str


@dataclass(frozen=True, slots=True)
class Pack:
    region: str
    min_level: Level
    cap_mode: str
    rules: Mapping[str, Rule]
    eligibility: Eligibility
    ledger_region: str = ""  # 6-digit code of the fund's ledger accounts


@dataclass(frozen=True, slots=True)
class CareBill:
    """A month's care bill (护理费用) of one person in one care form."""

    bill_id: str
    person_id: str
    provider_id: str
    month: date
    form: str
    days: int
    cost: Fen  # eligible care cost of the month


@dataclass(frozen=True, slots=True)
class CareSettlement:
    bill_id: str
    fund: Fen
    personal: Fen
    trace: tuple[str, ...]


def _money(raw: object, where: str) -> Fen | None:
    if raw is None:
        return None
    try:
        return yuan_to_fen(str(raw))
    except ValueError as e:
        raise PolicyError(f"{where}: {e}") from None


def parse_pack(data: object, source: str) -> Pack:
    """A pack from parsed YAML, refusing unknown keys and rules without a source."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: an LTC pack must be a mapping")
    unknown = sorted(set(data) - PACK_KEYS)
    if unknown:
        raise PolicyError(f"{source}: unknown key '{unknown[0]}'")
    if data.get("cap_mode") not in CAP_MODES:
        raise PolicyError(f"{source}: cap_mode must be one of {list(CAP_MODES)}")
    rules: dict[str, Rule] = {}
    for form, body in dict(data.get("rules") or {}).items():
        where = f"{source}: rule {form}"
        if not isinstance(body, dict) or not body.get("source"):
            raise PolicyError(f"{where} needs a source")
        extra = sorted(set(body) - RULE_KEYS)
        if extra:
            raise PolicyError(f"{where}: unknown key '{extra[0]}'")
        r = ratio(str(body["ratio"])) if "ratio" in body else None
        cash = _money(body.get("cash_per_day"), where)
        if (r is None) == (cash is None):
            raise PolicyError(f"{where}: give either ratio or cash_per_day")
        rules[str(form)] = Rule(
            str(form),
            r,
            _money(body.get("day_cap"), where),
            _money(body.get("month_cap"), where),
            cash,
            str(body["source"]),
        )
    if "eligibility" not in data:
        raise PolicyError(f"{source}: an LTC pack needs an eligibility block")
    try:
        min_level = Level(int(data["min_level"]))
    except (KeyError, TypeError, ValueError):
        raise PolicyError(f"{source}: min_level must be a level 0-5") from None
    return Pack(
        str(data["region"]),
        min_level,
        data["cap_mode"],
        rules,
        parse_eligibility(data["eligibility"], source),
        _ledger_region(data.get("ledger_region"), source),
    )


def _ledger_region(raw: object, source: str) -> str:
    code = str(raw or "")
    if not (len(code) == 6 and code.isdigit()):
        raise PolicyError(f"{source}: ledger_region must be a 6-digit region code, got {raw!r}")
    return code


def shipped_pack(region: str) -> Pack:
    """One of the packs shipped in ``yibao/ltc/packs``."""
    path = resources.files("yibao.ltc") / "packs" / f"{region}.yaml"
    if not path.is_file():
        raise InputError(f"no LTC pack for region '{region}'")
    return parse_pack(yaml.safe_load(path.read_text(encoding="utf-8")), f"{region}.yaml")


def load_pack(path: Path) -> Pack:
    return parse_pack(yaml.safe_load(path.read_text(encoding="utf-8")), str(path.name))


def settle_bill(pack: Pack, bill: CareBill, level: Level) -> CareSettlement:
    """The fund's share of a month's care bill, with a trace citing every parameter."""
    if level < pack.min_level:
        raise InputError(f"bill {bill.bill_id}: level {int(level)} is below {int(pack.min_level)}")
    rule = pack.rules.get(bill.form)
    if rule is None:
        raise InputError(f"bill {bill.bill_id}: form '{bill.form}' has no rule in {pack.region}")
    if bill.days < 0 or bill.cost < 0:
        raise InputError(f"bill {bill.bill_id}: days and cost must not be negative")
    trace = [f"{pack.region} {bill.form} [{rule.source}]"]
    if rule.cash_per_day is not None:
        fund = rule.cash_per_day * bill.days
        trace.append(f"cash {rule.cash_per_day} fen/day × {bill.days} days = {fund}")
        return CareSettlement(bill.bill_id, fund, 0, tuple(trace))
    assert rule.ratio is not None
    cap = None
    if rule.day_cap is not None:
        cap = rule.day_cap * bill.days
        trace.append(f"day cap {rule.day_cap} fen × {bill.days} days = {cap}")
    if rule.month_cap is not None:
        cap = rule.month_cap if cap is None else min(cap, rule.month_cap)
        trace.append(f"month cap {rule.month_cap} fen")
    if pack.cap_mode == "ratio_then_cap":
        share = apply_ratio(bill.cost, rule.ratio, Stage.LTC_BENEFIT)
        fund = share if cap is None else min(share, cap)
        trace.append(f"min({bill.cost} × {rule.ratio}, cap) = {fund}")
    else:
        base = bill.cost if cap is None else min(bill.cost, cap)
        fund = apply_ratio(base, rule.ratio, Stage.LTC_BENEFIT)
        trace.append(f"min({bill.cost}, cap) × {rule.ratio} = {fund}")
    return CareSettlement(bill.bill_id, fund, bill.cost - fund, tuple(trace))


def care_journal(journal_id: str, region: str, bill: CareBill, s: CareSettlement) -> Journal:
    """Dr the LTC fund's care expenditure, Cr its payable to the care provider."""
    lines = [
        (Account(region, Fund.LONG_TERM_CARE, Kind.EXPENDITURE, bill.form), s.fund),
        (Account(region, Fund.LONG_TERM_CARE, Kind.PAYABLE, "provider", bill.provider_id), -s.fund),
    ]
    return journal(
        journal_id, bill.month, "ltc_settlement", bill.bill_id, f"ltc {bill.bill_id}", lines
    )


def settle_month(
    pack: Pack, bills: list[tuple[CareBill, Level]], settled: frozenset[str]
) -> tuple[list[CareSettlement], list[Journal]]:
    """Settle bills not settled before (idempotent by bill id), one journal each."""
    results: list[CareSettlement] = []
    journals: list[Journal] = []
    seen = set(settled)
    for bill, level in bills:
        if bill.bill_id in seen:
            continue
        seen.add(bill.bill_id)
        s = settle_bill(pack, bill, level)
        results.append(s)
        journals.append(care_journal(f"ltc-{bill.bill_id}", pack.region, bill, s))
    return results, journals

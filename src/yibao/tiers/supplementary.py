"""Supplementary tiers after basic insurance, critical illness and assistance (补充保障层).

policy-facts-2 §4.1: after the pooled fund, the critical illness insurance or the employees'
large-amount supplement, and medical assistance, come the civil servants' medical subsidy
(公务员医疗补助) or an enterprise supplementary plan (企业补充医疗保险), then the city-customised
commercial insurance (惠民保). Each pays part of what the person still owes, from its own
bases: the in-catalogue self-pay (below the basic ceiling, and above it), the out-of-catalogue
self-pay. This module is a layer over a settled claim: it reads the basic parts and moves money
from the person's cash (then account) to the tiers, so the basic engine is untouched.

A duty (责任) is a schedule on the year's cumulative base: an annual deductible, ratio bands
above it, an annual cap. Ratios may differ for retirees and for pre-existing conditions
(既往症). Amounts round half-up per band at ``Stage.SUPPLEMENTARY``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from importlib import resources
from itertools import pairwise
from pathlib import Path

import yaml

from yibao.errors import InputError
from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen, Stage, apply_ratio, format_yuan, ratio, yuan_to_fen
from yibao.policy.errors import PolicyError
from yibao.settle.parts import Parts
from yibao.types import PersonType, Scheme, VisitType

KINDS: Mapping[str, tuple[str, Fund, int]] = {
    # kind → (national interface code, ledger fund, rank in the order of §4.1)
    "civil_servant": ("cvlserv_pay", Fund.CIVIL_SERVANT_SUBSIDY, 1),  # 公务员医疗补助
    "enterprise": ("hifes_pay", Fund.ENTERPRISE_SUPPLEMENT, 1),  # 企业补充医疗保险
    "commercial": ("oth_pay", Fund.COMMERCIAL, 2),  # 惠民保 (商业保险)
}
COVERS = ("in_catalogue", "in_catalogue_cash", "below_ceiling", "over_ceiling", "out_of_catalogue")
POSITIONS = ("after_assistance",)
TIER_KEYS = frozenset(
    {
        "id",
        "name",
        "kind",
        "payer",
        "position",
        "settlement",
        "schemes",
        "valid_from",
        "valid_to",
        "source",
        "synthetic",
        "duties",
    }
)
DUTY_KEYS = frozenset(
    {
        "covers",
        "visits",
        "deductible",
        "deductible_preexisting",
        "ratio",
        "ratio_retired",
        "ratio_preexisting",
        "bands",
        "annual_cap",
        "source",
    }
)


@dataclass(frozen=True, slots=True)
class Band:
    """Up to ``upto`` (cumulative base above the deductible; None = open) at these ratios."""

    upto: Fen | None
    ratio: Decimal
    ratio_retired: Decimal


@dataclass(frozen=True, slots=True)
class Duty:
    name: str
    covers: str
    visits: frozenset[VisitType]
    deductible: Fen
    deductible_preexisting: Fen
    bands: tuple[Band, ...]
    ratio_preexisting: Decimal | None
    annual_cap: Fen | None
    source: str


@dataclass(frozen=True, slots=True)
class Tier:
    """One supplementary product or plan, its payer and its duties."""

    tier_id: str
    name: str
    kind: str
    payer: str
    position: str
    one_stop: bool
    schemes: frozenset[Scheme]
    valid_from: date
    valid_to: date | None
    source: str
    synthetic: bool
    duties: tuple[Duty, ...]

    @property
    def code(self) -> str:
        return KINDS[self.kind][0]

    @property
    def fund(self) -> Fund:
        return KINDS[self.kind][1]


@dataclass(frozen=True, slots=True)
class Holder:
    """What the tiers need to know of the person (参保 / 投保 status)."""

    scheme: Scheme
    person_type: PersonType
    holds: frozenset[str]  # tier ids the person is enrolled in (投保, 公务员, an employer's staff)
    preexisting: bool = False  # 既往症, for commercial products that pay it at other ratios


@dataclass(frozen=True, slots=True)
class TierPayment:
    tier_id: str
    kind: str
    code: str
    duty: str
    base: Fen
    amount: Fen


@dataclass(frozen=True, slots=True)
class Used:
    """Year-to-date of one duty: the cumulative base and what it has paid."""

    base: Fen = 0
    paid: Fen = 0


@dataclass(frozen=True, slots=True)
class Supplemented:
    """The personal share after the tiers, each tier's payment, and the trace."""

    account: Fen
    cash: Fen
    payments: tuple[TierPayment, ...]
    used: Mapping[str, Used]
    trace: tuple[str, ...]

    @property
    def by_code(self) -> dict[str, Fen]:
        out: dict[str, Fen] = {}
        for p in self.payments:
            out[p.code] = out.get(p.code, 0) + p.amount
        return out


@dataclass
class _Buckets:
    """What the person still owes, by what it is."""

    below: Fen
    over: Fen
    out: Fen
    account: Fen
    cash: Fen
    taken: dict[str, Fen] = field(default_factory=dict)

    def base(self, covers: str) -> Fen:
        return {
            "in_catalogue": self.below + self.over,
            "in_catalogue_cash": min(self.below + self.over, self.cash),
            "below_ceiling": self.below,
            "over_ceiling": self.over,
            "out_of_catalogue": self.out,
        }[covers]

    def take(self, covers: str, amount: Fen) -> None:
        if covers == "out_of_catalogue":
            self.out -= amount
        elif covers == "over_ceiling":
            self.over -= amount
        else:
            from_below = min(amount, self.below)
            self.below -= from_below
            self.over -= amount - from_below
        from_cash = min(amount, self.cash)
        self.cash -= from_cash
        self.account -= amount - from_cash


def buckets(parts: Parts) -> _Buckets:
    """The person's remaining share split into in-catalogue (below / above the ceiling) and
    out-of-catalogue; the funds are taken to pay in-catalogue amounts only."""
    owed = parts.account + parts.cash
    out = min(owed, parts.full_selfpay + parts.over_limit)
    in_cat = owed - out
    over = min(in_cat, max(0, parts.over_ceiling - parts.large_amount - parts.critical_illness))
    return _Buckets(in_cat - over, over, out, parts.account, parts.cash)


def duty_pay(d: Duty, who: Holder, before: Used, base: Fen) -> tuple[Fen, list[str]]:
    """What a duty pays on this claim's base, given the year so far."""
    deductible = d.deductible_preexisting if who.preexisting else d.deductible
    lo_cum, hi_cum = before.base, before.base + base
    paid, notes, start = 0, [], deductible
    for band in d.bands:
        end = None if band.upto is None else deductible + band.upto
        overlap = max(0, (hi_cum if end is None else min(hi_cum, end)) - max(lo_cum, start))
        r = band.ratio_retired if who.person_type is PersonType.RETIRED else band.ratio
        if who.preexisting and d.ratio_preexisting is not None:
            r = d.ratio_preexisting
        if overlap:
            share = apply_ratio(overlap, r, Stage.SUPPLEMENTARY)
            paid += share
            notes.append(f"{format_yuan(overlap)} × {r} = {format_yuan(share)}")
        if end is None:
            break
        start = end
    if d.annual_cap is not None and before.paid + paid > d.annual_cap:
        paid = max(0, d.annual_cap - before.paid)
        notes.append(f"annual cap {format_yuan(d.annual_cap)}: pays {format_yuan(paid)}")
    return paid, [f"deductible {format_yuan(deductible)} on the year's base", *notes]


def check_order(tiers: Sequence[Tier]) -> None:
    """Tiers in the order of §4.1: civil-servant or enterprise plans before commercial ones."""
    for a, b in pairwise(tiers):
        if KINDS[a.kind][2] > KINDS[b.kind][2]:
            raise InputError(
                f"tier {b.tier_id} ({b.kind}) cannot come after {a.tier_id} ({a.kind}): "
                "commercial insurance pays after the civil-servant and enterprise tiers"
            )


def supplement(
    tiers: Sequence[Tier],
    who: Holder,
    parts: Parts,
    visit: VisitType,
    day: date,
    used: Mapping[str, Used],
) -> Supplemented:
    """Run the tiers the person holds, in order, over the basic settlement's parts."""
    check_order(tiers)
    b = buckets(parts)
    payments: list[TierPayment] = []
    after = dict(used)
    trace: list[str] = []
    for t in tiers:
        why = _not_applicable(t, who, day)
        if why:
            trace.append(f"{t.tier_id}: not applied ({why})")
            continue
        for d in t.duties:
            if visit not in d.visits:
                continue
            key = f"{t.tier_id}/{d.name}"
            before = after.get(key, Used())
            base = b.base(d.covers)
            paid, notes = duty_pay(d, who, before, base)
            paid = min(paid, b.base(d.covers))
            b.take(d.covers, paid)
            after[key] = Used(before.base + base, before.paid + paid)
            payments.append(TierPayment(t.tier_id, t.kind, t.code, d.name, base, paid))
            trace.append(
                f"{key} ({t.code}) on {d.covers} {format_yuan(base)}: {'; '.join(notes)} "
                f"→ {format_yuan(paid)} [{d.source}]" + (" [synthetic]" if t.synthetic else "")
            )
    return Supplemented(b.account, b.cash, tuple(payments), after, tuple(trace))


def _not_applicable(t: Tier, who: Holder, day: date) -> str:
    if t.tier_id not in who.holds:
        return "the person does not hold it"
    if who.scheme not in t.schemes:
        return f"{who.scheme.value} insureds are not eligible"
    if day < t.valid_from or (t.valid_to is not None and day > t.valid_to):
        return f"not in force on {day}"
    return ""


def tier_journal(
    journal_id: str, region: str, day: date, claim_id: str, payee: str, s: Supplemented
) -> Journal:
    """Dr each tier's expenditure, Cr its payable to the provider (one-stop) or the insured."""
    lines: list[tuple[Account, Fen]] = []
    for p in s.payments:
        fund = KINDS[p.kind][1]
        lines.append((Account(region, fund, Kind.EXPENDITURE, p.tier_id), p.amount))
        lines.append((Account(region, fund, Kind.PAYABLE, p.tier_id, payee), -p.amount))
    return journal(journal_id, day, "supplementary", claim_id, f"tiers of {claim_id}", lines)


# --- packs -------------------------------------------------------------------------------


def _fen(raw: object, where: str) -> Fen:
    try:
        return yuan_to_fen(str(raw))
    except ValueError as e:
        raise PolicyError(f"{where}: {e}") from None


def _ratio(raw: object, where: str) -> Decimal:
    try:
        return ratio(str(raw))
    except ValueError as e:
        raise PolicyError(f"{where}: {e}") from None


def read_day(raw: object, where: str) -> date:
    """A pack date (YAML date or YYYY-MM-DD text), or a PolicyError naming ``where``."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise PolicyError(f"{where}: expected a date YYYY-MM-DD, got {raw!r}") from None


def _bands(body: Mapping[str, object], where: str) -> tuple[Band, ...]:
    if "bands" in body:
        if "ratio" in body:
            raise PolicyError(f"{where}: give either ratio or bands")
        raw = body["bands"]
        if not isinstance(raw, list) or not raw:
            raise PolicyError(f"{where}: bands must be a non-empty list")
        out = []
        for i, b in enumerate(raw):
            w = f"{where}.bands[{i}]"
            if not isinstance(b, dict) or set(b) - {"upto", "ratio", "ratio_retired"}:
                raise PolicyError(f"{w}: expected upto, ratio, ratio_retired")
            r = _ratio(b.get("ratio"), w)
            upto = None if b.get("upto") is None else _fen(b["upto"], w)
            out.append(Band(upto, r, _ratio(b.get("ratio_retired", b.get("ratio")), w)))
        if any(b.upto is None for b in out[:-1]) or out[-1].upto is not None:
            raise PolicyError(f"{where}: only the last band is open (upto: null)")
        return tuple(out)
    if "ratio" not in body:
        raise PolicyError(f"{where}: give ratio or bands")
    r = _ratio(body["ratio"], where)
    return (Band(None, r, _ratio(body.get("ratio_retired", body["ratio"]), where)),)


def _duty(name: str, body: object, where: str) -> Duty:
    if not isinstance(body, dict):
        raise PolicyError(f"{where}: a duty must be a mapping")
    extra = sorted(set(body) - DUTY_KEYS)
    if extra:
        raise PolicyError(f"{where}: unknown key '{extra[0]}'")
    if not body.get("source"):
        raise PolicyError(f"{where}: needs a source")
    if body.get("covers") not in COVERS:
        raise PolicyError(f"{where}: covers must be one of {list(COVERS)}")
    try:
        visits = frozenset(VisitType(str(v)) for v in body.get("visits") or ())
    except ValueError:
        raise PolicyError(f"{where}: visits: expected {[v.value for v in VisitType]}") from None
    if not visits:
        raise PolicyError(f"{where}: visits must name at least one visit type")
    ded = _fen(body.get("deductible", 0), where)
    pre = body.get("ratio_preexisting")
    cap = body.get("annual_cap")
    return Duty(
        name,
        str(body["covers"]),
        visits,
        ded,
        _fen(body.get("deductible_preexisting", body.get("deductible", 0)), where),
        _bands(body, where),
        None if pre is None else _ratio(pre, where),
        None if cap is None else _fen(cap, where),
        str(body["source"]),
    )


def parse_tier(data: object, source: str) -> Tier:
    """A tier from parsed YAML, strictly; an impossible position is refused."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a tier must be a mapping")
    extra = sorted(set(data) - TIER_KEYS)
    if extra:
        raise PolicyError(f"{source}: unknown key '{extra[0]}'")
    for key in ("id", "name", "kind", "payer", "position", "source", "duties", "valid_from"):
        if not data.get(key):
            raise PolicyError(f"{source}: '{key}' is required")
    if data["kind"] not in KINDS:
        raise PolicyError(f"{source}: kind must be one of {list(KINDS)}")
    if data["position"] not in POSITIONS:
        raise PolicyError(
            f"{source}: position '{data['position']}' is impossible: supplementary tiers pay "
            "what is left after basic insurance, critical illness and assistance "
            f"(allowed: {list(POSITIONS)})"
        )
    if data.get("settlement", "one_stop") not in ("one_stop", "claim_later"):
        raise PolicyError(f"{source}: settlement must be one_stop or claim_later")
    try:
        schemes = frozenset(Scheme(str(s)) for s in data.get("schemes") or ("employee", "resident"))
    except ValueError:
        raise PolicyError(f"{source}: schemes: expected employee or resident") from None
    duties = data["duties"]
    if not isinstance(duties, dict):
        raise PolicyError(f"{source}: duties must be a mapping of name → duty")
    return Tier(
        str(data["id"]),
        str(data["name"]),
        str(data["kind"]),
        str(data["payer"]),
        str(data["position"]),
        data.get("settlement", "one_stop") == "one_stop",
        schemes,
        read_day(data["valid_from"], source),
        None if data.get("valid_to") is None else read_day(data["valid_to"], source),
        str(data["source"]),
        bool(data.get("synthetic", False)),
        tuple(_duty(str(n), b, f"{source}: duty {n}") for n, b in duties.items()),
    )


def shipped_tier(tier_id: str) -> Tier:
    path = resources.files("yibao.tiers") / "packs" / f"{tier_id}.yaml"
    if not path.is_file():
        raise InputError(f"no supplementary tier '{tier_id}'")
    return parse_tier(yaml.safe_load(path.read_text(encoding="utf-8")), f"{tier_id}.yaml")


def load_tier(name: str) -> Tier:
    """A shipped tier by id, or a tier file."""
    p = Path(name)
    if name.endswith((".yaml", ".yml")) and p.is_file():
        return parse_tier(yaml.safe_load(p.read_text(encoding="utf-8")), p.name)
    return shipped_tier(name)


def shipped_tier_ids() -> list[str]:
    folder = resources.files("yibao.tiers") / "packs"
    return sorted(f.name[:-5] for f in folder.iterdir() if f.name.endswith(".yaml"))


def with_holds(who: Holder, tiers: Sequence[Tier]) -> Holder:
    """The holder enrolled in every given tier (for a command line that names them)."""
    return replace(who, holds=who.holds | {t.tier_id for t in tiers})

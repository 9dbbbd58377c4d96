"""Resolving a policy chain into the rules for one claim (参数取值).

Every value is read through a :class:`Reader` that records its :class:`Citation`, so the
trace can say which document each number came from. The scalar engine and the batch
engine both call :func:`resolve_rules`, so they apply the very same parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from yibao.money import Fen, Stage, apply_ratio, ratio_units, round_decimal_fen
from yibao.policy.errors import PolicyError
from yibao.policy.pack import Citation, PolicyChain
from yibao.policy.schema import AgeBand, Band
from yibao.settle.schedule import Schedule, make_schedule
from yibao.types import AssistanceCategory, Level, PersonType, Route, Scheme, VisitType


@dataclass(frozen=True, slots=True)
class RuleKey:
    """Everything that selects parameters for a claim."""

    scheme: Scheme
    person_type: PersonType
    visit_type: VisitType
    level: Level
    route: Route
    age: int
    category: AssistanceCategory | None
    day: date


@dataclass
class Reader:
    """Reads parameters from a chain on a date, remembering what it cited."""

    chain: PolicyChain
    day: date
    cited: list[Citation] = field(default_factory=list)

    def get(self, path: str) -> object:
        c = self.chain.get(path, self.day)
        self.cited.append(c)
        return c.value

    def visit(self, key: RuleKey, rest: str) -> object:
        """A visit-level leaf, with the person-type override taking precedence."""
        base = f"{key.scheme}.{key.visit_type}"
        override = self.chain.find(f"{base}.by_person.{key.person_type}.{rest}", self.day)
        if override is not None:
            self.cited.append(override)
            return override.value
        return self.get(f"{base}.{rest}")

    def take(self) -> tuple[Citation, ...]:
        out = tuple(self.cited)
        self.cited.clear()
        return out


@dataclass(frozen=True, slots=True)
class BasicRules:
    """Basic medical insurance for the claim (基本医疗保险统筹基金)."""

    enabled: bool
    deductible_mode: str  # per_admission | annual | none
    deductible_by_seq: tuple[
        Fen, Fen, Fen
    ]  # 1st, 2nd, 3rd-and-later admission (or the annual amount)
    deductible_annual_cap: Fen | None
    schedule: Schedule
    basis: str  # expense | above_deductible
    per_admission_segments: bool
    ceiling_group: str | None
    ceiling_kind: str | None  # fund | expense
    ceiling_amount: Fen | None

    def nominal_deductible(self, admission_seq: int) -> Fen:
        return self.deductible_by_seq[min(admission_seq, 3) - 1]


@dataclass(frozen=True, slots=True)
class LargeAmountRules:
    """Employee large-amount supplement (职工大额医疗费用补助)."""

    enabled: bool
    rate: int
    cap: Fen | None


@dataclass(frozen=True, slots=True)
class CriticalIllnessRules:
    """Critical illness insurance (大病保险) on an absolute axis of compliant self-pay."""

    enabled: bool
    schedule: Schedule
    cap: Fen | None
    includes_preself: bool
    tilted: bool


@dataclass(frozen=True, slots=True)
class AssistanceRules:
    """Medical assistance (医疗救助) for the person's category, with tilted assistance."""

    enabled: bool
    deductible: Fen
    rate: int
    cap: Fen | None
    includes_preself: bool
    tilt_threshold: Fen
    tilt_rate: int
    tilt_cap: Fen | None


@dataclass(frozen=True, slots=True)
class AccountRules:
    """What the individual account (个人账户) may pay, in order."""

    enabled: bool
    covers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    """All parameters that settle one claim, with the citations of each layer."""

    basic: BasicRules
    large_amount: LargeAmountRules
    critical_illness: CriticalIllnessRules
    assistance: AssistanceRules
    account: AccountRules
    citations: dict[str, tuple[Citation, ...]]


def _money(v: object) -> Fen:
    assert isinstance(v, int)
    return v


def _opt_money(v: object) -> Fen | None:
    return None if v is None else _money(v)


def _dec(v: object) -> Decimal:
    assert isinstance(v, Decimal)
    return v


def _clamp_units(r: Decimal) -> int:
    return ratio_units(min(Decimal(1), max(Decimal(0), r)))


def _deductibles(r: Reader, key: RuleKey, mode: str) -> tuple[tuple[Fen, Fen, Fen], Fen | None]:
    if mode == "none":
        return (0, 0, 0), None
    amount = _money(r.visit(key, f"deductible.amount.{key.level}"))
    factor = _dec(r.visit(key, "deductible.factor"))
    if key.route is not Route.LOCAL:
        factor *= _dec(r.get(f"cross_region.{key.route}.deductible_factor"))
    base = round_decimal_fen(amount * factor, Stage.DEDUCTIBLE)
    if mode == "annual":
        levels = {_money(r.visit(key, f"deductible.amount.{lv}")) for lv in Level}
        if len(levels) != 1:
            raise PolicyError(
                f"{key.scheme}.{key.visit_type}: an annual deductible must be the same at every level"
            )
        return (base, base, base), None
    floor = _money(r.visit(key, "deductible.floor"))
    second = min(
        base,
        max(
            floor,
            apply_ratio(base, _dec(r.visit(key, "deductible.second_factor")), Stage.DEDUCTIBLE),
        ),
    )
    fixed = _opt_money(r.visit(key, "deductible.third_fixed"))
    third_factor = r.visit(key, "deductible.third_factor")
    if fixed is not None:
        third = fixed
    elif third_factor is not None:
        third = apply_ratio(base, _dec(third_factor), Stage.DEDUCTIBLE)
    else:
        third = second
    third = min(base, max(floor, third))
    return (base, second, third), _opt_money(r.visit(key, "deductible.annual_cap"))


def _ratio_adjustment(r: Reader, key: RuleKey) -> Decimal:
    """Points added to every band: person type, age band, minus the cross-region cut."""
    add = _dec(r.visit(key, "fund.ratio_add"))
    age_bands = r.visit(key, "fund.age_adjust")
    assert isinstance(age_bands, tuple)
    reached = [b.add for b in age_bands if isinstance(b, AgeBand) and key.age >= b.min_age]
    if reached:
        add += reached[-1]
    if key.route is not Route.LOCAL:
        add -= _dec(r.get(f"cross_region.{key.route}.ratio_cut"))
    return add


def _bands(v: object) -> tuple[Band, ...]:
    assert isinstance(v, tuple)
    return v


def _basic(r: Reader, key: RuleKey) -> tuple[BasicRules, tuple[Citation, ...]]:
    """The basic-insurance rules, and the citations of the deductible among them."""
    enabled = bool(r.visit(key, "enabled"))
    mode = str(r.visit(key, "deductible.mode"))
    by_seq, annual_cap = _deductibles(r, key, mode)
    deductible_cites = r.take()
    add = _ratio_adjustment(r, key) if enabled else Decimal(0)
    bands = _bands(r.visit(key, f"fund.bands.{key.level}"))
    sched = make_schedule([(b.upto, _clamp_units(b.ratio + add) if enabled else 0) for b in bands])
    group = r.visit(key, "ceiling_group")
    kind = amount = None
    if group is not None:
        kind = str(r.get(f"{key.scheme}.ceilings.{group}.kind"))
        amount = _money(r.get(f"{key.scheme}.ceilings.{group}.amount"))
    rules = BasicRules(
        enabled=enabled,
        deductible_mode=mode,
        deductible_by_seq=by_seq,
        deductible_annual_cap=annual_cap,
        schedule=sched,
        basis=str(r.visit(key, "fund.basis")),
        per_admission_segments=r.visit(key, "fund.scope") == "admission",
        ceiling_group=None if group is None else str(group),
        ceiling_kind=kind,
        ceiling_amount=amount,
    )
    return rules, deductible_cites


def _large_amount(r: Reader, key: RuleKey) -> LargeAmountRules:
    s = key.scheme
    if not r.get(f"{s}.large_amount.enabled"):
        return LargeAmountRules(False, 0, None)
    return LargeAmountRules(
        True,
        ratio_units(_dec(r.get(f"{s}.large_amount.ratio"))),
        _opt_money(r.get(f"{s}.large_amount.cap")),
    )


def _critical_illness(r: Reader, key: RuleKey) -> CriticalIllnessRules:
    p = f"{key.scheme}.critical_illness"
    if not r.get(f"{p}.enabled"):
        return CriticalIllnessRules(False, make_schedule([(None, 0)]), None, False, False)
    threshold = _money(r.get(f"{p}.threshold"))
    cap = _opt_money(r.get(f"{p}.cap"))
    categories = r.get(f"{p}.tilt.categories")
    assert isinstance(categories, tuple)
    tilted = key.category is not None and key.category.value in categories
    add = Decimal(0)
    start = threshold
    if tilted:
        start = apply_ratio(threshold, _dec(r.get(f"{p}.tilt.threshold_factor")), Stage.DEDUCTIBLE)
        add = _dec(r.get(f"{p}.tilt.ratio_add"))
        if r.get(f"{p}.tilt.remove_cap"):
            cap = None
    bands = _bands(r.get(f"{p}.bands"))
    sched = make_schedule([(b.upto, _clamp_units(b.ratio + add)) for b in bands])
    if r.get(f"{p}.band_basis") == "above_threshold":
        sched = sched.shifted(start)
    else:
        sched = sched.with_floor(start)
    return CriticalIllnessRules(True, sched, cap, bool(r.get(f"{p}.includes_preself")), tilted)


def _assistance(r: Reader, key: RuleKey) -> AssistanceRules:
    if key.category is None:
        return AssistanceRules(False, 0, 0, None, False, 0, 0, None)
    p = f"assistance.{key.category}"
    return AssistanceRules(
        enabled=True,
        deductible=_money(r.get(f"{p}.deductible")),
        rate=ratio_units(_dec(r.get(f"{p}.ratio"))),
        cap=_opt_money(r.get(f"{p}.cap")),
        includes_preself=bool(r.get("assistance.includes_preself")),
        tilt_threshold=_money(r.get(f"{p}.tilt.threshold")),
        tilt_rate=ratio_units(_dec(r.get(f"{p}.tilt.ratio"))),
        tilt_cap=_opt_money(r.get(f"{p}.tilt.cap")),
    )


def _account(r: Reader, key: RuleKey) -> AccountRules:
    if not r.get(f"{key.scheme}.account.enabled"):
        return AccountRules(False, ())
    covers = r.get(f"{key.scheme}.account.covers")
    assert isinstance(covers, tuple)
    return AccountRules(True, tuple(str(c) for c in covers))


def resolve_rules(chain: PolicyChain, key: RuleKey) -> Rules:
    """The rules of the insured region's ``chain`` for a claim described by ``key``."""
    r = Reader(chain, key.day)
    basic, deductible_cites = _basic(r, key)
    cites = {"deductible": deductible_cites, "pooled_fund": r.take()}
    large = _large_amount(r, key)
    cites["large_amount"] = r.take()
    ci = _critical_illness(r, key)
    cites["critical_illness"] = r.take()
    assistance = _assistance(r, key)
    cites["assistance"] = r.take()
    account = _account(r, key)
    cites["account"] = r.take()
    return Rules(basic, large, ci, assistance, account, cites)


def class_b_preself_ratio(treatment: PolicyChain, scheme: Scheme, day: date) -> Citation:
    """The treatment region's default class-B pre-self-pay ratio (就医地目录)."""
    return treatment.get(f"{scheme}.class_b_preself_ratio", day)

"""The one-stop settlement of one claim (一站式结算): basic insurance, large amount,
critical illness, medical assistance, the individual account, cash — with a trace.

Every layer is a schedule applied to an amount that accumulates over the year (see
``schedule.py``): the claim pays F(before + claim) − F(before). Caps are min(cap, Σ).
The arithmetic is the compiled kernel (``kernel.settle_step``) on this one claim; the
table engine (``table.py``) runs the same kernel over a year of claims. This module checks
the claim, splits the bill, and builds the trace from the kernel's amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import overload

import numpy as np

from yibao.errors import InputError
from yibao.money import Fen, Stage, format_yuan
from yibao.policy.pack import Citation, PolicyChain
from yibao.purchasing.agreements import AgreementBook, ClaimRefused, agreement_check
from yibao.settle import kernel as k
from yibao.settle.kernel import Int64s
from yibao.settle.keys import rules_for
from yibao.settle.model import PRESPLIT_AMOUNTS, Accumulators, Claim, Person, PoolTotals, PreSplit
from yibao.settle.parts import Parts
from yibao.settle.rules import RuleKey, Rules, class_b_preself_ratio
from yibao.settle.schedule import Schedule
from yibao.settle.split import ItemLookup, LineSplit, split_bill
from yibao.types import VisitType


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the trace: what was computed, from what, citing which parameters."""

    name: str
    text: str
    amounts: Mapping[str, Fen]
    citations: tuple[Citation, ...] = ()
    stages: tuple[Stage, ...] = ()  # where this step rounded half-up (``money.Stage``)


class Trace(Sequence[Step]):
    """The steps of a settlement, assembled from the kernel's amounts when first read (a
    batch of scalar settlements whose traces nobody reads does not pay for the text)."""

    __slots__ = ("_build", "_steps")

    def __init__(self, build: Callable[[], tuple[Step, ...]]) -> None:
        self._build: Callable[[], tuple[Step, ...]] | None = build
        self._steps: tuple[Step, ...] = ()

    def _get(self) -> tuple[Step, ...]:
        if self._build is not None:
            self._steps, self._build = self._build(), None
        return self._steps

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | Sequence[Step]:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


@dataclass(frozen=True, slots=True)
class Settlement:
    """The result of settling a claim (结算结果)."""

    claim_id: str
    person_id: str
    settle_date: date
    admission_seq: int
    parts: Parts
    before: Accumulators
    after: Accumulators
    trace: Sequence[Step]  # a tuple, or a :class:`Trace` built when first read
    lines: tuple[LineSplit, ...] = ()


def _check_claim(person: Person, claim: Claim, acc: Accumulators) -> None:
    day = claim.settle_date
    if claim.admit_date > claim.discharge_date:
        raise InputError(
            f"claim {claim.claim_id}: admit_date {claim.admit_date} is after discharge_date {day}"
        )
    if day.year != acc.year:
        raise InputError(
            f"claim {claim.claim_id}: settle date {day} is outside the accumulator year {acc.year}"
        )
    if (person.enrolled_from and day < person.enrolled_from) or (
        person.enrolled_to and day > person.enrolled_to
    ):
        raise InputError(
            f"claim {claim.claim_id}: {day} is outside the enrollment of person {person.person_id} "
            f"({person.enrolled_from}..{person.enrolled_to or ''})"
        )
    if not claim.lines and claim.presplit is None:
        raise InputError(f"claim {claim.claim_id}: no lines and no pre-split amounts")
    if claim.lines and claim.presplit is not None:
        raise InputError(f"claim {claim.claim_id}: give lines or pre-split amounts, not both")
    p = claim.presplit
    if p is not None:
        for name in PRESPLIT_AMOUNTS:
            if getattr(p, name) < 0:
                raise InputError(
                    f"claim {claim.claim_id}: {name} must not be negative, got {getattr(p, name)}"
                )
        if p.scope < p.item_fund_scope or p.item_fund > p.item_fund_scope:
            raise InputError(f"claim {claim.claim_id}: the parts exceed the total {p.total}")


def _bands_text(s: Schedule) -> str:
    """Bands as people write them: ``90 % up to 10,000.00; 95 % above``."""
    parts = []
    for i, rate in enumerate(s.rates):
        upto = s.uptos[i]
        pct = f"{Decimal(rate) / 100:g} %"
        parts.append(f"{pct} up to {format_yuan(upto)}" if upto is not None else f"{pct} above")
    return "; ".join(parts)


def _cap_text(cap: Fen | None) -> str:
    return "no cap" if cap is None else f"cap {format_yuan(cap)}"


def state_vector(acc: Accumulators, visit: VisitType, group: str | None) -> Int64s:
    """The kernel's accumulator vector of ``acc`` (the claim's ceiling group in slot 0)."""
    s = np.zeros(k.state_size(1), dtype=np.int64)
    s[k.S_LARGE_PAID], s[k.S_CI_BASE], s[k.S_CI_PAID] = (
        acc.large_amount_paid,
        acc.ci_base,
        acc.ci_paid,
    )
    s[k.S_AS_BASE], s[k.S_AS_PAID], s[k.S_TILT_PAID] = (
        acc.assistance_base,
        acc.assistance_paid,
        acc.tilt_paid,
    )
    s[k.S_BALANCE] = acc.account_balance
    pool = acc.pool(visit)
    at = k.S_POOLS + 3 * k.VISIT_INDEX[visit.value]
    s[at], s[at + 1], s[at + 2] = pool.admissions, pool.scope, pool.deductible
    if group is not None:
        s[k.S_CEILINGS] = acc.ceiling_scope.get(group, 0)
        s[k.S_CEILINGS + 1] = acc.ceiling_fund.get(group, 0)
    return s


def _amounts(split: PreSplit) -> Int64s:
    return np.array(
        [
            split.total,
            split.full_selfpay,
            split.over_limit,
            split.preself,
            split.item_fund,
            split.item_fund_scope,
        ],
        dtype=np.int64,
    )


def compute(
    rules: Rules, row: Int64s, acc: Accumulators, claim: Claim, split: PreSplit
) -> tuple[Parts, Accumulators, Trace]:
    """The layers of one claim over ``acc``: the kernel (``kernel.settle_step``) on one claim,
    and the trace built from its amounts."""
    group = rules.basic.ceiling_group
    state = state_vector(acc, claim.visit_type, group)
    visit = k.VISIT_INDEX[claim.visit_type.value]
    o: list[int] = k.settle_one(row, visit, _amounts(split), state).tolist()
    parts = Parts(
        total=split.total,
        full_selfpay=split.full_selfpay,
        over_limit=split.over_limit,
        preself=split.preself,
        scope=split.scope,
        deductible=o[k.O_DEDUCTIBLE],
        pooled_fund=o[k.O_POOLED],
        coinsurance=o[k.O_COINSURANCE],
        over_ceiling=o[k.O_OVER_CEILING],
        large_amount=o[k.O_LARGE],
        critical_illness=o[k.O_CI],
        assistance=o[k.O_ASSIST] + o[k.O_TILT],
        tilted_assistance=o[k.O_TILT],
        account=o[k.O_ACCOUNT],
        cash=o[k.O_CASH],
    )
    return (
        parts,
        _advance(acc, claim.visit_type, group, state),
        Trace(lambda: _steps(rules, acc, o)),
    )


def _steps(rules: Rules, acc: Accumulators, o: list[int]) -> tuple[Step, ...]:
    """The trace of the layers, every amount read from the kernel's output row ``o``."""
    b, la, ci_rules, ar = rules.basic, rules.large_amount, rules.critical_illness, rules.assistance
    y = format_yuan
    crossed = o[k.O_FUND] < o[k.O_RAW_FUND]
    return (
        Step(
            "deductible",
            f"admission {o[k.O_SEQ]} of the year in this visit type: nominal {y(o[k.O_NOMINAL])}, "
            f"{y(o[k.O_DED_BEFORE])} already paid this year; charged min(nominal, scope, what is left)",
            {
                "nominal": o[k.O_NOMINAL],
                "charged": o[k.O_DEDUCTIBLE],
                "paid_before": o[k.O_DED_BEFORE],
            },
            rules.citations["deductible"],
            (Stage.DEDUCTIBLE,),
        ),
        Step(
            "pooled_fund",
            f"segments on the {b.basis.replace('_', ' ')} axis from {y(o[k.O_SEG_FROM])} to "
            f"{y(o[k.O_SEG_TO])} "
            f"({'restarting each admission' if b.per_admission_segments else 'cumulative over the year'}); "
            f"{_bands_text(b.schedule)}; ceiling {b.ceiling_kind or 'none'} "
            f"{y(b.ceiling_amount) if b.ceiling_amount is not None else ''} "
            f"(group {b.ceiling_group}, {y(o[k.O_CEIL_USED])} used)",
            {"raw": o[k.O_RAW_FUND], "fund": o[k.O_FUND], "over_ceiling": o[k.O_OVER_CEILING]},
            rules.citations["pooled_fund"],
            (Stage.POOLED_FUND, Stage.CEILING_CROSSING) if crossed else (Stage.POOLED_FUND,),
        ),
        Step(
            "large_amount",
            f"{Decimal(la.rate) / 100:g} % of the policy-scope expense above the ceiling, "
            f"{_cap_text(la.cap)}",
            {
                "base": o[k.O_OVER_CEILING],
                "paid": o[k.O_LARGE],
                "paid_before": acc.large_amount_paid,
            },
            rules.citations["large_amount"],
            (Stage.LARGE_AMOUNT,),
        ),
        Step(
            "critical_illness",
            f"compliant self-pay {y(o[k.O_CI_BASE])} on the year's axis from "
            f"{y(acc.ci_base)}: {_bands_text(ci_rules.schedule)}"
            f"{' (tilted for the poor)' if ci_rules.tilted else ''}; {_cap_text(ci_rules.cap)}",
            {
                "base": o[k.O_CI_BASE],
                "raw": o[k.O_CI_RAW],
                "paid": o[k.O_CI],
                "paid_before": acc.ci_paid,
            },
            rules.citations["critical_illness"],
            (Stage.CRITICAL_ILLNESS,),
        ),
        Step(
            "assistance",
            f"self-pay left after basic and critical illness {y(o[k.O_AS_BASE])}; annual "
            f"deductible {y(ar.deductible)}, {Decimal(ar.rate) / 100:g} %, "
            f"{_cap_text(ar.cap)}; tilted above {y(ar.tilt_threshold)} at "
            f"{Decimal(ar.tilt_rate) / 100:g} %, {_cap_text(ar.tilt_cap)}",
            {"base": o[k.O_AS_BASE], "assistance": o[k.O_ASSIST], "tilted": o[k.O_TILT]},
            rules.citations["assistance"],
            (Stage.ASSISTANCE, Stage.TILTED_ASSISTANCE),
        ),
        Step(
            "account",
            f"the account pays {', '.join(rules.account.covers) or 'nothing'} from balance "
            f"{y(acc.account_balance)}",
            {"eligible": o[k.O_ELIGIBLE], "paid": o[k.O_ACCOUNT]},
            rules.citations["account"],
        ),
        Step("cash", "total less every fund and the account", {"cash": o[k.O_CASH]}),
    )


def _advance(acc: Accumulators, visit: VisitType, group: str | None, s: Int64s) -> Accumulators:
    """``acc`` advanced as the kernel advanced its vector ``s``."""
    at = k.S_POOLS + 3 * k.VISIT_INDEX[visit.value]
    v = s.tolist()
    pools = dict(acc.pools)
    pools[visit.value] = PoolTotals(v[at], v[at + 1], v[at + 2])
    scope, fund = acc.ceiling_scope, acc.ceiling_fund
    if group is not None:
        scope = MappingProxyType({**scope, group: v[k.S_CEILINGS]})
        fund = MappingProxyType({**fund, group: v[k.S_CEILINGS + 1]})
    return Accumulators(
        acc.year,
        MappingProxyType(pools),
        scope,
        fund,
        large_amount_paid=v[k.S_LARGE_PAID],
        ci_base=v[k.S_CI_BASE],
        ci_paid=v[k.S_CI_PAID],
        assistance_base=v[k.S_AS_BASE],
        assistance_paid=v[k.S_AS_PAID],
        tilt_paid=v[k.S_TILT_PAID],
        account_balance=v[k.S_BALANCE],
    )


def rule_key(person: Person, claim: Claim) -> RuleKey:
    """The parameter key of a claim."""
    day = claim.settle_date
    return RuleKey(
        person.scheme,
        person.person_type,
        claim.visit_type,
        claim.level,
        claim.route,
        person.age_on(day),
        person.assistance_category,
        day,
    )


def settle(
    person: Person,
    claim: Claim,
    acc: Accumulators,
    insured: PolicyChain,
    treatment: PolicyChain | None = None,
    catalogue: ItemLookup | None = None,
    agreements: AgreementBook | None = None,
) -> Settlement:
    """Settle ``claim`` for ``person`` given the year so far.

    ``insured`` is the policy chain of the insured region (参保地政策); ``treatment`` and
    ``catalogue`` are the treatment region's (就医地目录), by default the same region.
    With ``agreements``, a provider without an agreement in force on the settlement date (or
    for the visit type) is refused (:class:`yibao.purchasing.agreements.ClaimRefused`).
    """
    _check_claim(person, claim, acc)
    day = claim.settle_date
    treatment = treatment or insured
    agreement_steps: tuple[Step, ...] = ()
    if agreements is not None:  # 定点协议: checked before anything is split or paid
        try:
            text = agreement_check(agreements, claim.provider_id, claim.visit_type, day)
        except ClaimRefused as e:
            raise ClaimRefused(f"claim {claim.claim_id}: {e}") from None
        agreement_steps = (Step("agreement", text, {}),)
    split_steps: tuple[Step, ...] = ()
    lines: tuple[LineSplit, ...] = ()
    if claim.presplit is not None:
        split = claim.presplit
        split_steps = (
            Step("bill_split", "pre-split amounts given with the claim", _split_amounts(split)),
        )
    else:
        b_ratio = class_b_preself_ratio(treatment, person.scheme, day)
        assert isinstance(b_ratio.value, Decimal)
        bill = split_bill(
            claim.lines,
            catalogue,
            b_ratio.value,
            person.sex,
            person.age_on(claim.admit_date),  # catalogue ages are at admission (restriction.py)
            claim.visit_type,
        )
        split, lines = bill.presplit, bill.lines
        split_steps = (
            Step(
                "bill_split",
                f"{len(lines)} lines split by the treatment region's catalogue ({treatment.id})",
                _split_amounts(split),
                (b_ratio,),
                (Stage.PRESELF, Stage.ITEM_FUND_SHARE),
            ),
        )
    rules, row = rules_for(insured, rule_key(person, claim))
    seq = acc.pool(claim.visit_type).admissions + 1
    parts, after, steps = compute(rules, row, acc, claim, split)
    problems = parts.violations()
    if problems:  # an engine fault, never bad input: refuse rather than pay wrongly
        raise AssertionError(f"claim {claim.claim_id}: settlement does not balance: {problems}")
    trace = Trace(lambda: (*agreement_steps, *split_steps, *steps))
    return Settlement(claim.claim_id, person.person_id, day, seq, parts, acc, after, trace, lines)


def _split_amounts(split: PreSplit) -> dict[str, Fen]:
    return {
        "total": split.total,
        "full_selfpay": split.full_selfpay,
        "over_limit": split.over_limit,
        "preself": split.preself,
        "scope": split.scope,
        "item_fund": split.item_fund,
    }


def reverse(settlement: Settlement, current: Accumulators) -> tuple[Parts, Accumulators]:
    """Reverse a settlement (冲正): opposite parts, and ``current`` with its effect removed."""
    b, a = settlement.before, settlement.after
    pools = dict(current.pools)
    for visit, after_pool in a.pools.items():
        before_pool = b.pools.get(visit, PoolTotals())
        now = pools.get(visit, PoolTotals())
        pools[visit] = PoolTotals(
            now.admissions - (after_pool.admissions - before_pool.admissions),
            now.scope - (after_pool.scope - before_pool.scope),
            now.deductible - (after_pool.deductible - before_pool.deductible),
        )
    cs, cf = dict(current.ceiling_scope), dict(current.ceiling_fund)
    for g in a.ceiling_scope:
        cs[g] = cs.get(g, 0) - (a.ceiling_scope[g] - b.ceiling_scope.get(g, 0))
        cf[g] = cf.get(g, 0) - (a.ceiling_fund[g] - b.ceiling_fund.get(g, 0))

    def back(name: str) -> Fen:
        value: Fen = getattr(current, name) - (getattr(a, name) - getattr(b, name))
        return value

    restored = Accumulators(
        year=current.year,
        pools=MappingProxyType(pools),
        ceiling_scope=MappingProxyType(cs),
        ceiling_fund=MappingProxyType(cf),
        large_amount_paid=back("large_amount_paid"),
        ci_base=back("ci_base"),
        ci_paid=back("ci_paid"),
        assistance_base=back("assistance_base"),
        assistance_paid=back("assistance_paid"),
        tilt_paid=back("tilt_paid"),
        account_balance=back("account_balance"),
    )
    negated = Parts(**{k: -v for k, v in _parts_dict(settlement.parts).items()})
    return negated, restored


def _parts_dict(p: Parts) -> dict[str, Fen]:
    return {f.name: getattr(p, f.name) for f in fields(p)}

"""The one-stop settlement of one claim (一站式结算): basic insurance, large amount,
critical illness, medical assistance, the individual account, cash — with a trace.

Every layer is a schedule applied to an amount that accumulates over the year (see
``schedule.py``): the claim pays F(before + claim) − F(before). Caps are min(cap, Σ).
The batch engine (``batch.py``) evaluates the same formulas with window sums.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from yibao.errors import InputError
from yibao.money import RATIO_SCALE, Fen, Stage, format_yuan, round_units
from yibao.policy.pack import Citation, PolicyChain
from yibao.purchasing.agreements import AgreementBook, ClaimRefused, agreement_check
from yibao.settle.model import PRESPLIT_AMOUNTS, Accumulators, Claim, Person, PoolTotals, PreSplit
from yibao.settle.parts import Parts
from yibao.settle.rules import RuleKey, Rules, class_b_preself_ratio, resolve_rules
from yibao.settle.schedule import Schedule, capped
from yibao.settle.split import ItemLookup, LineSplit, split_bill


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the trace: what was computed, from what, citing which parameters."""

    name: str
    text: str
    amounts: Mapping[str, Fen]
    citations: tuple[Citation, ...] = ()
    stages: tuple[Stage, ...] = ()  # where this step rounded half-up (``money.Stage``)


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
    trace: tuple[Step, ...]
    lines: tuple[LineSplit, ...] = ()


@dataclass(frozen=True, slots=True)
class _Basic:
    deductible: Fen
    fund: Fen  # by the schedule, after the ceiling
    over_ceiling: Fen
    steps: tuple[Step, ...]


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


def _deductible(rules: Rules, pool: PoolTotals, scope: Fen, seq: int) -> tuple[Fen, Fen]:
    """(nominal, charged) deductible of this claim (起付线)."""
    b = rules.basic
    if b.deductible_mode == "none" or not b.enabled:
        return 0, 0
    nominal = b.nominal_deductible(seq)
    if b.deductible_mode == "annual":
        return nominal, min(max(0, nominal - pool.deductible), scope)
    left = (
        nominal
        if b.deductible_annual_cap is None
        else max(0, b.deductible_annual_cap - pool.deductible)
    )
    return nominal, min(nominal, scope, left)


def _basic(rules: Rules, acc: Accumulators, claim: Claim, scope: Fen, seq: int) -> _Basic:
    b = rules.basic
    pool = acc.pool(claim.visit_type)
    nominal, d = _deductible(rules, pool, scope, seq)
    if b.per_admission_segments:
        a = d if b.basis == "expense" else 0
    else:
        a = pool.scope + d if b.basis == "expense" else pool.scope - pool.deductible
    group = b.ceiling_group
    over = 0
    if group is not None and b.ceiling_kind == "expense" and b.ceiling_amount is not None:
        g = acc.ceiling_scope.get(group, 0)
        over = max(0, g + scope - max(b.ceiling_amount, g + d))
    end = a + scope - d - over
    units = b.schedule.units(a, end)
    raw = round_units(units, Stage.POOLED_FUND)
    fund = raw
    used = acc.ceiling_fund.get(group, 0) if group else 0
    if group is not None and b.ceiling_kind == "fund" and b.ceiling_amount is not None:
        fund = capped(raw, b.ceiling_amount, used)
        if fund < raw:
            over = end - b.schedule.crossing(a, end, fund * RATIO_SCALE)
    y = format_yuan
    steps = (
        Step(
            "deductible",
            f"admission {seq} of the year in this visit type: nominal {y(nominal)}, "
            f"{y(pool.deductible)} already paid this year; charged min(nominal, scope, what is left)",
            {"nominal": nominal, "charged": d, "paid_before": pool.deductible},
            rules.citations["deductible"],
            (Stage.DEDUCTIBLE,),
        ),
        Step(
            "pooled_fund",
            f"segments on the {b.basis.replace('_', ' ')} axis from {y(a)} to {y(end)} "
            f"({'restarting each admission' if b.per_admission_segments else 'cumulative over the year'}); "
            f"{_bands_text(b.schedule)}; ceiling {b.ceiling_kind or 'none'} "
            f"{y(b.ceiling_amount) if b.ceiling_amount is not None else ''} "
            f"(group {group}, {y(used)} used)",
            {"raw": raw, "fund": fund, "over_ceiling": over},
            rules.citations["pooled_fund"],
            (Stage.POOLED_FUND, Stage.CEILING_CROSSING) if fund < raw else (Stage.POOLED_FUND,),
        ),
    )
    return _Basic(d, fund, over, steps)


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


def _account_eligible(rules: Rules, parts: Mapping[str, Fen], paid_by_others: Fen) -> Fen:
    """What the account may pay: the covered parts left after the other funds (个人账户支付范围)."""
    left = dict(parts)
    for name in ("over_ceiling", "coinsurance", "deductible", "preself"):
        take = min(left[name], paid_by_others)
        left[name] -= take
        paid_by_others -= take
    return sum(left[name] for name in rules.account.covers)


def compute(
    rules: Rules, acc: Accumulators, claim: Claim, split: PreSplit, seq: int
) -> tuple[Parts, Accumulators, tuple[Step, ...]]:
    """The layers of one claim over ``acc``; pure arithmetic on fen."""
    scope = split.scope - split.item_fund_scope
    item_fund = split.item_fund if rules.basic.enabled else 0
    basic = _basic(rules, acc, claim, scope, seq)
    d, fund, over = basic.deductible, basic.fund, basic.over_ceiling
    coinsurance = scope - d - over - fund + split.item_fund_scope - item_fund

    la = rules.large_amount
    large = capped(
        round_units(over * la.rate, Stage.LARGE_AMOUNT) if la.enabled else 0,
        la.cap,
        acc.large_amount_paid,
    )
    compliant = d + coinsurance + over - large

    ci_rules = rules.critical_illness
    ci_base = (
        compliant + (split.preself if ci_rules.includes_preself else 0) if ci_rules.enabled else 0
    )
    ci_raw = round_units(
        ci_rules.schedule.units(acc.ci_base, acc.ci_base + ci_base), Stage.CRITICAL_ILLNESS
    )
    ci = capped(ci_raw, ci_rules.cap, acc.ci_paid)

    ar = rules.assistance
    a_base = 0
    assist = tilt = 0
    if ar.enabled:
        a_base = max(0, compliant + (split.preself if ar.includes_preself else 0) - ci)
        w0, w1 = acc.assistance_base, acc.assistance_base + a_base
        units = ar.rate * (max(0, w1 - ar.deductible) - max(0, w0 - ar.deductible))
        assist = capped(round_units(units, Stage.ASSISTANCE), ar.cap, acc.assistance_paid)
        tilt_raw = round_units(
            max(0, a_base - assist - ar.tilt_threshold) * ar.tilt_rate, Stage.TILTED_ASSISTANCE
        )
        tilt = capped(tilt_raw, ar.tilt_cap, acc.tilt_paid)

    personal = {
        "deductible": d,
        "coinsurance": coinsurance,
        "preself": split.preself,
        "over_ceiling": over,
        "over_limit": split.over_limit,
        "full_selfpay": split.full_selfpay,
    }
    eligible = (
        _account_eligible(rules, personal, large + ci + assist + tilt)
        if rules.account.enabled
        else 0
    )
    account = min(max(0, acc.account_balance), eligible)
    hifp = fund + item_fund
    cash = split.total - hifp - large - ci - assist - tilt - account
    parts = Parts(
        total=split.total,
        full_selfpay=split.full_selfpay,
        over_limit=split.over_limit,
        preself=split.preself,
        scope=split.scope,
        deductible=d,
        pooled_fund=hifp,
        coinsurance=coinsurance,
        over_ceiling=over,
        large_amount=large,
        critical_illness=ci,
        assistance=assist + tilt,
        tilted_assistance=tilt,
        account=account,
        cash=cash,
    )
    after = _advance(
        acc, rules, claim, scope, d, fund, large, ci_base, ci, a_base, assist, tilt, account
    )
    steps = (
        *basic.steps,
        Step(
            "large_amount",
            f"{Decimal(la.rate) / 100:g} % of the policy-scope expense above the ceiling, "
            f"{_cap_text(la.cap)}",
            {"base": over, "paid": large, "paid_before": acc.large_amount_paid},
            rules.citations["large_amount"],
            (Stage.LARGE_AMOUNT,),
        ),
        Step(
            "critical_illness",
            f"compliant self-pay {format_yuan(ci_base)} on the year's axis from "
            f"{format_yuan(acc.ci_base)}: {_bands_text(ci_rules.schedule)}"
            f"{' (tilted for the poor)' if ci_rules.tilted else ''}; {_cap_text(ci_rules.cap)}",
            {"base": ci_base, "raw": ci_raw, "paid": ci, "paid_before": acc.ci_paid},
            rules.citations["critical_illness"],
            (Stage.CRITICAL_ILLNESS,),
        ),
        Step(
            "assistance",
            f"self-pay left after basic and critical illness {format_yuan(a_base)}; annual "
            f"deductible {format_yuan(ar.deductible)}, {Decimal(ar.rate) / 100:g} %, "
            f"{_cap_text(ar.cap)}; tilted above {format_yuan(ar.tilt_threshold)} at "
            f"{Decimal(ar.tilt_rate) / 100:g} %, {_cap_text(ar.tilt_cap)}",
            {"base": a_base, "assistance": assist, "tilted": tilt},
            rules.citations["assistance"],
            (Stage.ASSISTANCE, Stage.TILTED_ASSISTANCE),
        ),
        Step(
            "account",
            f"the account pays {', '.join(rules.account.covers) or 'nothing'} from balance "
            f"{format_yuan(acc.account_balance)}",
            {"eligible": eligible, "paid": account},
            rules.citations["account"],
        ),
        Step("cash", "total less every fund and the account", {"cash": cash}),
    )
    return parts, after, steps


def _advance(
    acc: Accumulators,
    rules: Rules,
    claim: Claim,
    scope: Fen,
    d: Fen,
    fund: Fen,
    large: Fen,
    ci_base: Fen,
    ci: Fen,
    a_base: Fen,
    assist: Fen,
    tilt: Fen,
    account: Fen,
) -> Accumulators:
    pool = acc.pool(claim.visit_type)
    out = acc.with_pool(
        claim.visit_type, PoolTotals(pool.admissions + 1, pool.scope + scope, pool.deductible + d)
    )
    group = rules.basic.ceiling_group
    if group is not None:
        out = out.with_ceiling(
            group, acc.ceiling_scope.get(group, 0) + scope, acc.ceiling_fund.get(group, 0) + fund
        )
    return replace(
        out,
        large_amount_paid=acc.large_amount_paid + large,
        ci_base=acc.ci_base + ci_base,
        ci_paid=acc.ci_paid + ci,
        assistance_base=acc.assistance_base + a_base,
        assistance_paid=acc.assistance_paid + assist,
        tilt_paid=acc.tilt_paid + tilt,
        account_balance=acc.account_balance - account,
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
    rules = resolve_rules(insured, rule_key(person, claim))
    seq = acc.pool(claim.visit_type).admissions + 1
    parts, after, steps = compute(rules, acc, claim, split, seq)
    problems = parts.violations()
    if problems:  # an engine fault, never bad input: refuse rather than pay wrongly
        raise AssertionError(f"claim {claim.claim_id}: settlement does not balance: {problems}")
    return Settlement(
        claim.claim_id,
        person.person_id,
        day,
        seq,
        parts,
        acc,
        after,
        agreement_steps + split_steps + steps,
        lines,
    )


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

"""Provincial pooling and the adjustment fund (省级统筹与调剂金), vectorised over paths.

Three modes (policy-facts.md §9):

* ``prefecture`` (地市级统筹): each prefecture on its own;
* ``adjustment`` (调剂金先行): each prefecture remits a share of its prior-year income (Shaanxi:
  5 %) while the adjustment fund covers less than ``stop_months`` (Shaanxi: 6) months of all
  areas' expenditure; a deficit is first met from the prefecture's own balance, the rest by a
  normal adjustment (常规调剂) allocated by indicators, then, if benefits still cannot be paid, an
  emergency adjustment (应急调剂) advanced as a loan repaid from later surpluses (Shaanxi
  《推进基本医疗保险基金省级统筹调剂若干措施》2024: active/retiree ratio, collection, budget
  execution and performance decide the allocation);
* ``unified`` (统收统支): one provincial fund collects all income and pays all expenditure.

The allocation covers structural deficits, not management-caused ones: the deficit is
re-computed as if the prefecture had grown costs at the provincial rate (``structural``
expenditure) and collected at the provincial collection rate; only the part left (weighted by
``cost_control`` and ``collection`` in [0, 1]) is eligible, then cut by supervision findings.
When the fund cannot pay every eligible amount it shares it out by eligible amount × priority,
where priority rises with a lower in-service/retiree ratio (dependency) and a lower income per
insured (income level).

Pre-allocation (预拨) grants at the start of the year what last year's figures made eligible;
allocation on application (申请) grants after the year what this year's figures make eligible.

Arrays are float yuan (paths, prefectures); a year's unpaid benefits (the balance below zero
after all transfers) are recorded as a benefit gap and the balance restarts at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yibao.actuarial.population import Array

MODES = ("prefecture", "adjustment", "unified")


@dataclass(frozen=True, slots=True)
class Rules:
    """The adjustment-fund rules of a scenario."""

    mode: str = "adjustment"
    remittance_rate: float = 0.05  # Shaanxi 2024: 5 % of prior-year income
    stop_months: float = 6.0  # Shaanxi 2024: stop at 6 months of all areas' expenditure
    allocation: str = "application"  # or "pre_allocation" (预拨)
    emergency_share: float = 0.5  # at most this share of the fund per year as emergency loans
    w_dependency: float = 1.0
    w_income: float = 0.5
    w_collection: float = 1.0  # 1 = a collection shortfall is wholly the prefecture's own
    w_cost_control: float = 1.0  # 1 = excess cost growth is wholly the prefecture's own
    w_supervision: float = 1.0  # findings share cut from the grant


@dataclass(frozen=True, slots=True)
class Inputs:
    """One fund of a province over the years: float yuan (paths, prefectures, years)."""

    income: Array
    expenditure: Array
    structural: Array
    opening: Array  # (prefectures,)
    interest: float
    collection_rate: Array  # (prefectures,)
    supervision_findings: Array  # (prefectures,)
    dependency: Array  # (prefectures, years): in-service per retiree (职退比)
    income_per_head: Array  # (prefectures, years)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened, float yuan, (paths, prefectures, years) unless noted."""

    balance: Array
    remitted: Array
    granted: Array  # normal adjustment
    emergency: Array  # emergency loans advanced
    repaid: Array
    unpaid: Array  # benefits that could not be paid (benefit gap)
    fund_balance: Array  # (paths, years) the adjustment fund (or the unified provincial fund)


def remittance(prior_income: Array, fund_balance: Array, prior_total_exp: Array, r: Rules) -> Array:
    """Remittances to the adjustment fund (上解): ``rate`` × prior-year income, none once the fund
    covers ``stop_months`` of all areas' expenditure (Shaanxi 2024, §9).

    Shapes: prior_income (P, N), fund_balance and prior_total_exp (P,).
    """
    target = r.stop_months * prior_total_exp / 12
    active = fund_balance < target
    out: Array = np.where(active[:, None], r.remittance_rate * prior_income, 0.0)
    return out


def eligible(
    balance: Array,
    expenditure: Array,
    structural: Array,
    income: Array,
    collection_rate: Array,
    supervision_findings: Array,
    r: Rules,
) -> Array:
    """Deficit eligible for a normal adjustment: the structural part, less supervision findings.

    ``balance`` is the prefecture's balance after the year (own balance already used). The
    counterfactual balance adds back the excess over structural expenditure and the income lost
    to a collection rate below the provincial mean; the result is scaled by structural ÷ actual
    expenditure (cost control) and cut by the supervision-findings share.
    """
    deficit = np.maximum(-balance, 0.0)
    bench = float(collection_rate.mean())
    lost = np.maximum(income * (bench / np.maximum(collection_rate, 1e-9) - 1.0), 0.0)
    excess = np.maximum(expenditure - structural, 0.0)
    counterfactual = balance + r.w_cost_control * excess + r.w_collection * lost
    structural_deficit = np.minimum(deficit, np.maximum(-counterfactual, 0.0))
    # performance assessment (考核): spending above the structural path also cuts the covered
    # share, so of two prefectures with the same structure the one that lets costs run gets less
    control = np.clip(structural / np.maximum(expenditure, 1e-9), 0.0, 1.0) ** r.w_cost_control
    cut = np.clip(1.0 - r.w_supervision * supervision_findings, 0.0, 1.0)
    out: Array = structural_deficit * control * cut
    return out


def priority(dependency: Array, income_per_head: Array, r: Rules) -> Array:
    """Allocation priority: above 1 for an older (fewer in-service per retiree) or poorer area."""
    dep = np.maximum(dependency, 1e-9)
    inc = np.maximum(income_per_head, 1e-9)
    score = 1.0 + r.w_dependency * (dep.mean() / dep - 1.0) + r.w_income * (inc.mean() / inc - 1.0)
    out: Array = np.clip(score, 0.2, 5.0)
    return out


def allocate(fund: Array, want: Array, weight: Array) -> Array:
    """Share ``fund`` (P,) over ``want`` (P, N): all of it if it suffices, else by want × weight."""
    total = want.sum(axis=1)
    enough = fund >= total
    w = want * weight[None, :]
    wsum = w.sum(axis=1)
    share = np.divide(w, wsum[:, None], out=np.zeros_like(w), where=wsum[:, None] > 0)
    partial = np.minimum(share * np.maximum(fund, 0.0)[:, None], want)
    out: Array = np.where(enough[:, None], want, partial)
    return out


def simulate(x: Inputs, r: Rules) -> Outcome:
    """Run the years of one fund under the rules, for every path at once."""
    if r.mode not in MODES:
        raise ValueError(f"unknown pooling mode {r.mode!r}")
    paths, n, nt = x.income.shape
    z = np.zeros((paths, n, nt))
    bal, rem, gra, emg, rep, unp = z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy()
    fund_bal = np.zeros((paths, nt))
    b = np.broadcast_to(x.opening, (paths, n)).copy()
    fund = np.zeros(paths)
    owed = np.zeros((paths, n))
    if r.mode == "unified":
        # 统收统支: one fund; the prefecture balances are pooled on day one
        total = b.sum(axis=1)
        for t in range(nt):
            i, e = x.income[:, :, t], x.expenditure[:, :, t]
            total = total * (1 + x.interest) + i.sum(axis=1) - e.sum(axis=1)
            short = np.maximum(-total, 0.0)
            esum = e.sum(axis=1)
            unp[:, :, t] = (
                e * np.divide(short, esum, out=np.zeros_like(short), where=esum > 0)[:, None]
            )
            total = np.maximum(total, 0.0)
            fund_bal[:, t] = total
            bal[:, :, t] = total[:, None] * e / np.maximum(esum, 1e-9)[:, None]
        return Outcome(bal, rem, gra, emg, rep, unp, fund_bal)
    prev_eligible = np.zeros((paths, n))
    for t in range(nt):
        i, e, s = x.income[:, :, t], x.expenditure[:, :, t], x.structural[:, :, t]
        b = b * (1 + x.interest) + i - e
        fund = fund * (1 + x.interest)
        if r.mode == "adjustment":
            prior_i = x.income[:, :, t - 1] if t else i
            prior_e = x.expenditure[:, :, t - 1].sum(axis=1) if t else e.sum(axis=1)
            rm = remittance(prior_i, fund, prior_e, r)
            b -= rm
            fund += rm.sum(axis=1)
            rem[:, :, t] = rm
            # repay emergency loans from this year's positive balance (half of it at most)
            rp = np.minimum(owed, np.maximum(b, 0.0) * 0.5)
            b -= rp
            owed -= rp
            fund += rp.sum(axis=1)
            rep[:, :, t] = rp
            weight = priority(x.dependency[:, t], x.income_per_head[:, t], r)
            now = eligible(b, e, s, i, x.collection_rate, x.supervision_findings, r)
            want = prev_eligible if r.allocation == "pre_allocation" else now
            g = allocate(fund, want, weight)
            b += g
            fund -= g.sum(axis=1)
            gra[:, :, t] = g
            prev_eligible = now * (e / np.maximum(x.expenditure[:, :, t - 1], 1e-9) if t else 1.0)
            need = np.maximum(-b, 0.0)
            loan = allocate(np.maximum(fund, 0.0) * r.emergency_share, need, np.ones(n))
            b += loan
            fund -= loan.sum(axis=1)
            owed += loan
            emg[:, :, t] = loan
        unp[:, :, t] = np.maximum(-b, 0.0)
        b = np.maximum(b, 0.0)
        bal[:, :, t] = b
        fund_bal[:, t] = fund
    return Outcome(bal, rem, gra, emg, rep, unp, fund_bal)


@dataclass(frozen=True, slots=True)
class Summary:
    """Per-scenario results for the report (float yuan; the shell rounds to fen)."""

    p_any_dry: float  # probability that some prefecture cannot pay benefits in some year
    p_dry: Array  # (N,) per prefecture
    months_fan: Array  # (5 quantiles, N, T) balance in months of expenditure
    months_spread: Array  # (5 quantiles, T) max − min months across prefectures
    paid_ratio_gap: float  # mean over paths of max − min share of benefits paid (whole horizon)
    remitted: Array  # (N, T) mean over paths
    granted: Array  # (N, T)
    emergency: Array  # (N, T)
    unpaid: Array  # (N, T)
    fund_fan: Array  # (5, T)


def summarise(x: Inputs, o: Outcome) -> Summary:
    """Probabilities, fans and mean transfers from an outcome."""
    q = (0.05, 0.25, 0.5, 0.75, 0.95)
    dry = np.any(o.unpaid > 0.5, axis=2)  # more than half a yuan unpaid
    months = o.balance / np.maximum(x.expenditure / 12, 1e-9)
    paid = 1.0 - o.unpaid.sum(axis=2) / np.maximum(x.expenditure.sum(axis=2), 1e-9)
    return Summary(
        p_any_dry=float(np.any(dry, axis=1).mean()),
        p_dry=dry.mean(axis=0),
        months_fan=np.quantile(months, q, axis=0),
        months_spread=np.quantile(months.max(axis=1) - months.min(axis=1), q, axis=0),
        paid_ratio_gap=float((paid.max(axis=1) - paid.min(axis=1)).mean()),
        remitted=o.remitted.mean(axis=0),
        granted=o.granted.mean(axis=0),
        emergency=o.emergency.mean(axis=0),
        unpaid=o.unpaid.mean(axis=0),
        fund_fan=np.quantile(o.fund_balance, q, axis=0),
    )

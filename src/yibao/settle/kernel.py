"""The settlement arithmetic, written once (结算核心): every benefit layer of one claim.

The rules of a claim are resolved (``rules.resolve_rules``) into one row of integers
(:func:`params_row`); a person's year-to-date totals are one integer vector (``S_*``
offsets). :func:`settle_step` settles one claim over that vector and writes every
intermediate amount into an output row (``O_*`` offsets), advancing the vector. It is
compiled with numba; the scalar engine (``engine.settle``) calls it on one claim and builds
the trace from the output row, and the table engine (``table.py``) calls
:func:`settle_sorted` on claims ordered by (person, settle time), so the arithmetic exists
once. Every amount is an int64 of fen and every ratio an integer of 1/10 000, and every
rounding is :func:`yibao.money.half_up` at a named stage: the kernel computes the same fen as
Python integers would (``tests/unit/test_kernel.py``).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from yibao.errors import InputError
from yibao.money import RATIO_SCALE, half_up
from yibao.policy.schema import ACCOUNT_PARTS
from yibao.settle.rules import Rules
from yibao.settle.schedule import Schedule
from yibao.types import VisitType

Int64s = npt.NDArray[np.int64]

BIG = 10**15
"""Stands for "no bound" (no cap, open band) in the integer rows."""

NB = 16
"""Bands per schedule in a parameter row (unused bands are zero-rate and empty)."""

VISITS = tuple(VisitType)
VISIT_INDEX = {v.value: i for i, v in enumerate(VISITS)}

# Parameter row (one per distinct rule key).
(
    P_ENABLED,
    P_DED_MODE,  # 0 none, 1 per admission, 2 annual
    P_DED1,
    P_DED2,
    P_DED3,
    P_DED_CAP,
    P_SEG_ADMISSION,
    P_BASIS_EXPENSE,
    P_CEIL_GROUP,  # index of the ceiling group, -1 none
    P_CEIL_KIND,  # 0 none, 1 fund, 2 expense
    P_CEIL_AMOUNT,
    P_LA_ON,
    P_LA_RATE,
    P_LA_CAP,
    P_CI_ON,
    P_CI_PRE,
    P_CI_CAP,
    P_AS_ON,
    P_AS_PRE,
    P_AS_DED,
    P_AS_RATE,
    P_AS_CAP,
    P_TILT_THR,
    P_TILT_RATE,
    P_TILT_CAP,
    P_ACCOUNT_ON,
) = range(26)
P_COVERS = 26  # one flag per ACCOUNT_PARTS entry, in that order
P_FUND = P_COVERS + len(ACCOUNT_PARTS)  # NB × (lower, upper, rate) of the fund schedule
P_CI = P_FUND + 3 * NB  # the same for the critical illness schedule
N_PARAMS = P_CI + 3 * NB

# Accumulator vector of one person (年度累计).
(S_LARGE_PAID, S_CI_BASE, S_CI_PAID, S_AS_BASE, S_AS_PAID, S_TILT_PAID, S_BALANCE) = range(7)
S_POOLS = 7  # per visit type: admissions, scope, deductible
S_CEILINGS = S_POOLS + 3 * len(VISITS)  # per ceiling group: scope, fund


def state_size(groups: int) -> int:
    """Length of the accumulator vector with ``groups`` ceiling groups."""
    return S_CEILINGS + 2 * max(groups, 1)


# Input amounts of a claim (the pre-split parts).
A_TOTAL, A_FULL, A_OVER_LIMIT, A_PRESELF, A_ITEM_FUND, A_ITEM_SCOPE = range(6)

# Output row of a claim: every amount the trace and the settlement table show.
(
    O_SEQ,
    O_NOMINAL,
    O_DEDUCTIBLE,
    O_DED_BEFORE,
    O_SEG_FROM,
    O_SEG_TO,
    O_RAW_FUND,
    O_FUND,
    O_OVER_CEILING,
    O_CEIL_USED,
    O_POOLED,
    O_COINSURANCE,
    O_LARGE,
    O_CI_BASE,
    O_CI_RAW,
    O_CI,
    O_AS_BASE,
    O_ASSIST,
    O_TILT,
    O_ELIGIBLE,
    O_ACCOUNT,
    O_CASH,
    O_SCOPE,
) = range(23)
N_OUT = 23


def _band_params(s: Schedule) -> list[int]:
    if len(s.rates) > NB:
        raise InputError(
            f"a schedule has {len(s.rates)} bands; the settlement kernel supports {NB}"
        )
    out: list[int] = []
    for i in range(NB):
        if i < len(s.rates):
            upto = s.uptos[i]
            out += [s.lower(i), BIG if upto is None else upto, s.rates[i]]
        else:
            out += [BIG, BIG, 0]
    return out


def _bound(cap: int | None) -> int:
    return BIG if cap is None else cap


def params_row(rules: Rules, group_index: int) -> Int64s:
    """The rules of one key as a row of integers; ``group_index`` is the ceiling group's slot."""
    b, la, ci, ar, ac = (
        rules.basic,
        rules.large_amount,
        rules.critical_illness,
        rules.assistance,
        rules.account,
    )
    mode = {"none": 0, "per_admission": 1, "annual": 2}[b.deductible_mode] if b.enabled else 0
    kind = {None: 0, "fund": 1, "expense": 2}[
        b.ceiling_kind if b.ceiling_amount is not None else None
    ]
    row = [
        int(b.enabled),
        mode,
        *b.deductible_by_seq,
        _bound(b.deductible_annual_cap),
        int(b.per_admission_segments),
        int(b.basis == "expense"),
        group_index if b.ceiling_group is not None else -1,
        kind,
        b.ceiling_amount or 0,
        int(la.enabled),
        la.rate,
        _bound(la.cap),
        int(ci.enabled),
        int(ci.includes_preself),
        _bound(ci.cap),
        int(ar.enabled),
        int(ar.includes_preself),
        ar.deductible,
        ar.rate,
        _bound(ar.cap),
        ar.tilt_threshold,
        ar.tilt_rate,
        _bound(ar.tilt_cap),
        int(ac.enabled),
        *(int(ac.enabled and part in ac.covers) for part in ACCOUNT_PARTS),
        *_band_params(b.schedule),
        *_band_params(ci.schedule),
    ]
    assert len(row) == N_PARAMS
    return np.array(row, dtype=np.int64)


_jit = numba.njit(cache=True, nogil=True)
_half_up = _jit(half_up)  # the one half-up primitive of ``money``, compiled


@_jit
def _round(units: int) -> int:
    """``money.round_at`` on 1/10 000 fen: half-up, symmetric for a negative amount."""
    if units < 0:
        return -_half_up(-units, RATIO_SCALE)
    return _half_up(units, RATIO_SCALE)


@_jit
def _capped(raw: int, cap: int, used: int) -> int:
    """min(raw, cap − used), never below zero (``schedule.capped``)."""
    return max(0, min(raw, cap - used))


@_jit
def _units(p: Int64s, base: int, a: int, b: int) -> int:
    """Σ rate_i × |[a, b) ∩ band_i| of the schedule at ``p[base:]`` (``Schedule.units``)."""
    total = 0
    for i in range(NB):
        lo, hi, r = p[base + 3 * i], p[base + 3 * i + 1], p[base + 3 * i + 2]
        if lo == BIG:  # padding: no more bands
            break
        total += r * max(0, min(b, hi) - max(a, lo))
    return total


@_jit
def _crossing(p: Int64s, base: int, a: int, b: int, budget: int) -> int:
    """Where the payment from ``a`` reaches ``budget`` units (``Schedule.crossing``), rounded
    half-up at stage ``ceiling_crossing``."""
    spent = 0
    for i in range(NB):
        lo, hi, r = p[base + 3 * i], p[base + 3 * i + 1], p[base + 3 * i + 2]
        if lo == BIG:
            break
        length = max(0, min(b, hi) - max(a, lo))
        if length == 0:
            continue
        part = r * length
        if spent + part >= budget and r > 0:
            return int(max(a, lo) + _half_up(budget - spent, r))
        spent += part
    return b


@_jit
def settle_step(p: Int64s, visit: int, amt: Int64s, s: Int64s, out: Int64s) -> None:
    """Settle one claim with parameters ``p`` over the accumulators ``s`` (advanced in place);
    every amount goes to ``out``. See ``engine.py`` for the layers in words."""
    total, preself = amt[A_TOTAL], amt[A_PRESELF]
    item_scope = amt[A_ITEM_SCOPE]
    scope = total - amt[A_FULL] - amt[A_OVER_LIMIT] - preself - item_scope
    item_fund = amt[A_ITEM_FUND] if p[P_ENABLED] == 1 else 0
    pool = S_POOLS + 3 * visit
    pool_scope, pool_ded = s[pool + 1], s[pool + 2]
    seq = s[pool] + 1
    # deductible (起付线): per admission by its rank in the year, or annual
    mode = p[P_DED_MODE]
    nominal = d = 0
    if mode == 2:
        nominal = p[P_DED1]
        d = min(max(0, nominal - pool_ded), scope)
    elif mode == 1:
        nominal = p[P_DED1] if seq == 1 else (p[P_DED2] if seq == 2 else p[P_DED3])
        d = min(nominal, scope, max(0, p[P_DED_CAP] - pool_ded))
    # pooled fund (统筹基金) over the segments, under the ceiling (封顶线)
    if p[P_SEG_ADMISSION] == 1:
        a = d if p[P_BASIS_EXPENSE] == 1 else 0
    else:
        a = pool_scope + d if p[P_BASIS_EXPENSE] == 1 else pool_scope - pool_ded
    group, kind, ceiling = p[P_CEIL_GROUP], p[P_CEIL_KIND], p[P_CEIL_AMOUNT]
    g_scope = g_fund = 0
    if group >= 0:
        g_scope, g_fund = s[S_CEILINGS + 2 * group], s[S_CEILINGS + 2 * group + 1]
    over = 0
    if group >= 0 and kind == 2:
        over = max(0, g_scope + scope - max(ceiling, g_scope + d))
    end = a + scope - d - over
    raw = _round(_units(p, P_FUND, a, end))
    fund = raw
    if group >= 0 and kind == 1:
        fund = _capped(raw, ceiling, g_fund)
        if fund < raw:
            over = end - _crossing(p, P_FUND, a, end, fund * RATIO_SCALE)
    coinsurance = scope - d - over - fund + item_scope - item_fund
    # large-amount supplement (大额医疗费用补助) on the expense above the ceiling
    large_raw = _round(over * p[P_LA_RATE]) if p[P_LA_ON] == 1 else 0
    large = _capped(large_raw, p[P_LA_CAP], s[S_LARGE_PAID])
    compliant = d + coinsurance + over - large
    # critical illness (大病保险) on the year's compliant self-pay
    ci_base = 0
    if p[P_CI_ON] == 1:
        ci_base = compliant + (preself if p[P_CI_PRE] == 1 else 0)
    ci_raw = _round(_units(p, P_CI, s[S_CI_BASE], s[S_CI_BASE] + ci_base))
    ci = _capped(ci_raw, p[P_CI_CAP], s[S_CI_PAID])
    # medical assistance (医疗救助) and tilted assistance (倾斜救助)
    a_base = assist = tilt = 0
    if p[P_AS_ON] == 1:
        a_base = max(0, compliant + (preself if p[P_AS_PRE] == 1 else 0) - ci)
        w0 = s[S_AS_BASE]
        ded = p[P_AS_DED]
        units = p[P_AS_RATE] * (max(0, w0 + a_base - ded) - max(0, w0 - ded))
        assist = _capped(_round(units), p[P_AS_CAP], s[S_AS_PAID])
        tilt_raw = _round(max(0, a_base - assist - p[P_TILT_THR]) * p[P_TILT_RATE])
        tilt = _capped(tilt_raw, p[P_TILT_CAP], s[S_TILT_PAID])
    # individual account (个人账户): covered parts left after the other funds
    eligible = 0
    if p[P_ACCOUNT_ON] == 1:
        others = large + ci + assist + tilt
        take = min(over, others)
        left_over, others = over - take, others - take
        take = min(coinsurance, others)
        left_coins, others = coinsurance - take, others - take
        take = min(d, others)
        left_ded, others = d - take, others - take
        left_pre = preself - min(preself, others)
        # in ACCOUNT_PARTS order: deductible, coinsurance, preself, over_ceiling, over_limit, full
        eligible = (
            p[P_COVERS] * left_ded
            + p[P_COVERS + 1] * left_coins
            + p[P_COVERS + 2] * left_pre
            + p[P_COVERS + 3] * left_over
            + p[P_COVERS + 4] * amt[A_OVER_LIMIT]
            + p[P_COVERS + 5] * amt[A_FULL]
        )
    account = min(max(0, s[S_BALANCE]), eligible)
    pooled = fund + item_fund
    cash = total - pooled - large - ci - assist - tilt - account
    out[O_SEQ], out[O_NOMINAL], out[O_DEDUCTIBLE], out[O_DED_BEFORE] = seq, nominal, d, pool_ded
    out[O_SEG_FROM], out[O_SEG_TO], out[O_RAW_FUND], out[O_FUND] = a, end, raw, fund
    out[O_OVER_CEILING], out[O_CEIL_USED], out[O_POOLED] = over, g_fund, pooled
    out[O_COINSURANCE], out[O_LARGE], out[O_CI_BASE], out[O_CI_RAW] = (
        coinsurance,
        large,
        ci_base,
        ci_raw,
    )
    out[O_CI], out[O_AS_BASE], out[O_ASSIST], out[O_TILT] = ci, a_base, assist, tilt
    out[O_ELIGIBLE], out[O_ACCOUNT], out[O_CASH], out[O_SCOPE] = eligible, account, cash, scope
    # advance the year (年度累计)
    s[pool] += 1
    s[pool + 1] += scope
    s[pool + 2] += d
    if group >= 0:
        s[S_CEILINGS + 2 * group] += scope
        s[S_CEILINGS + 2 * group + 1] += fund
    s[S_LARGE_PAID] += large
    s[S_CI_BASE] += ci_base
    s[S_CI_PAID] += ci
    s[S_AS_BASE] += a_base
    s[S_AS_PAID] += assist
    s[S_TILT_PAID] += tilt
    s[S_BALANCE] -= account


@_jit
def settle_sorted(
    params: Int64s,
    key: Int64s,
    visit: Int64s,
    new_person: npt.NDArray[np.bool_],
    balance: Int64s,
    amounts: Int64s,
    state: Int64s,
    out: Int64s,
) -> None:
    """Settle claims ordered by (person, settle time): the accumulators restart at each new
    person (opening account ``balance``); ``state`` carries the last person across calls."""
    for i in range(key.shape[0]):
        if new_person[i]:
            state[:] = 0
            state[S_BALANCE] = balance[i]
        settle_step(params[key[i]], visit[i], amounts[i], state, out[i])


def settle_one(p: Int64s, visit: int, amounts: Int64s, state: Int64s) -> Int64s:
    """Settle one claim (the scalar engine's call): the output row; ``state`` is advanced."""
    out = np.zeros(N_OUT, dtype=np.int64)
    settle_step(p, visit, amounts, state, out)
    return out


def warm_up() -> Any:
    """Compile (or load the cached compilation of) the kernel once."""
    p = np.zeros(N_PARAMS, dtype=np.int64)
    s = np.zeros(state_size(1), dtype=np.int64)
    return settle_one(p, 0, np.zeros(6, dtype=np.int64), s)

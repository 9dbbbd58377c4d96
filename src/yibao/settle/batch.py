"""The settlement rules over a table of claims (批量结算), as Ibis expressions.

The claims of a year are ordered by person and time; every year-to-date amount the scalar
engine reads from a person's accumulators is here a window sum over the claims before, and
every capped layer is ``min(cap, Σ up to this claim) − min(cap, Σ before it)``. Parameters
are resolved in Python with the scalar engine's own :func:`resolve_rules` for each distinct
parameter key in the data, and joined back. All money arithmetic is on integers (fen and
ratio units of 1/10 000), so DuckDB and Spark give the scalar engine's fen exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from yibao.errors import InputError
from yibao.money import RATIO_SCALE, Stage, ratio_units, round_at
from yibao.policy.registry import PackRegistry
from yibao.policy.restriction import NONE, restriction, visits_key
from yibao.policy.schema import ACCOUNT_PARTS, AgeBand
from yibao.settle.model import PRESPLIT_AMOUNTS
from yibao.settle.rules import RuleKey, Rules, resolve_rules
from yibao.settle.schedule import Schedule
from yibao.types import AssistanceCategory, Level, PersonType, Route, Scheme, VisitType

BIG = 10**15  # stands for "no bound" in integer columns
NB = 8  # bands per schedule, padded
KEY_COLUMNS = (
    "insured_pack",
    "scheme",
    "person_type",
    "visit_type",
    "level",
    "route",
    "age_bucket",
    "assistance_category",
    "period",
)

# The columns a claims table must have for :func:`settle_claims`.
CLAIM_COLUMNS = (
    "claim_id",
    "person_id",
    "settle_date",
    "visit_type",
    "level",
    "route",
    "scheme",
    "person_type",
    "birth_date",
    "assistance_category",
    "insured_pack",
    "account_balance_fen",
    *PRESPLIT_AMOUNTS,
)


def _min(a: Any, b: Any) -> Any:
    return ibis.least(a, b)


def _max(a: Any, b: Any) -> Any:
    return ibis.greatest(a, b)


@dataclass(frozen=True)
class Periods:
    """Dates at which some parameter changes inside the year: claims map to a period index."""

    starts: tuple[date, ...]

    def index(self, day: date) -> int:
        return bisect.bisect_right(self.starts, day) - 1

    def expr(self, col: ir.DateValue) -> ir.IntegerValue:
        out: Any = ibis.literal(0)
        for i, start in enumerate(self.starts[1:], start=1):
            out = (col >= ibis.literal(start)).ifelse(i, out)
        return out


def policy_periods(registry: PackRegistry, pack_ids: Iterable[str], year: int) -> Periods:
    """Every start of a version (and day after an end) inside ``year`` in the given chains."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    starts = {first}
    for pid in pack_ids:
        for pack in registry.chain(pid).packs:
            for versions in pack.leaves.values():
                for v in versions:
                    for d in (v.start, v.end + timedelta(days=1) if v.end else None):
                        if d is not None and first < d <= last:
                            starts.add(d)
    return Periods(tuple(sorted(starts)))


def age_thresholds(registry: PackRegistry, pack_ids: Iterable[str]) -> tuple[int, ...]:
    """Every age at which some chain's ratio adjustment changes (ages in between are alike)."""
    ages = {0}
    for pid in pack_ids:
        for pack in registry.chain(pid).packs:
            for path, versions in pack.leaves.items():
                if path.endswith("fund.age_adjust"):
                    for v in versions:
                        assert isinstance(v.value, tuple)
                        ages.update(b.min_age for b in v.value if isinstance(b, AgeBand))
    return tuple(sorted(ages))


def _bucket_expr(age: ir.IntegerValue, thresholds: Sequence[int]) -> ir.IntegerValue:
    out: Any = ibis.literal(thresholds[0])
    for t in thresholds[1:]:
        out = (age >= t).ifelse(t, out)
    return out


def _band_row(prefix: str, s: Schedule) -> dict[str, int]:
    if len(s.rates) > NB:
        raise InputError(f"a schedule has {len(s.rates)} bands; the batch engine supports {NB}")
    row: dict[str, int] = {}
    for i in range(NB):
        if i < len(s.rates):
            lo, hi, rate = s.lower(i), s.uptos[i], s.rates[i]
            row[f"{prefix}lo{i}"], row[f"{prefix}hi{i}"], row[f"{prefix}r{i}"] = lo, hi or BIG, rate
        else:
            row[f"{prefix}lo{i}"], row[f"{prefix}hi{i}"], row[f"{prefix}r{i}"] = BIG, BIG, 0
    return row


def params_row(rules: Rules) -> dict[str, Any]:
    """The rules of one key as a flat row of integers (and the ceiling group name)."""
    b, la, ci, ar, ac = (
        rules.basic,
        rules.large_amount,
        rules.critical_illness,
        rules.assistance,
        rules.account,
    )
    mode = {"none": 0, "per_admission": 1, "annual": 2}[b.deductible_mode if b.enabled else "none"]
    row: dict[str, Any] = {
        "enabled": int(b.enabled),
        "ded_mode": mode,
        "ded1": b.deductible_by_seq[0],
        "ded2": b.deductible_by_seq[1],
        "ded3": b.deductible_by_seq[2],
        "ded_cap": BIG if b.deductible_annual_cap is None else b.deductible_annual_cap,
        "seg_admission": int(b.per_admission_segments),
        "basis_expense": int(b.basis == "expense"),
        "ceil_group": b.ceiling_group or "",
        "ceil_fund": BIG
        if b.ceiling_kind != "fund" or b.ceiling_amount is None
        else b.ceiling_amount,
        "ceil_exp": BIG
        if b.ceiling_kind != "expense" or b.ceiling_amount is None
        else b.ceiling_amount,
        "la_rate": la.rate if la.enabled else 0,
        "la_cap": BIG if la.cap is None else la.cap,
        "ci_on": int(ci.enabled),
        "ci_pre": int(ci.includes_preself),
        "ci_cap": BIG if ci.cap is None else ci.cap,
        "as_on": int(ar.enabled),
        "as_pre": int(ar.includes_preself),
        "as_ded": ar.deductible,
        "as_rate": ar.rate,
        "as_cap": BIG if ar.cap is None else ar.cap,
        "tilt_thr": ar.tilt_threshold,
        "tilt_rate": ar.tilt_rate,
        "tilt_cap": BIG if ar.tilt_cap is None else ar.tilt_cap,
    }
    for part in ACCOUNT_PARTS:
        row[f"cov_{part}"] = int(ac.enabled and part in ac.covers)
    row.update(_band_row("f", b.schedule))
    row.update(_band_row("c", ci.schedule))
    return row


def _with_parts(t: Any, prefix: str, a: str, b: str, nb: int) -> Any:
    """Columns ``{prefix}p{i}`` = rate_i × |[a, b) ∩ band_i| and their sum ``{prefix}units``.

    Each band's part is a column of its own so that later expressions refer to it rather
    than repeat it (the SQL stays linear in the number of bands).
    """
    parts = {}
    for i in range(nb):
        lo, hi, r = t[f"{prefix}lo{i}"], t[f"{prefix}hi{i}"], t[f"{prefix}r{i}"]
        parts[f"{prefix}p{i}"] = r * _max(0, _min(t[b], hi) - _max(t[a], lo))
    t = t.mutate(**parts)
    total: Any = ibis.literal(0, "int64")
    for i in range(nb):
        total = total + t[f"{prefix}p{i}"]
    return t.mutate(**{f"{prefix}units": total})


def _crossing(t: Any, nb: int) -> Any:
    """Column ``cross``: where the payment from seg_a reaches the capped fund
    (as ``Schedule.crossing``)."""
    spent = {"fs0": ibis.literal(0, "int64")}
    for i in range(1, nb):
        spent[f"fs{i}"] = ibis.literal(0, "int64")
        for j in range(i):
            spent[f"fs{i}"] = spent[f"fs{i}"] + t[f"fp{j}"]
    t = t.mutate(**spent, budget=t.fund * RATIO_SCALE)
    cases = []
    for i in range(nb):
        r, p, s_i = t[f"fr{i}"], t[f"fp{i}"], t[f"fs{i}"]
        hit = (p > 0) & (s_i + p >= t.budget)
        cases.append(
            (
                hit,
                _max(t.seg_a, t[f"flo{i}"])
                + round_at(Stage.CEILING_CROSSING, t.budget - s_i, _max(r, 1)),
            )
        )
    return t.mutate(cross=ibis.cases(*cases, else_=t.seg_b))


def _resolve_keys(
    keys: list[dict[str, Any]], registry: PackRegistry, periods: Periods
) -> list[dict[str, Any]]:
    rows = []
    for k in keys:
        chain = registry.chain(k["insured_pack"])
        cat = k["assistance_category"]
        key = RuleKey(
            Scheme(k["scheme"]),
            PersonType(k["person_type"]),
            VisitType(k["visit_type"]),
            Level(k["level"]),
            Route(k["route"]),
            int(k["age_bucket"]),
            AssistanceCategory(cat) if cat else None,
            periods.starts[int(k["period"])],
        )
        rows.append({**k, **params_row(resolve_rules(chain, key))})
    return rows


def _age(birth: Any, day: Any) -> Any:
    years = day.year() - birth.year()
    before = (day.month() < birth.month()) | (
        (day.month() == birth.month()) & (day.day() < birth.day())
    )
    return years - before.ifelse(1, 0)


def settle_claims(con: Any, claims: ir.Table, registry: PackRegistry, year: int) -> ir.Table:
    """Settle a year of pre-split claims; one output row per claim with every part."""
    missing = [c for c in CLAIM_COLUMNS if c not in claims.columns]
    if missing:
        raise InputError(f"claims table lacks column(s): {', '.join(missing)}")
    packs = [
        r[0] for r in con.execute(claims.select("insured_pack").distinct()).itertuples(index=False)
    ]
    periods = policy_periods(registry, packs, year)
    ages = age_thresholds(registry, packs)
    t = claims.filter(claims.settle_date.year() == year)
    t = t.mutate(
        age_bucket=_bucket_expr(_age(t.birth_date, t.settle_date), ages),
        period=periods.expr(t.settle_date),
        assistance_category=t.assistance_category.fill_null(""),
    )
    keys = con.execute(t.select(*KEY_COLUMNS).distinct()).to_dict("records")
    rows = _resolve_keys(keys, registry, periods)
    for i, row in enumerate(rows):
        row["key_id"] = i
    params = ibis.memtable(rows)
    ids = params.select("key_id", "ceil_group", *KEY_COLUMNS)
    t = t.join(ids, list(KEY_COLUMNS)).select(*_BASE, "key_id", "ceil_group")
    return _layers(t, params, _bands_used(rows, "f"), _bands_used(rows, "c"))


# The narrow columns every stage carries; parameters are joined in only where a stage needs them.
_BASE = (
    "claim_id",
    "person_id",
    "settle_date",
    "visit_type",
    "account_balance_fen",
    *PRESPLIT_AMOUNTS,
)


def _bands_used(rows: list[dict[str, Any]], prefix: str) -> int:
    """How many bands any resolved schedule has (the rest are padding and skipped)."""
    used = [i + 1 for r in rows for i in range(NB) if r[f"{prefix}lo{i}"] != BIG]
    return max(used, default=1)


def _win(t: Any, *group: str) -> Any:
    return ibis.window(group_by=[t[g] for g in group], order_by=[t.ord], rows=(None, 0))


def _cum_capped(t: Any, col: str, cap: Any, w: Any) -> tuple[Any, Any]:
    """(this claim's capped amount, capped total before it) for raw amounts under a cap."""
    total = t[col].sum().over(w)
    before = _min(cap, total - t[col])
    return _min(cap, total) - before, before


def _with(t: Any, params: Any, *cols: str) -> Any:
    """``t`` with the parameter columns ``cols`` of each claim's key joined in."""
    return t.join(params.select("key_id", *cols), "key_id")


def _bands(prefix: str, nb: int) -> list[str]:
    return [f"{prefix}{c}{i}" for i in range(nb) for c in ("lo", "hi", "r")]


def _layers(t: Any, params: Any, nb_fund: int, nb_ci: int) -> Any:
    # One global order (person, date, claim) as an integer, so that every window sorts on it.
    order = ibis.window(order_by=[t.person_id, t.settle_date, t.claim_id])
    t = t.mutate(
        ord=ibis.row_number().over(order),
        scope_std=t.total - t.full_selfpay - t.over_limit - t.preself - t.item_fund_scope,
    )
    keep = [*_BASE, "key_id", "ceil_group", "ord", "scope_std"]
    pool = _win(t, "person_id", "visit_type")
    grp = _win(t, "person_id", "ceil_group")
    t = t.mutate(
        seq=ibis.row_number().over(pool) + 1,
        xcum=t.scope_std.sum().over(pool),
        gcum=t.scope_std.sum().over(grp),
    )
    keep += ["seq", "xcum", "gcum"]
    t = _with(t, params, "ded1", "ded2", "ded3")
    nominal = (t.seq == 1).ifelse(t.ded1, (t.seq == 2).ifelse(t.ded2, t.ded3))
    t = t.mutate(ded_m=_min(nominal, t.scope_std)).select(*keep, "ded_m")
    t = t.mutate(mcum=t.ded_m.sum().over(_win(t, "person_id", "visit_type")))
    t = _with(
        t, params, "ded_mode", "ded1", "ded_cap", "ceil_exp", "seg_admission", "basis_expense"
    )
    t = t.mutate(xb=t.xcum - t.scope_std, pab=_min(t.ded_cap, t.mcum - t.ded_m))
    t = t.mutate(ab=_min(t.ded1, t.xb))
    t = t.mutate(
        ded=ibis.cases(
            (t.ded_mode == 1, _min(t.ded_cap, t.mcum) - t.pab),
            (t.ded_mode == 2, _min(t.ded1, t.xcum) - t.ab),
            else_=0,
        ),
        ded_before=ibis.cases((t.ded_mode == 1, t.pab), (t.ded_mode == 2, t.ab), else_=0),
    )
    over_exp = _max(0, t.gcum - _max(t.ceil_exp, t.gcum - t.scope_std + t.ded))
    seg_a = (t.seg_admission == 1).ifelse(
        (t.basis_expense == 1).ifelse(t.ded, 0),
        (t.basis_expense == 1).ifelse(t.xb + t.ded, t.xb - t.ded_before),
    )
    t = t.mutate(seg_a=seg_a, over_exp=over_exp)
    keep += ["ded", "seg_a", "over_exp"]
    t = t.mutate(seg_b=t.seg_a + t.scope_std - t.ded - t.over_exp).select(*keep, "seg_b")
    keep.append("seg_b")
    t = _with(t, params, *_bands("f", nb_fund))
    t = _with_parts(t, "f", "seg_a", "seg_b", nb_fund)
    t = t.mutate(raw=round_at(Stage.POOLED_FUND, t.funits))
    fparts = [f"fp{i}" for i in range(nb_fund)]
    t = t.select(*keep, "raw", *fparts)
    t = _with(t, params, "ceil_fund")
    fund, _ = _cum_capped(t, "raw", t.ceil_fund, _win(t, "person_id", "ceil_group"))
    t = t.mutate(fund=fund)
    t = _with(t, params, *_bands("f", nb_fund))
    t = _crossing(t, nb_fund)
    t = t.mutate(over=t.over_exp + (t.fund < t.raw).ifelse(t.seg_b - t.cross, 0))
    t = _with(t, params, "enabled", "la_rate")
    item_fund = (t.enabled == 1).ifelse(t.item_fund, 0)
    t = t.mutate(
        hifp=t.fund + item_fund,
        coins=t.scope_std - t.ded - t.over - t.fund + t.item_fund_scope - item_fund,
        la_raw=round_at(Stage.LARGE_AMOUNT, t.over * t.la_rate),
    )
    keep += ["fund", "over", "hifp", "coins"]
    t = t.select(*keep, "la_raw")
    t = _with(t, params, "la_cap", "ci_on", "ci_pre")
    person = _win(t, "person_id")
    large, _ = _cum_capped(t, "la_raw", t.la_cap, person)
    t = t.mutate(large=large)
    t = t.mutate(compliant=t.ded + t.coins + t.over - t.large)
    t = t.mutate(
        ci_base=(t.ci_on == 1).ifelse(t.compliant + (t.ci_pre == 1).ifelse(t.preself, 0), 0)
    )
    keep += ["large", "compliant"]
    t = t.select(*keep, "ci_base")
    t = t.mutate(zcum=t.ci_base.sum().over(_win(t, "person_id")))
    t = t.mutate(zb=t.zcum - t.ci_base)
    t = _with(t, params, *_bands("c", nb_ci))
    t = _with_parts(t, "c", "zb", "zcum", nb_ci)
    t = t.mutate(ci_raw=round_at(Stage.CRITICAL_ILLNESS, t.cunits)).select(*keep, "ci_raw")
    t = _with(t, params, "ci_cap", "as_on", "as_pre")
    ci, _ = _cum_capped(t, "ci_raw", t.ci_cap, _win(t, "person_id"))
    t = t.mutate(ci=ci)
    a_base = _max(0, t.compliant + (t.as_pre == 1).ifelse(t.preself, 0) - t.ci)
    t = t.mutate(a_base=(t.as_on == 1).ifelse(a_base, 0))
    keep += ["ci", "a_base"]
    t = t.select(*keep)
    t = t.mutate(wcum=t.a_base.sum().over(_win(t, "person_id")))
    t = _with(t, params, "as_rate", "as_ded")
    wb = t.wcum - t.a_base
    t = t.mutate(
        as_raw=round_at(
            Stage.ASSISTANCE, t.as_rate * (_max(0, t.wcum - t.as_ded) - _max(0, wb - t.as_ded))
        )
    ).select(*keep, "as_raw")
    t = _with(t, params, "as_cap", "tilt_thr", "tilt_rate")
    assist, _ = _cum_capped(t, "as_raw", t.as_cap, _win(t, "person_id"))
    t = t.mutate(assist=assist)
    t = t.mutate(
        tilt_raw=round_at(
            Stage.TILTED_ASSISTANCE, _max(0, t.a_base - t.assist - t.tilt_thr) * t.tilt_rate
        )
    )
    keep.append("assist")
    t = t.select(*keep, "tilt_raw")
    t = _with(t, params, "tilt_cap")
    tilt, _ = _cum_capped(t, "tilt_raw", t.tilt_cap, _win(t, "person_id"))
    t = t.mutate(tilt=tilt)
    keep.append("tilt")
    t = t.select(*keep)
    t = _with(t, params, *(f"cov_{p}" for p in ACCOUNT_PARTS))
    t = _account(t, _win(t, "person_id"))
    return t.select(
        "claim_id",
        "person_id",
        "settle_date",
        "seq",
        medfee_sumamt=t.total,
        fulamt_ownpay_amt=t.full_selfpay,
        overlmt_selfpay=t.over_limit,
        preselfpay_amt=t.preself,
        inscp_scp_amt=t.total - t.full_selfpay - t.over_limit - t.preself,
        act_pay_dedc=t.ded,
        hifp_pay=t.hifp,
        psn_coins_amt=t.coins,
        overcap_amt=t.over,
        hifob_pay=t.large,
        hifmi_pay=t.ci,
        maf_pay=t.assist + t.tilt,
        maf_tilt_pay=t.tilt,
        acct_pay=t.acct,
        psn_cash_pay=t.cash,
        fund_pay_sumamt=t.hifp + t.large + t.ci + t.assist + t.tilt,
    )


def _account(t: Any, person: Any) -> Any:
    """Account payment: covered parts left after the other funds, within the opening balance."""
    others = t.large + t.ci + t.assist + t.tilt
    left: dict[str, Any] = {}
    for name, amount in (
        ("over_ceiling", t.over),
        ("coinsurance", t.coins),
        ("deductible", t.ded),
        ("preself", t.preself),
    ):
        take = _min(amount, others)
        left[name] = amount - take
        others = others - take
    left["over_limit"] = t.over_limit
    left["full_selfpay"] = t.full_selfpay
    eligible: Any = ibis.literal(0, "int64")
    for part in ACCOUNT_PARTS:
        eligible = eligible + (t[f"cov_{part}"] == 1).ifelse(left[part], 0)
    t = t.mutate(eligible=eligible)
    balance = _max(0, t.account_balance_fen)
    ecum = t.eligible.sum().over(person)
    t = t.mutate(acct=_min(balance, ecum) - _min(balance, ecum - t.eligible))
    return t.mutate(cash=t.total - t.hifp - t.large - t.ci - t.assist - t.tilt - t.acct)


# The columns of a claim-lines table for :func:`split_lines`.
LINE_COLUMNS = ("claim_id", "item_code", "quantity", "unit_price_fen", "amount_fen")


def catalogue_table(items: Iterable[Any]) -> ir.Table:
    """A catalogue as a memtable: ratios in units, restrictions as plain columns."""
    rows = [
        {
            "item_code": it.code,
            "item_class": str(it.item_class),
            "own_preself": None if it.preself_ratio is None else ratio_units(it.preself_ratio),
            "price_cap": it.price_cap,
            "r_sex": None if it.sex is None else str(it.sex),
            "min_age": it.min_age,
            "max_age": it.max_age,
            "r_visits": visits_key(it.visit_types),
            "fund_units": None if it.fund_ratio is None else ratio_units(it.fund_ratio),
        }
        for it in items
    ]
    schema = {
        "item_code": "string",
        "item_class": "string",
        "own_preself": "int64",
        "price_cap": "int64",
        "r_sex": "string",
        "min_age": "int64",
        "max_age": "int64",
        "r_visits": "string",
        "fund_units": "int64",
    }
    return ibis.memtable(rows, schema=schema)


def class_b_table(
    registry: PackRegistry, treatment_packs: Iterable[str], schemes: Iterable[str], periods: Periods
) -> ir.Table:
    """The treatment region's class-B pre-self-pay ratio per scheme and period (就医地目录)."""
    rows = []
    for pid in treatment_packs:
        chain = registry.chain(pid)
        for scheme in schemes:
            for i, start in enumerate(periods.starts):
                value = chain.get(f"{scheme}.class_b_preself_ratio", start).value
                assert isinstance(value, Decimal)
                rows.append(
                    {
                        "treatment_pack": pid,
                        "scheme": scheme,
                        "period": i,
                        "b_units": ratio_units(value),
                    }
                )
    return ibis.memtable(rows)


def split_lines(
    con: Any,
    lines: ir.Table,
    claims: ir.Table,
    catalogue: ir.Table,
    registry: PackRegistry,
    year: int,
) -> ir.Table:
    """Split every line by the catalogue and sum per claim (as ``split.split_bill``).

    ``claims`` needs claim_id, admit_date, settle_date, visit_type, sex, birth_date, scheme
    and treatment_pack. Returns claim_id with total, full_selfpay, over_limit, preself,
    item_fund and item_fund_scope.
    """
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise InputError(f"claim lines lack column(s): {', '.join(missing)}")
    if "admit_date" not in claims.columns:
        raise InputError("claims table lacks column admit_date (catalogue ages are at admission)")
    unknown = lines.anti_join(catalogue, "item_code").select("claim_id", "item_code").limit(3)
    bad = con.execute(unknown).to_dict("records")
    if bad:
        shown = ", ".join(f"{r['item_code']!r} (claim {r['claim_id']})" for r in bad)
        raise InputError(f"unknown catalogue code(s): {shown}")
    negative = con.execute(lines.filter((lines.amount_fen < 0) | (lines.quantity <= 0)).count())
    if negative:
        raise InputError(f"{negative} claim line(s) have a negative amount or a quantity below 1")
    packs = [
        r[0]
        for r in con.execute(claims.select("treatment_pack").distinct()).itertuples(index=False)
    ]
    schemes = [
        r[0] for r in con.execute(claims.select("scheme").distinct()).itertuples(index=False)
    ]
    periods = policy_periods(registry, packs, year)
    meta = claims.select(
        "claim_id",
        "visit_type",
        "sex",
        "scheme",
        "treatment_pack",
        age=_age(claims.birth_date, claims.admit_date),  # at admission (policy.restriction)
        period=periods.expr(claims.settle_date),
    )
    meta = meta.join(
        class_b_table(registry, packs, schemes, periods), ["treatment_pack", "scheme", "period"]
    )
    t = lines.join(meta, "claim_id").join(catalogue, "item_code")
    broken = restriction(t.r_sex, t.min_age, t.max_age, t.r_visits, t.sex, t.age, t.visit_type)
    restricted = broken != NONE
    self_paid = (t.item_class == "C") | restricted
    over_price = t.price_cap.notnull() & (t.unit_price_fen > t.price_cap)
    over = over_price.ifelse(_min(t.amount_fen, (t.unit_price_fen - t.price_cap) * t.quantity), 0)
    rate = t.own_preself.fill_null((t.item_class == "B").ifelse(t.b_units, 0))
    t = t.mutate(
        l_full=self_paid.ifelse(t.amount_fen, 0),
        l_over=self_paid.ifelse(0, over),
    )
    t = t.mutate(l_allowed=self_paid.ifelse(0, t.amount_fen - t.l_over))
    t = t.mutate(l_pre=round_at(Stage.PRESELF, t.l_allowed * rate))
    t = t.mutate(l_scope=t.l_allowed - t.l_pre)
    outside = t.fund_units.notnull() & ~self_paid
    t = t.mutate(
        l_ifund=outside.ifelse(
            round_at(Stage.ITEM_FUND_SHARE, t.l_scope * t.fund_units.fill_null(0)), 0
        ),
        l_iscope=outside.ifelse(t.l_scope, 0),
    )
    return t.group_by("claim_id").aggregate(
        total=t.amount_fen.sum(),
        full_selfpay=t.l_full.sum(),
        over_limit=t.l_over.sum(),
        preself=t.l_pre.sum(),
        item_fund=t.l_ifund.sum(),
        item_fund_scope=t.l_iscope.sum(),
    )

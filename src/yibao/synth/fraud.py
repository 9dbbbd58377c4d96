"""Seeding known fraud patterns (欺诈骗保模式) into a synthetic province, with labels.

``seed_fraud(tables, rate, seed)`` takes the generator's tables and returns modified tables
and a labels table (claim_id, line_no, pattern, provider_id, person_id): the ground truth on
which the supervision rules and anomaly scores are measured (``yibao audit evaluate``).

How it works:

1. **A clean world.** The generator keeps some defects on purpose (prices above the payment
   standard, restriction breaks, same-day repeats, care during a stay). They are real
   violations but not seeded ones, so they would count against a rule's precision. Before
   seeding, the lines and claims that break a rule of the pack are repaired or removed:
   prices are clamped to the standard (the generator's prices above it are legitimate but
   would blur the price pattern's labels), restriction-breaking lines and duplicates dropped,
   outpatient claims inside a stay and same-day claims in a second region dropped.
2. **Fraudulent providers.** A share of providers of every kind (hospital, community
   centre, pharmacy) is chosen; every seeded claim is billed by one of them, so the
   provider ranking can be scored against this set (ROC AUC).
3. **Patterns.** Each pattern is named by the rule code that should find it. For each,
   ``rate`` × the eligible claims at fraudulent providers (at least one) are altered or
   added; a claim takes at most one pattern. The labels name the claim (and the line where
   the pattern is one line). ``DRG_CC_RATE_PEER`` labels a provider (claim_id null).

Synthetic data only: the patterns are simplified versions of the forms listed in
《医疗保障基金使用监督管理条例》(国务院令第735号, 2021) art. 15, 16 and 19.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from yibao.policy.catalogue import Catalogue, demo_catalogue
from yibao.types import Sex, VisitType

PATTERNS = (
    "DUP_SAME_DAY", "SEX_RESTRICTED", "AGE_RESTRICTED", "VISIT_RESTRICTED", "B_INDICATION",
    "QTY_DAILY", "QTY_VISIT", "PRICE_OVER_STANDARD", "UNKNOWN_ITEM", "SUBSTITUTION",
    "OVERLAP_STAY", "OP_DURING_STAY", "OUTSIDE_ENROLMENT", "SPLIT_ADMISSION", "BED_HOLDING",
    "LOW_THRESHOLD_ADMISSION", "DRG_UPCODING", "DRG_CC_RATE_PEER", "CARD_SHARING",
    "PHARMACY_OVERDISPENSING", "FREQUENT_VISITS", "LOS_MISMATCH",
)  # fmt: skip
LABELS = pa.schema(
    [
        ("claim_id", pa.string()),
        ("line_no", pa.int32()),
        ("pattern", pa.string()),
        ("provider_id", pa.string()),
        ("person_id", pa.string()),
    ]
)
FRAUD_PROVIDERS = pa.schema([("provider_id", pa.string())])
_OUTPATIENT = ("outpatient_general", "outpatient_chronic")
_RANK = {"L1": 1, "L2": 2, "L3": 3}


@dataclass(frozen=True)
class Seeded:
    """The altered tables, the labels and the set of fraudulent providers."""

    tables: dict[str, pa.Table]
    labels: pa.Table
    fraud_providers: pa.Table


class _State:
    """Mutable working copies; the public function is pure (copies in, new tables out)."""

    def __init__(
        self,
        t: Mapping[str, pa.Table],
        rng: np.random.Generator,
        values: Mapping[str, Mapping[str, Any]],
        catalogue: Catalogue,
    ) -> None:
        self.rng = rng
        self.values = values
        self.catalogue = catalogue
        self.claims = t["claims"].to_pandas()
        self.lines = t["claim_lines"].to_pandas()
        self.persons = t["persons"].to_pandas()
        self.providers = t["providers"].to_pandas()
        self.labels: list[tuple[str | None, int | None, str, str, str | None]] = []
        self.used: set[str] = set()
        self.new_claims: list[dict[str, Any]] = []
        self.new_lines: list[dict[str, Any]] = []
        self.counter = 0
        self.ended: set[str] = set()  # persons whose enrolment was cut short

    def param(self, rule: str, name: str, default: Any) -> Any:
        return self.values.get(rule, {}).get(name, default)

    def next_id(self) -> str:
        self.counter += 1
        return f"CF{self.counter:09d}"


def _age(birth: pd.Series, day: pd.Series) -> pd.Series:
    b, d = pd.to_datetime(birth), pd.to_datetime(day)
    before = (d.dt.month * 100 + d.dt.day) < (b.dt.month * 100 + b.dt.day)
    return d.dt.year - b.dt.year - before.astype(int)


def _clean(s: _State) -> None:
    """Repair or remove the generator's own defects that a rule of the pack would flag."""
    cat = s.catalogue.items
    c, ln = s.claims, s.lines
    pe = s.persons.set_index("person_id")
    pr = s.providers.set_index("provider_id")
    # care strictly inside a stay, and same-day claims in a second region: drop the claims
    ip = c[c.visit_type == "inpatient"][["person_id", "admit_date", "discharge_date"]]
    op = c[c.visit_type != "inpatient"][["claim_id", "person_id", "admit_date"]]
    j = op.merge(ip, on="person_id", suffixes=("", "_ip"))
    inside = j[(j.admit_date > j.admit_date_ip) & (j.admit_date < j.discharge_date)].claim_id
    op = c[c.visit_type != "inpatient"].copy()
    op["region"] = op.provider_id.map(pr.region)
    op["home"] = op.person_id.map(pe.insured_region)
    regions = op.groupby(["person_id", "admit_date"]).region.transform("nunique")
    shared = op[(regions > 1) & (op.region != op.home)].claim_id
    drop = set(inside) | set(shared)
    c = c[~c.claim_id.isin(drop)]
    ln = ln[ln.claim_id.isin(set(c.claim_id))]
    # lines: restrictions, indications, provider capability, duplicates, price, quantity
    x = ln.merge(c, on="claim_id")
    x["sex"] = x.person_id.map(pe.sex)
    x["age"] = _age(x.person_id.map(pe.birth_date), x.admit_date).to_numpy()
    x["level"] = x.provider_id.map(pr.level)
    x["pkind"] = x.provider_id.map(pr.kind)
    ind = s.param("B_INDICATION", "indications", {})
    minlv = s.param("SUBSTITUTION", "min_level", {})

    def bad(r: Any) -> bool:
        item = cat.get(r.item_code)
        if item is None:
            return True
        if item.covered_for(Sex(r.sex), int(r.age), VisitType(r.visit_type)) is not None:
            return True
        if r.item_code in ind:
            dx = "|" + str(r.main_dx) + "|" + (r.other_dx if isinstance(r.other_dx, str) else "")
            if not any(("|" + p) in dx for p in ind[r.item_code]):
                return True
        return bool(
            r.item_code in minlv
            and (_RANK[r.level] < _RANK[minlv[r.item_code]] or r.pkind == "pharmacy")
        )

    keep = ~np.fromiter((bad(r) for r in x.itertuples()), bool, len(x))
    x = x[keep]
    nonip = x.visit_type != "inpatient"
    dup = x[nonip].duplicated(["person_id", "provider_id", "admit_date", "item_code"])
    x = x.drop(index=dup[dup].index)
    caps = x.item_code.map(lambda k: cat[k].price_cap if cat[k].price_cap is not None else -1)
    over = (caps >= 0) & (x.unit_price_fen > caps)
    x.loc[over, "unit_price_fen"] = caps[over]
    max_units = s.param("QTY_VISIT", "max_units", 400)
    big = x.visit_type.isin(_OUTPATIENT) & (x.quantity > max_units)
    x.loc[big, "quantity"] = max_units
    per_day = set(s.param("QTY_DAILY", "per_day_items", ()))
    tol = s.param("QTY_DAILY", "tolerance_days", 1)
    long = (
        (x.visit_type == "inpatient") & x.item_code.isin(per_day) & (x.quantity > x.los_days + tol)
    )
    x.loc[long, "quantity"] = x.los_days[long] + tol
    x["amount_fen"] = x.unit_price_fen * x.quantity
    s.claims = c.reset_index(drop=True)
    s.lines = x[list(ln.columns)].reset_index(drop=True)


def _pick(s: _State, frame: pd.DataFrame, n: int) -> pd.DataFrame:
    frame = frame[~frame.claim_id.isin(s.used)]
    if frame.empty:
        return frame
    take = frame.iloc[s.rng.permutation(len(frame))[: max(1, n)]]
    s.used.update(take.claim_id)
    return take


def _label(s: _State, claim: Any, pattern: str, line_no: int | None = None) -> None:
    s.labels.append((claim.claim_id, line_no, pattern, claim.provider_id, claim.person_id))


def _add_line(s: _State, claim_id: str, item: str, qty: int, price: int) -> int:
    existing = s.lines.line_no[s.lines.claim_id == claim_id]
    extra = [r["line_no"] for r in s.new_lines if r["claim_id"] == claim_id]
    no = int(max([*existing.tolist(), *extra, 0])) + 1
    s.new_lines.append(
        {
            "claim_id": claim_id,
            "line_no": no,
            "item_code": item,
            "quantity": qty,
            "unit_price_fen": price,
            "amount_fen": qty * price,
        }
    )
    return no


def _lines_of(s: _State, claim_id: str) -> pd.DataFrame:
    return s.lines[s.lines.claim_id == claim_id]


def _copy_claim(s: _State, src: Any, **changes: Any) -> dict[str, Any]:
    row = {k: getattr(src, k) for k in s.claims.columns}
    row.update(changes)
    row["claim_id"] = s.next_id()
    s.new_claims.append(row)
    s.used.add(row["claim_id"])
    return row


def _copy_lines(
    s: _State, src_id: str, dst_id: str, los: int | None = None, other_person: bool = False
) -> None:
    """Copy a claim's lines; for another person, leave out sex/age/indication-bound items."""
    per_day = set(s.param("QTY_DAILY", "per_day_items", ()))
    bound = set(s.param("B_INDICATION", "indications", {}))
    for r in _lines_of(s, src_id).itertuples():
        item = s.catalogue.items.get(r.item_code)
        if other_person and (
            item is None
            or item.sex is not None
            or item.min_age is not None
            or item.max_age is not None
            or r.item_code in bound
        ):
            continue
        qty = int(r.quantity)
        if los is not None and r.item_code in per_day:
            qty = max(1, los)
        s.new_lines.append(
            {
                "claim_id": dst_id,
                "line_no": int(r.line_no),
                "item_code": r.item_code,
                "quantity": qty,
                "unit_price_fen": int(r.unit_price_fen),
                "amount_fen": qty * int(r.unit_price_fen),
            }
        )


def seed_fraud(
    tables: Mapping[str, pa.Table],
    rate: float,
    seed: int = 7,
    *,
    provider_share: float = 0.15,
    values: Mapping[str, Mapping[str, Any]] | None = None,
    catalogue: Catalogue | None = None,
) -> Seeded:
    """Seed every pattern of :data:`PATTERNS` at ``rate`` at a share of fraudulent providers.

    ``values`` are the rule-pack parameters the patterns must cross (default: the demo
    pack); ``tables`` needs persons, providers, claims and claim_lines.
    """
    if not 0 < rate <= 1:
        raise ValueError(f"fraud rate must be in (0, 1], got {rate}")
    if values is None:
        from yibao.supervision.pack import demo_pack
        from yibao.supervision.rules import RULES

        values = demo_pack(RULES).values
    s = _State(tables, np.random.default_rng(seed), values, catalogue or demo_catalogue())
    _clean(s)
    pr = s.providers
    fraud: list[str] = []
    for _, group in pr.groupby(["kind", "level"]):
        n = max(1, round(provider_share * len(group)))
        fraud += list(group.provider_id.iloc[s.rng.permutation(len(group))[:n]])
    fset = set(fraud)
    c = s.claims.copy()
    c["level"] = c.provider_id.map(pr.set_index("provider_id").level)
    c["pkind"] = c.provider_id.map(pr.set_index("provider_id").kind)
    pe = s.persons.set_index("person_id")
    c["age"] = _age(c.person_id.map(pe.birth_date), c.admit_date).to_numpy()
    c["sex"] = c.person_id.map(pe.sex)
    at_fraud = c[c.provider_id.isin(fset)]
    for pattern in PATTERNS:
        _SEEDERS[pattern](s, c, at_fraud, rate, fraud)
    return _finish(s, tables, fraud)


def _finish(s: _State, tables: Mapping[str, pa.Table], fraud: list[str]) -> Seeded:
    claims = pd.concat([s.claims, pd.DataFrame(s.new_claims, columns=s.claims.columns)])
    lines = pd.concat([s.lines, pd.DataFrame(s.new_lines, columns=s.lines.columns)])
    lines = lines.sort_values(["claim_id", "line_no"], kind="stable")
    claims = claims.sort_values("claim_id", kind="stable")
    out = dict(tables)
    out["claims"] = pa.Table.from_pandas(
        claims, schema=tables["claims"].schema, preserve_index=False
    )
    out["claim_lines"] = pa.Table.from_pandas(
        lines, schema=tables["claim_lines"].schema, preserve_index=False
    )
    out["persons"] = pa.Table.from_pandas(
        s.persons, schema=tables["persons"].schema, preserve_index=False
    )
    labels = pa.Table.from_pylist(
        [dict(zip(LABELS.names, r, strict=True)) for r in s.labels], schema=LABELS
    )
    return Seeded(out, labels, pa.table({"provider_id": sorted(fraud)}, schema=FRAUD_PROVIDERS))


# -- the patterns ----------------------------------------------------------------------------


def _n(frame: pd.DataFrame, rate: float) -> int:
    return max(1, round(rate * len(frame)))


def _outpatient(at: pd.DataFrame) -> pd.DataFrame:
    return at[at.visit_type == "outpatient_general"]


def _inpatient(at: pd.DataFrame, min_los: int = 1) -> pd.DataFrame:
    return at[(at.visit_type == "inpatient") & (at.los_days >= min_los)]


def _dup(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    for claim in _pick(s, _outpatient(at), _n(_outpatient(at), rate)).itertuples():
        first = _lines_of(s, claim.claim_id).iloc[0]
        no = _add_line(
            s, claim.claim_id, first.item_code, int(first.quantity), int(first.unit_price_fen)
        )
        _label(s, claim, "DUP_SAME_DAY", no)


def _add_item(pattern: str, item_for: Any, price: int, eligible: Any = None) -> Any:
    def seeder(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
        pool = _outpatient(at)
        if eligible is not None:
            pool = pool[eligible(pool)]
        for claim in _pick(s, pool, _n(_outpatient(at), rate)).itertuples():
            item = item_for(claim)
            if (_lines_of(s, claim.claim_id).item_code == item).any():
                continue
            _label(s, claim, pattern, _add_line(s, claim.claim_id, item, 1, price))

    return seeder


def _qty_daily(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    per_day = set(s.param("QTY_DAILY", "per_day_items", ()))
    tol = s.param("QTY_DAILY", "tolerance_days", 1)
    for claim in _pick(s, _inpatient(at), _n(_inpatient(at), rate)).itertuples():
        ls = _lines_of(s, claim.claim_id)
        ls = ls[ls.item_code.isin(per_day)]
        if ls.empty:
            continue
        i = ls.index[0]
        q = int(claim.los_days) + tol + 3
        s.lines.loc[i, "quantity"] = q
        s.lines.loc[i, "amount_fen"] = q * int(s.lines.loc[i, "unit_price_fen"])
        _label(s, claim, "QTY_DAILY", int(s.lines.loc[i, "line_no"]))


def _set_qty(pattern: str, visit: str, extra: int) -> Any:
    def seeder(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
        limit = (
            s.param("QTY_VISIT", "max_units", 400)
            if pattern == "QTY_VISIT"
            else s.param("PHARMACY_OVERDISPENSING", "max_units_per_month", 200)
        )
        pool = at[at.visit_type == visit]
        for claim in _pick(s, pool, _n(pool, rate)).itertuples():
            ls = _lines_of(s, claim.claim_id)
            ls = ls[ls.item_code.str.startswith("XD")]
            if ls.empty:
                continue
            i = ls.index[0]
            q = limit + extra
            s.lines.loc[i, "quantity"] = q
            s.lines.loc[i, "amount_fen"] = q * int(s.lines.loc[i, "unit_price_fen"])
            _label(s, claim, pattern, int(s.lines.loc[i, "line_no"]))

    return seeder


def _price(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    cat = s.catalogue.items
    capped = {k for k, v in cat.items() if v.price_cap is not None}
    pool = at[at.visit_type != "inpatient"]
    for claim in _pick(s, pool, _n(pool, rate)).itertuples():
        ls = _lines_of(s, claim.claim_id)
        ls = ls[ls.item_code.isin(capped)]
        if ls.empty:
            continue
        i = ls.index[0]
        cap = cat[str(s.lines.loc[i, "item_code"])].price_cap
        assert cap is not None
        over = cap * 3 // 2 + 1  # above what a non-selected drug may cost (demo pack: +43 %)
        s.lines.loc[i, "unit_price_fen"] = over
        s.lines.loc[i, "amount_fen"] = int(s.lines.loc[i, "quantity"]) * over
        _label(s, claim, "PRICE_OVER_STANDARD", int(s.lines.loc[i, "line_no"]))


def _unknown(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    pool = at[at.visit_type != "inpatient"]
    for k, claim in enumerate(_pick(s, pool, _n(pool, rate)).itertuples()):
        _label(s, claim, "UNKNOWN_ITEM", _add_line(s, claim.claim_id, f"XZ{k:04d}", 1, 8800))


def _substitution(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    pool = _outpatient(at)
    pool = pool[pool.level.isin(["L1", "L2"]) & (pool.pkind != "pharmacy")]
    for claim in _pick(s, pool, _n(pool, rate)).itertuples():
        _label(s, claim, "SUBSTITUTION", _add_line(s, claim.claim_id, "XS0308", 1, 450000))


def _busy(s: _State, person: str, lo: date, hi: date, skip: tuple[str, ...] = ()) -> bool:
    """Does the person have any claim (old or new) touching [lo, hi]?"""
    c = s.claims[s.claims.person_id == person]
    c = c[~c.claim_id.isin(skip)]
    end = c.discharge_date.fillna(c.admit_date)
    if ((c.admit_date <= hi) & (end >= lo)).any():
        return True
    return any(
        r["person_id"] == person
        and r["admit_date"] <= hi
        and (r["discharge_date"] or r["admit_date"]) >= lo
        for r in s.new_claims
    )


def _fraud_of(
    s: _State,
    fraud: list[str],
    kinds: tuple[str, ...],
    region: str | None = None,
    not_region: str | None = None,
) -> list[str]:
    pr = s.providers.set_index("provider_id")
    out = [p for p in fraud if pr.kind[p] in kinds]
    if region is not None:
        out = [p for p in out if pr.region[p] == region]
    if not_region is not None:
        out = [p for p in out if pr.region[p] != not_region]
    return out


def _overlap(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    hospitals = _fraud_of(s, fraud, ("hospital",))
    pool = _inpatient(c, 3)
    pool = pool[~pool.provider_id.isin(hospitals)]
    level = s.providers.set_index("provider_id").level
    for x in _pick(s, pool, _n(_inpatient(at, 3), rate)).itertuples():
        same = [h for h in hospitals if level[h] == x.level]
        if not same:
            continue
        start = x.admit_date + timedelta(days=1)
        end = start + timedelta(days=int(x.los_days))
        if _busy(s, x.person_id, x.discharge_date, end, (x.claim_id,)):
            continue
        prov = same[int(s.rng.integers(len(same)))]
        row = _copy_claim(s, x, provider_id=prov, admit_date=start, discharge_date=end)
        _copy_lines(s, x.claim_id, row["claim_id"], int(x.los_days))
        s.labels.append((row["claim_id"], None, "OVERLAP_STAY", prov, x.person_id))


def _op_during(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    template = _outpatient(at)
    template = template[~template.claim_id.isin(s.used)]
    pool = _inpatient(c, 3)
    for x in _pick(s, pool, _n(_inpatient(at, 3), rate)).itertuples():
        t = template.iloc[int(s.rng.integers(len(template)))]
        if t.person_id == x.person_id:
            continue
        day = x.admit_date + timedelta(days=1)
        row = _copy_claim(s, t, person_id=x.person_id, admit_date=day, discharge_date=day)
        _copy_lines(s, t.claim_id, row["claim_id"], other_person=True)
        s.labels.append((row["claim_id"], None, "OP_DURING_STAY", t.provider_id, x.person_id))


def _enrolment(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    template = _outpatient(at)
    template = template[~template.claim_id.isin(s.used)]
    last = c.groupby("person_id").admit_date.max()
    year_end = max(c.admit_date)
    cands = last[last < year_end - timedelta(days=45)]
    n = _n(template, rate)
    persons = cands.index[s.rng.permutation(len(cands))[:n]]
    pe = s.persons.set_index("person_id")
    for person in persons:
        if c[c.person_id == person].visit_type.eq("inpatient").any():
            continue
        t = template.iloc[int(s.rng.integers(len(template)))]
        end = last[person]
        if pe.enrolled_from[person] > end:
            continue
        day = end + timedelta(days=int(s.rng.integers(10, 40)))
        s.persons.loc[s.persons.person_id == person, "enrolled_to"] = end
        s.ended.add(person)
        row = _copy_claim(s, t, person_id=person, admit_date=day, discharge_date=day)
        _copy_lines(s, t.claim_id, row["claim_id"], other_person=True)
        s.labels.append((row["claim_id"], None, "OUTSIDE_ENROLMENT", t.provider_id, person))


def _split(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    per_day = set(s.param("QTY_DAILY", "per_day_items", ()))
    pool = _inpatient(at, 8)
    for x in _pick(s, pool, _n(_inpatient(at), rate)).itertuples():
        first = int(x.los_days) // 2
        second = int(x.los_days) - first
        out1 = x.admit_date + timedelta(days=first)
        in2 = out1 + timedelta(days=int(s.rng.integers(2, 8)))
        out2 = in2 + timedelta(days=second)
        if _busy(s, x.person_id, out1, out2 + timedelta(days=15), (x.claim_id,)):
            continue
        i = s.claims.index[s.claims.claim_id == x.claim_id][0]
        s.claims.loc[i, ["discharge_date", "los_days"]] = [out1, first]
        ls = s.lines.index[(s.lines.claim_id == x.claim_id) & s.lines.item_code.isin(per_day)]
        s.lines.loc[ls, "quantity"] = first
        s.lines.loc[ls, "amount_fen"] = s.lines.loc[ls, "unit_price_fen"] * first
        row = _copy_claim(s, x, admit_date=in2, discharge_date=out2, los_days=second)
        _copy_lines(s, x.claim_id, row["claim_id"], second)
        s.labels.append((row["claim_id"], None, "SPLIT_ADMISSION", x.provider_id, x.person_id))


def _bed_holding(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    keep = set(s.param("BED_HOLDING", "accommodation_items", ()))
    pool = _inpatient(at, 5)
    for x in _pick(s, pool, _n(_inpatient(at), rate)).itertuples():
        mine = s.lines.claim_id == x.claim_id
        s.lines = s.lines[~mine | s.lines.item_code.isin(keep)]
        _label(s, x, "BED_HOLDING")


def _low_threshold(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    chars = s.param("LOW_THRESHOLD_ADMISSION", "dx_chars", 3)
    totals = s.lines.groupby("claim_id").amount_fen.sum()
    op = _outpatient(c).copy()
    op["total"] = op.claim_id.map(totals).fillna(0)
    op["dx"] = op.main_dx.str[:chars]
    med = op.groupby("dx").total.median()
    cnt = op.groupby("dx").total.count()
    op["med"] = op.dx.map(med)
    op["cnt"] = op.dx.map(cnt)
    pool = op[op.provider_id.isin(_fraud_of(s, f, ("hospital",)))]
    pool = pool[(pool.total <= pool.med * 0.8) & (pool.med >= 8000) & (pool.cnt >= 20)]
    for x in _pick(s, pool, _n(_inpatient(at), rate)).itertuples():
        i = s.claims.index[s.claims.claim_id == x.claim_id][0]
        s.claims.loc[i, ["visit_type", "discharge_date", "los_days"]] = [
            "inpatient",
            x.admit_date + timedelta(days=1),
            1,
        ]
        bed = {"L1": "XS0001", "L2": "XS0002", "L3": "XS0003"}[x.level]
        _add_line(s, x.claim_id, bed, 1, 2000)
        _label(s, x, "LOW_THRESHOLD_ADMISSION")


def _severity(s: _State) -> dict[str, tuple[str, ...]]:
    return dict(s.param("DRG_UPCODING", "severity_dx", {}))


_SEV_CODE = {"N17": "N17.900", "R57": "R57.000", "D65": "D65.x00", "J80": "J80.x00"}


def _append_dx(s: _State, claim_id: str, code: str) -> None:
    i = s.claims.index[s.claims.claim_id == claim_id][0]
    other = s.claims.loc[i, "other_dx"]
    s.claims.loc[i, "other_dx"] = code if other is None or pd.isna(other) else f"{other}|{code}"


def _upcoding(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    sev = _severity(s)
    for x in _pick(s, _inpatient(at), _n(_inpatient(at), rate)).itertuples():
        items = set(_lines_of(s, x.claim_id).item_code)
        for prefix, support in sev.items():
            if not items & set(support):
                _append_dx(s, x.claim_id, _SEV_CODE.get(prefix, f"{prefix}.900"))
                _label(s, x, "DRG_UPCODING")
                break


def _cc_peer(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    sev = _severity(s)
    min_cases = s.param("DRG_CC_RATE_PEER", "min_cases", 20)
    ip = _inpatient(at)
    counts = ip.groupby("provider_id").size()
    big = counts[counts >= min_cases * 1.5].index.tolist()
    if not big:
        return
    provider = big[int(s.rng.integers(len(big)))]
    mine = ip[(ip.provider_id == provider) & ~ip.claim_id.isin(s.used)]
    take = mine.iloc[s.rng.permutation(len(mine))[: int(len(mine) * 0.45)]]
    for x in take.itertuples():
        items = set(_lines_of(s, x.claim_id).item_code)
        for prefix, support in sev.items():
            if items & set(support):  # documented severity: not DRG_UPCODING
                _append_dx(s, x.claim_id, _SEV_CODE.get(prefix, f"{prefix}.900"))
                s.used.add(x.claim_id)
                break
    s.labels.append((None, None, "DRG_CC_RATE_PEER", provider, None))


def _card(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    pe = s.persons.set_index("person_id")
    pr = s.providers.set_index("provider_id")
    pool = c[
        (c.visit_type != "inpatient")
        & (c.provider_id.map(pr.region) == c.person_id.map(pe.insured_region))
    ]
    for x in _pick(s, pool, _n(at[at.visit_type != "inpatient"], rate)).itertuples():
        away = _fraud_of(
            s,
            fraud,
            ("hospital", "community", "pharmacy"),
            not_region=str(pe.insured_region[x.person_id]),
        )
        if not away:
            return
        prov = away[int(s.rng.integers(len(away)))]
        row = _copy_claim(s, x, provider_id=prov)
        _copy_lines(s, x.claim_id, row["claim_id"])
        s.labels.append((row["claim_id"], None, "CARD_SHARING", prov, x.person_id))


def _frequent(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, fraud: list[str]) -> None:
    limit = s.param("FREQUENT_VISITS", "max_claims_per_month", 25)
    pe = s.persons.set_index("person_id")
    has_ip = set(c.person_id[c.visit_type == "inpatient"])
    year = int(min(c.admit_date).year)
    whole = s.persons[
        (s.persons.enrolled_from < date(year, 1, 1))
        & (s.persons.enrolled_to.isna() | (s.persons.enrolled_to >= date(year, 12, 31)))
    ]
    whole_ids = set(whole.person_id)
    people = [
        p for p in c.person_id.unique() if p not in has_ip and p not in s.ended and p in whole_ids
    ]
    n = max(1, round(rate * len(_outpatient(at)) / 10))
    for person in [people[i] for i in s.rng.permutation(len(people))[:n]]:
        home = _fraud_of(s, fraud, ("community", "hospital"), region=str(pe.insured_region[person]))
        mine = s.claims[s.claims.person_id == person]
        home = [p for p in home if p not in set(mine.provider_id)]
        if not home:
            continue
        prov = home[int(s.rng.integers(len(home)))]
        month = int(s.rng.integers(1, 12))
        days = [date(year, month, d) for d in range(1, 29)]
        for d in days[: limit + 2]:
            cid = s.next_id()
            s.new_claims.append(
                {
                    "claim_id": cid,
                    "person_id": person,
                    "provider_id": prov,
                    "visit_type": "outpatient_general",
                    "route": "local",
                    "admit_date": d,
                    "discharge_date": d,
                    "los_days": 0,
                    "main_dx": "J06.900",
                    "other_dx": None,
                    "procedures": None,
                }
            )
            s.used.add(cid)
            s.new_lines.append(
                {
                    "claim_id": cid,
                    "line_no": 1,
                    "item_code": "XS0022",
                    "quantity": 1,
                    "unit_price_fen": 1000,
                    "amount_fen": 1000,
                }
            )
        in_month = [
            r
            for r in mine.itertuples()
            if r.visit_type != "inpatient"
            and r.admit_date.month == month
            and r.admit_date.year == year
        ]
        for r in in_month:
            s.labels.append((r.claim_id, None, "FREQUENT_VISITS", r.provider_id, person))
        for r in s.new_claims:
            if r["person_id"] == person and r["provider_id"] == prov:
                s.labels.append((r["claim_id"], None, "FREQUENT_VISITS", prov, person))


def _los(s: _State, c: pd.DataFrame, at: pd.DataFrame, rate: float, f: list[str]) -> None:
    for x in _pick(s, _inpatient(at, 4), _n(_inpatient(at), rate)).itertuples():
        i = s.claims.index[s.claims.claim_id == x.claim_id][0]
        s.claims.loc[i, "los_days"] = int(x.los_days) + 3
        _label(s, x, "LOS_MISMATCH")


def _opposite_sex_item(claim: Any) -> str:
    return "XS0213" if claim.sex == "2" else "XS0211"


_SEEDERS = {
    "DUP_SAME_DAY": _dup,
    "SEX_RESTRICTED": _add_item(
        "SEX_RESTRICTED", _opposite_sex_item, 6000, lambda p: p.sex.isin(["1", "2"])
    ),
    "AGE_RESTRICTED": _add_item("AGE_RESTRICTED", lambda c: "XD0040", 1500, lambda p: p.age >= 25),
    "VISIT_RESTRICTED": _add_item("VISIT_RESTRICTED", lambda c: "XD0103", 5000),
    "B_INDICATION": _add_item(
        "B_INDICATION",
        lambda c: "XD0142",
        30000,
        lambda p: (
            (p.age >= 20)
            & ~p.main_dx.str.startswith("E11")
            & ~p.other_dx.fillna("").str.contains("E11")
        ),
    ),
    "QTY_DAILY": _qty_daily,
    "QTY_VISIT": _set_qty("QTY_VISIT", "outpatient_general", 120),
    "PRICE_OVER_STANDARD": _price,
    "UNKNOWN_ITEM": _unknown,
    "SUBSTITUTION": _substitution,
    "OVERLAP_STAY": _overlap,
    "OP_DURING_STAY": _op_during,
    "OUTSIDE_ENROLMENT": _enrolment,
    "SPLIT_ADMISSION": _split,
    "BED_HOLDING": _bed_holding,
    "LOW_THRESHOLD_ADMISSION": _low_threshold,
    "DRG_UPCODING": _upcoding,
    "DRG_CC_RATE_PEER": _cc_peer,
    "CARD_SHARING": _card,
    "PHARMACY_OVERDISPENSING": _set_qty("PHARMACY_OVERDISPENSING", "pharmacy", 150),
    "FREQUENT_VISITS": _frequent,
    "LOS_MISMATCH": _los,
}


def generate_with_fraud(
    config: Any, out_dir: Any, rate: float, progress: Any = None
) -> dict[str, int]:
    """``yibao synth --fraud RATE``: generate in memory, seed, write the tables and labels.

    Writes the five tables plus ``labels.parquet`` and ``fraud_providers.parquet``; returns
    the rows written per file stem. A rate outside (0, 1] is an InputError.
    """
    from pathlib import Path

    import pyarrow.parquet as pq

    from yibao.errors import InputError
    from yibao.synth.generate import generate
    from yibao.synth.schema import TABLES

    if not 0 < rate <= 1:
        raise InputError(f"synth: --fraud must be a rate in (0, 1], got {rate}")
    data = generate(config, progress)
    seeded = seed_fraud(data.tables(), rate, config.seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, table in {
        **seeded.tables,
        "labels": seeded.labels,
        "fraud_providers": seeded.fraud_providers,
    }.items():
        schema = TABLES.get(name, table.schema)
        pq.write_table(table.cast(schema), out / f"{name}.parquet")
        rows[name] = table.num_rows
    return rows

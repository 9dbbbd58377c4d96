"""Provider payment of a year of the synthetic province (DRG pay and DIP liquidation).

Reads the Parquet tables ``yibao synth`` writes, settles the year's claims item by item (the
patient's side stays the settlement engine's), and pays the hospitals of one pooling region
by group (the hospital's side): DRG (relative weights, base rate, standards, outliers) or
DIP (catalogue, scores, point values, prepayment, liquidation). History for weights and
scores is the region's claims of the three years before ``year`` when the directory holds
them; otherwise the year itself (a simulation convenience, said so in the outputs).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yibao.errors import InputError
from yibao.io.output import write_all
from yibao.jobs.settle_year import settle_year
from yibao.money import Fen, div_half_up, ratio_units
from yibao.payment.dip import Catalogue, DipParams, build_catalogue, per_capita
from yibao.payment.dip.batch import liquidate_table, with_keys, year_stats
from yibao.payment.dip.catalogue import YEAR_WEIGHTS
from yibao.payment.dip.liquidation import Liquidation
from yibao.payment.drg import DrgCase, Scheme, Status, group_many, load_scheme
from yibao.payment.drg_pay import DrgParams, base_rate, relative_weights
from yibao.payment.drg_pay.batch import pay_table
from yibao.payment.sharing import SharingRule, share_balance
from yibao.policy.catalogue import demo_catalogue
from yibao.policy.errors import PolicyError
from yibao.policy.registry import registry_for, shipped_packs

TABLES = ("persons", "providers", "claims", "claim_lines")
NEEDED = {
    "persons": ("person_id", "sex", "birth_date"),
    "providers": ("provider_id", "name", "level", "region", "kind"),
    "claims": (
        "claim_id",
        "person_id",
        "provider_id",
        "visit_type",
        "admit_date",
        "discharge_date",
        "los_days",
        "main_dx",
        "other_dx",
        "procedures",
    ),
    "claim_lines": ("claim_id", "amount_fen"),
}
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Province:
    con: Any
    tables: dict[str, Any]
    directory: Path


def open_province(directory: Path) -> Province:
    con = ibis.duckdb.connect()
    tables = {}
    for name in TABLES:
        path = directory / f"{name}.parquet"
        if not path.is_file():
            raise InputError(f"{path}: not found (expected the {name} table of a province)")
        t = con.read_parquet(str(path), table_name=name)
        missing = [c for c in NEEDED[name] if c not in t.columns]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        tables[name] = t
    return Province(con, tables, directory)


def inpatient_cases(p: Province, region: str, year: int) -> Any:
    """Inpatient hospital cases of ``region`` discharged in ``year`` with their item cost."""
    claims, providers, lines = (p.tables[n] for n in ("claims", "providers", "claim_lines"))
    cost = lines.group_by("claim_id").aggregate(cost=lines.amount_fen.sum().cast("int64"))
    provs = providers.filter((providers.region == region) & (providers.kind == "hospital"))
    c = claims.filter((claims.visit_type == "inpatient") & (claims.discharge_date.year() == year))
    c = c.join(provs.select("provider_id", "level"), "provider_id").join(cost, "claim_id")
    return c.mutate(case_id=c.claim_id, month=c.discharge_date.month().cast("int64"))


def check_codes(p: Province, cases: Any, scheme: Scheme) -> None:
    """Refuse a year whose main diagnoses or procedures are not in the 医保版 code tables:
    the first offending claim and code are named (both payment methods key on them)."""
    dx = ibis.memtable(pa.table({"code": pa.array(sorted(scheme.known_dx), pa.string())}))
    bad = cases.anti_join(dx, cases.main_dx == dx.code).select("claim_id", "main_dx")
    rows = p.con.to_pyarrow(bad.order_by("claim_id").limit(1)).to_pylist()
    if rows:
        raise InputError(
            f"{p.directory / 'claims.parquet'}: claim {rows[0]['claim_id']}: unknown main "
            f"diagnosis code {rows[0]['main_dx']!r}"
        )
    procs = cases.filter(cases.procedures.notnull() & (cases.procedures != ""))
    one = procs.select("claim_id", code=procs.procedures.split("|").unnest())
    known = ibis.memtable(pa.table({"code": pa.array(sorted(scheme.proc_names), pa.string())}))
    bad_p = one.anti_join(known, one.code == known.code)
    rows = p.con.to_pyarrow(bad_p.order_by(["claim_id", "code"]).limit(1)).to_pylist()
    if rows:
        raise InputError(
            f"{p.directory / 'claims.parquet'}: claim {rows[0]['claim_id']}: unknown procedure "
            f"code {rows[0]['code']!r}"
        )


def _regions(p: Province) -> list[str]:
    prov = p.tables["providers"]
    return sorted(p.con.to_pyarrow(prov.select("region").distinct()).column(0).to_pylist())


def _history_years(p: Province, region: str, year: int) -> tuple[list[int], bool]:
    present = [
        y
        for y in (year - 3, year - 2, year - 1)
        if p.con.execute(inpatient_cases(p, region, y).count())
    ]
    return (present, False) if present else ([year], True)


def patient_side(p: Province, year: int) -> pa.Table:
    """Settle the year item by item; per claim what the patient and the other funds paid."""
    result = settle_year(p.directory, registry_for(None), demo_catalogue(), year)
    s = result.settlements
    if not s.num_rows:
        return pa.table({"claim_id": pa.array([], pa.string())})
    t = ibis.memtable(s)
    t = t.select(
        "claim_id",
        patient_paid=(t.acct_pay + t.psn_cash_pay).cast("int64"),
        other_funds=(t.fund_pay_sumamt - t.hifp_pay).cast("int64"),
        hifp_pay=t.hifp_pay.cast("int64"),
        medfee_sumamt=t.medfee_sumamt.cast("int64"),
    )
    return ibis.duckdb.connect().to_pyarrow(t)


def _with_patient_side(p: Province, cases: Any, side: pa.Table) -> Any:
    s = p.con.create_table("patient_side", side, overwrite=True)
    c = cases.left_join(s, cases.claim_id == s.claim_id)
    return c.mutate(
        patient_paid=c.patient_paid.fill_null(0),
        other_funds=c.other_funds.fill_null(0),
        hifp_pay=c.hifp_pay.fill_null(0),
    )


def _check_region(p: Province, region: str) -> None:
    regions = _regions(p)
    if region not in regions:
        raise InputError(f"region {region!r} is not in the data (regions: {', '.join(regions)})")


def _budget_or_cost(budget: Fen | None, cost: Fen, what: str) -> Fen:
    b = cost if budget is None else budget
    if b <= 0:
        raise InputError(f"{what} budget must be positive, got {b / 100:.2f} yuan")
    return b


@dataclass(frozen=True)
class DipRun:
    region: str
    year: int
    history_years: list[int]
    history_is_year: bool
    catalogue: Catalogue
    liquidation: Liquidation
    cases: pa.Table
    names: dict[str, str]
    levels: dict[str, str]
    cmi: dict[str, Decimal] = field(default_factory=dict)
    per_capita: dict[str, Any] = field(default_factory=dict)
    review: list[dict[str, Any]] = field(default_factory=list)  # 特病单议 (extreme cases)
    bases: dict[str, int] = field(default_factory=dict)  # cases by standard basis


def run_dip(
    directory: Path,
    region: str,
    year: int,
    budget: Fen | None = None,
    params: dict[str, Any] | None = None,
    min_cases: int = 15,
    progress: Progress | None = None,
    chronic_rate: Fen | None = None,
) -> DipRun:
    """DIP for one region and year: catalogue from history, then liquidation on DuckDB."""
    p = open_province(directory)
    _check_region(p, region)
    scheme = load_scheme()
    ops = scheme.valid_procedures
    hist_years, from_year = _history_years(p, region, year)
    cases = inpatient_cases(p, region, year)
    if not p.con.execute(cases.count()):
        raise InputError(f"{directory}: no inpatient cases in {year} for region {region}")
    for y in sorted({*hist_years, year}):
        check_codes(p, inpatient_cases(p, region, y), scheme)
    base = DipParams(budget=1, **(params or {}))
    if progress:
        progress("building the DIP catalogue")
    stats = [
        year_stats(p.con, with_keys(inpatient_cases(p, region, y), ops), y, base.long_stay_days)
        for y in hist_years
    ]
    weights = None if from_year else [YEAR_WEIGHTS[y - (year - 3)] for y in hist_years]
    cat = build_catalogue(stats, min_cases=min_cases, year_weights=weights)
    if progress:
        progress("settling the patients' side")
    keyed = with_keys(_with_patient_side(p, cases, patient_side(p, year)), ops)
    keyed = p.con.create_table("dip_cases", keyed, overwrite=True)
    total_cost = int(p.con.execute(keyed.cost.sum()))
    dip = DipParams(budget=_budget_or_cost(budget, total_cost, "DIP"), **(params or {}))
    if progress:
        progress("liquidating")
    out = liquidate_table(p.con, keyed, cat, dip)
    both = out.cases.join(keyed.select("case_id", "hifp_pay"), "case_id")
    case_table = p.con.to_pyarrow(
        both.select(
            "case_id", "provider_id", "level", "month", "group", "kind", "standard", "basis",
            "factor", "points", "payment", "cost", "patient_paid", "other_funds",
            fund_to_hospital=both.payment - both.patient_paid - both.other_funds,
            fee_for_service_fund=both.hifp_pay,
        ).order_by("case_id")
    )  # fmt: skip
    capita = chronic_per_capita(p, region, year, chronic_rate)
    names, levels = _provider_attrs(p, region)
    review = [
        {
            "case_id": r["case_id"],
            "provider_id": r["provider_id"],
            "group": r["group"],
            "cost": r["cost"],
            "standard": r["standard"],
            "basis": r["basis"],
            "multiple": str((Decimal(r["cost"]) / r["standard"]).quantize(Decimal("0.01"))),
            "payment": r["payment"],
            "paid_by": dip.extreme_rule,
        }
        for r in case_table.filter(pc.equal(case_table["kind"], "extreme")).to_pylist()
    ]
    bases: dict[str, int] = {}
    for b in case_table.column("basis").to_pylist():
        if b:
            bases[b] = bases.get(b, 0) + 1
    cmi = {
        h.provider_id: (Decimal(h.points) / Decimal(h.cases * 10_000 * cat.scale)).quantize(
            Decimal("0.0001")
        )
        for h in out.liquidation.hospitals
    }
    return DipRun(
        region,
        year,
        hist_years,
        from_year,
        cat,
        out.liquidation,
        case_table,
        names,
        levels,
        cmi,
        capita,
        review,
        bases,
    )


def chronic_per_capita(p: Province, region: str, year: int, rate: Fen | None) -> dict[str, Any]:
    """Per-capita payment for chronic disease (按人头付费): each provider's distinct chronic
    outpatients of the year × an annual rate; by default the rate is the year's item cost
    per chronic patient in the region (a Python division on the aggregate)."""
    claims, providers, lines = (p.tables[n] for n in ("claims", "providers", "claim_lines"))
    cost = lines.group_by("claim_id").aggregate(cost=lines.amount_fen.sum().cast("int64"))
    provs = providers.filter(providers.region == region).select("provider_id")
    c = claims.filter(
        (claims.visit_type == "outpatient_chronic") & (claims.discharge_date.year() == year)
    )
    c = c.join(provs, "provider_id").join(cost, "claim_id")
    agg = p.con.to_pyarrow(
        c.group_by("provider_id")
        .aggregate(patients=c.person_id.nunique(), cost=c.cost.sum().cast("int64"))
        .order_by("provider_id")
    ).to_pylist()
    patients = {r["provider_id"]: int(r["patients"]) for r in agg}
    n, total = sum(patients.values()), sum(int(r["cost"]) for r in agg)
    if rate is None:
        rate = div_half_up(total, n) if n else 0
    return {
        "rate_fen": rate,
        "patients": n,
        "item_cost_fen": total,
        "by_provider": per_capita(patients, rate),
    }


def _provider_attrs(p: Province, region: str) -> tuple[dict[str, str], dict[str, str]]:
    prov = p.tables["providers"]
    rows = p.con.to_pyarrow(prov.filter(prov.region == region)).to_pylist()
    return {r["provider_id"]: r["name"] for r in rows}, {r["provider_id"]: r["level"] for r in rows}


def _age(birth: date, on: date) -> tuple[int, int]:
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return max(years, 0), max((on - birth).days, 0)


def _group_cases(p: Province, cases: Any) -> dict[str, str]:
    persons = p.tables["persons"]
    t = cases.join(persons.select("person_id", "sex", "birth_date"), "person_id")
    rows = p.con.to_pyarrow(
        t.select(
            "case_id",
            "sex",
            "birth_date",
            "admit_date",
            "los_days",
            "main_dx",
            "other_dx",
            "procedures",
        )
    ).to_pylist()
    drg_cases = []
    for r in rows:
        years, days = _age(r["birth_date"], r["admit_date"])
        drg_cases.append(
            DrgCase(
                r["case_id"],
                int(r["sex"]) if r["sex"] in ("1", "2") else None,
                years,
                days if years == 0 else None,
                None,
                r["los_days"],
                None,
                r["main_dx"],
                tuple(x for x in (r["other_dx"] or "").split("|") if x),
                tuple(x for x in (r["procedures"] or "").split("|") if x),
            )
        )
    return {
        res.case_id: res.drg if res.status is Status.GROUPED else "0000"
        for res in group_many(drg_cases)
    }


@dataclass(frozen=True)
class DrgRun:
    region: str
    year: int
    history_years: list[int]
    history_is_year: bool
    budget: Fen
    rate: Fen
    weights: dict[str, Decimal]
    cases: pa.Table
    hospitals: list[dict[str, Any]]
    names: dict[str, str]
    levels: dict[str, str]


def region_drg_scheme(region: str, year: int) -> Scheme:
    """The DRG scheme the region's policy pack names for ``year`` (``payment.drg.scheme``);
    the national scheme for a region without a pack (a synthetic province)."""
    packs = shipped_packs()
    try:
        chain = packs.chain(packs.by_region(region).id)
    except PolicyError:
        return load_scheme()
    named = chain.find("payment.drg.scheme", date(year, 12, 31))
    return load_scheme(str(named.value)) if named is not None else load_scheme()


def run_drg(
    directory: Path,
    region: str,
    year: int,
    budget: Fen | None = None,
    params: DrgParams | None = None,
    sharing: SharingRule | None = None,
    progress: Progress | None = None,
) -> DrgRun:
    """DRG payment for one region and year: group, weights from history, rate, pay."""
    p = open_province(directory)
    _check_region(p, region)
    hist_years, from_year = _history_years(p, region, year)
    cases = inpatient_cases(p, region, year)
    if not p.con.execute(cases.count()):
        raise InputError(f"{directory}: no inpatient cases in {year} for region {region}")
    scheme = region_drg_scheme(region, year)
    for y in sorted({*hist_years, year}):
        check_codes(p, inpatient_cases(p, region, y), scheme)
    if progress:
        progress("grouping")
    costs: dict[str, list[int]] = {}
    for y in hist_years:
        hist = inpatient_cases(p, region, y)
        drg_of = _group_cases(p, hist)
        for r in p.con.to_pyarrow(hist.select("case_id", "cost")).to_pylist():
            d = drg_of[r["case_id"]]
            if d != "0000":
                costs.setdefault(d, []).append(int(r["cost"]))
    weights = {g: w.rw for g, w in relative_weights(costs).items()}
    drg_of = _group_cases(p, cases)
    if progress:
        progress("settling the patients' side")
    full = _with_patient_side(p, cases, patient_side(p, year))
    drg_map = p.con.create_table(
        "drg_of",
        pa.table({"g_case": list(drg_of), "drg": list(drg_of.values())}),
        overwrite=True,
    )
    full = full.join(drg_map, full.case_id == drg_map.g_case)
    full = p.con.create_table(
        "drg_cases_in",
        full.select("case_id", "provider_id", "level", "drg", "cost", "patient_paid",
                    "other_funds", "hifp_pay", "person_id", "admit_date", "discharge_date"),
        overwrite=True,
    )  # fmt: skip
    total_cost = int(p.con.execute(full.cost.sum()))
    expected: dict[str, int] = {}
    for d in drg_of.values():
        expected[d] = expected.get(d, 0) + 1
    b = _budget_or_cost(budget, total_cost, "DRG")
    rate = base_rate(b, expected, weights)
    if progress:
        progress("paying by group")
    paid = pay_table(p.con, full, weights, rate, params)
    paid = paid.join(full.select("case_id", "hifp_pay"), "case_id")
    rw = ibis.memtable(
        pa.table(
            {"w_drg": list(weights), "rw_u": pa.array([ratio_units(w) for w in weights.values()])}
        )
    )
    paid = paid.left_join(rw, paid.drg == rw.w_drg)
    case_table = p.con.to_pyarrow(
        paid.select(
            "case_id", "provider_id", "level", "drg", "kind", "standard", "value",
            "fund_to_hospital", "cost", "patient_paid", "other_funds", "readmission",
            fee_for_service_fund=paid.hifp_pay,
        ).order_by("case_id")
    )  # fmt: skip
    hosp = paid.group_by("provider_id").aggregate(
        cases=paid.count(),
        grouped=paid.rw_u.notnull().sum(),
        rw_sum=paid.rw_u.sum(),
        value=paid.value.sum(),
        cost=paid.cost.sum(),
        fund_to_hospital=paid.fund_to_hospital.sum(),
        fee_for_service_fund=paid.hifp_pay.sum(),
        outliers=(paid.kind != "normal").sum(),
        readmissions=paid.readmission.cast("int64").sum(),
    )
    names, levels = _provider_attrs(p, region)
    hospitals = []
    rule = sharing or SharingRule()
    for r in p.con.to_pyarrow(hosp.order_by("provider_id")).to_pylist():
        value, cost = int(r["value"]), int(r["cost"])
        grouped = int(r["grouped"] or 0)
        cmi = (
            (Decimal(int(r["rw_sum"])) / (grouped * 10_000)).quantize(Decimal("0.0001"))
            if grouped
            else Decimal(0)
        )
        hospitals.append(
            {
                "provider_id": r["provider_id"],
                "cases": int(r["cases"]),
                "cmi": cmi,
                "value": value,
                "cost": cost,
                "fund_to_hospital": int(r["fund_to_hospital"]),
                "fee_for_service_fund": int(r["fee_for_service_fund"]),
                "balance": value - cost,
                "sharing": share_balance(value, cost, rule),
                "outliers": int(r["outliers"]),
                "readmissions": int(r["readmissions"] or 0),
            }
        )
    return DrgRun(
        region, year, hist_years, from_year, b, rate, weights, case_table, hospitals, names, levels
    )


def write_outputs(out: Path, files: dict[str, bytes | pa.Table]) -> list[Path]:
    """Write every output to a temporary file first, then rename them all into place, so
    that a failure leaves no half-written file (only complete earlier outputs)."""

    def writer(content: bytes | pa.Table) -> Callable[[Path], object]:
        if isinstance(content, pa.Table):
            return lambda tmp: pq.write_table(content, tmp)
        return lambda tmp: tmp.write_bytes(content)

    return write_all(out, {name: writer(content) for name, content in files.items()})


def to_json(data: object) -> bytes:
    def default(o: object) -> object:
        if isinstance(o, Decimal):
            return str(o)
        raise TypeError(type(o).__name__)

    return (json.dumps(data, ensure_ascii=False, indent=2, default=default) + "\n").encode()

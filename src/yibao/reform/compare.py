"""Comparing two settlements of the same claims (改革前后对比): per claim, per person, per group.

Both inputs are settlement tables as :func:`yibao.jobs.settle_year.settle_year` returns them:
one row per claim with the national interface names and the grouping attributes. Everything
here is whole-column Arrow compute (no loop over claims), so the comparison costs a small
fraction of a settlement.

Out-of-pocket (个人负担) is what the person pays: individual account plus cash,
``acct_pay + psn_cash_pay`` (= total − pooled fund − large-amount − critical illness −
assistance). The individual account counts: it is the insured's own money.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from yibao.errors import InputError

ATTRIBUTES = (
    "claim_id",
    "person_id",
    "settle_date",
    "scheme",
    "person_type",
    "visit_type",
    "level",
    "route",
    "insured_region",
)
FUNDS = ("hifp_pay", "hifob_pay", "hifmi_pay", "maf_pay")
"""The funds' outlays: pooled fund, employee large-amount, critical illness, assistance."""
AMOUNTS = ("medfee_sumamt", *FUNDS, "acct_pay", "psn_cash_pay", "overcap_amt")
"""The settlement columns compared (``overcap_amt``: expense above an annual ceiling)."""
SIDES = ("base", "reform")
PERSON_COLUMNS = (
    "person_id",
    "scheme",
    "person_type",
    "insured_region",
    "assistance_category",
    "household_income_fen",
)
"""What :func:`person_deltas` needs of the persons table."""


def _aligned(base: pa.Table, reform: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The two tables in the same claim order (both engines sort by person, date, claim)."""
    if base.num_rows != reform.num_rows:
        raise InputError(
            f"baseline settled {base.num_rows:,} claims but the reform {reform.num_rows:,}"
        )

    def same(a: pa.Table, b: pa.Table) -> bool:
        return bool(pc.all(pc.equal(a["claim_id"], b["claim_id"])).as_py() is not False)

    if same(base, reform):
        return base, reform
    base = base.take(pc.sort_indices(base["claim_id"]))
    reform = reform.take(pc.sort_indices(reform["claim_id"]))
    if not same(base, reform):
        raise InputError("baseline and reform settled different claims")
    return base, reform


def oop(table: pa.Table) -> pa.ChunkedArray:
    """Out-of-pocket of each row: individual account plus cash."""
    return pc.add(table["acct_pay"], table["psn_cash_pay"])


def claim_deltas(base: pa.Table, reform: pa.Table) -> pa.Table:
    """One row per claim: its attributes and, for each amount and out-of-pocket (``oop``),
    the baseline (``_base``), the reform (``_reform``) and the change (``_delta``)."""
    base, reform = _aligned(base, reform)
    columns: dict[str, pa.ChunkedArray] = {a: base[a] for a in ATTRIBUTES}
    pairs = {a: (base[a], reform[a]) for a in AMOUNTS}
    pairs["oop"] = (oop(base), oop(reform))
    for name, (b, r) in pairs.items():
        columns[f"{name}_base"] = b
        columns[f"{name}_reform"] = r
        columns[f"{name}_delta"] = pc.subtract(r, b)
    return pa.table(columns)


def _sum(table: pa.Table, keys: Sequence[str], columns: Sequence[str]) -> pa.Table:
    """Sums of ``columns`` per ``keys`` (named as the columns) and ``claims`` (rows), sorted
    by the keys."""
    out = table.group_by(list(keys)).aggregate([(c, "sum") for c in columns] + [([], "count_all")])
    out = out.rename_columns([*keys, *columns, "claims"])
    return out.sort_by([(k, "ascending") for k in keys])


def outlay_by(deltas: pa.Table, keys: Sequence[str]) -> pa.Table:
    """Each fund's outlay and out-of-pocket before and after, and the claims, per group."""
    columns = [f"{f}_{s}" for f in (*FUNDS, "oop") for s in SIDES]
    return _sum(deltas.select([*keys, *columns]), keys, columns)


def person_deltas(deltas: pa.Table, persons: pa.Table) -> pa.Table:
    """One row per insured person, with or without claims: the person's attributes and
    income, out-of-pocket before and after and its change, the expense above an annual
    ceiling (any, and on inpatient claims) and critical illness payments, before and after.

    ``persons`` needs the :data:`PERSON_COLUMNS`.
    """
    inpatient = pc.equal(deltas["visit_type"], "inpatient")
    amounts = {
        "total_base": deltas["medfee_sumamt_base"],
        "total_reform": deltas["medfee_sumamt_reform"],
        "oop_base": deltas["oop_base"],
        "oop_reform": deltas["oop_reform"],
        "overcap_base": deltas["overcap_amt_base"],
        "overcap_reform": deltas["overcap_amt_reform"],
        "overcap_inpatient_base": pc.if_else(inpatient, deltas["overcap_amt_base"], 0),
        "overcap_inpatient_reform": pc.if_else(inpatient, deltas["overcap_amt_reform"], 0),
        "hifmi_base": deltas["hifmi_pay_base"],
        "hifmi_reform": deltas["hifmi_pay_reform"],
    }
    narrow = pa.table({"person_id": deltas["person_id"], **amounts})
    sums = _sum(narrow, ["person_id"], list(amounts))
    zero_if_none = {*amounts, "claims"}
    people = persons.select(list(PERSON_COLUMNS))
    out = people.join(sums, "person_id", join_type="left outer")
    filled = {
        name: pc.fill_null(out[name], 0) if name in zero_if_none else out[name]
        for name in out.column_names
    }
    out = pa.table(filled).sort_by("person_id")
    return out.append_column("oop_delta", pc.subtract(out["oop_reform"], out["oop_base"]))


def reached(people: pa.Table, column: str) -> tuple[int, int]:
    """How many persons have ``column`` above zero before and after (``{column}_base/_reform``)."""
    return (
        int(pc.sum(pc.greater(people[f"{column}_base"], 0)).as_py() or 0),
        int(pc.sum(pc.greater(people[f"{column}_reform"], 0)).as_py() or 0),
    )

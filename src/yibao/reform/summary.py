"""The figures of a reform run (改革测算结果), from the per-claim and per-person comparisons.

:func:`summarise` is pure: tables and records in, one :class:`ReformSummary` out, which the
HTML report renders and ``summary.json`` serialises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from yibao.actuarial.params import Thresholds
from yibao.actuarial.warning import FundYear
from yibao.money import Fen
from yibao.policy.pack import Citation
from yibao.policy.registry import PackRegistry
from yibao.reform.che import RULES, CheRule
from yibao.reform.compare import FUNDS, SIDES, outlay_by, reached
from yibao.reform.distribution import (
    DecileRow,
    GainLoss,
    che_column,
    decile_table,
    gains_and_losses,
)
from yibao.reform.funds import FundEffect, fund_effects
from yibao.reform.overlay import Reform

GROUPINGS = {"scheme": ("scheme",), "level": ("level",), "prefecture": ("insured_region",)}
"""The groups each fund's outlay change is shown by."""


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group: claims, and each of ``FUNDS`` then out-of-pocket, before and after."""

    key: str
    claims: int
    base: tuple[Fen, ...]
    reform: tuple[Fen, ...]


@dataclass(frozen=True, slots=True)
class ParameterChange:
    """A leaf the reform sets, in one region: the baseline value on the start day and the
    reform's, each with its citation."""

    path: str
    region: str
    before: Citation | None
    after: Citation


@dataclass(frozen=True, slots=True)
class CheRow:
    rule: CheRule
    base: int
    reform: int


@dataclass(frozen=True)
class ReformSummary:
    """Everything the report shows."""

    reform: Reform
    year: int
    regions: tuple[str, ...]  # the regions of the data the reform applies to
    changes: tuple[ParameterChange, ...]
    claims: int
    persons: int
    patients: int
    rescaled_persons: int  # persons whose claims the behavioural response rescaled
    expense: tuple[Fen, Fen]  # total expense before and after (differs only with behaviour)
    funds: Mapping[str, tuple[Fen, Fen]]  # outlay per fund, before and after
    claim_delta_sums: Mapping[str, Fen]  # Σ of the per-claim changes per fund (and oop)
    oop: tuple[Fen, Fen]
    groups: Mapping[str, tuple[GroupRow, ...]]  # by scheme, level, prefecture
    gains: GainLoss
    deciles: tuple[DecileRow, ...]
    che_population: int  # persons with a positive income (the CHE denominator)
    che: tuple[CheRow, ...]
    ceiling: tuple[int, int]  # persons with expense above an annual ceiling
    ceiling_inpatient: tuple[int, int]  # … on an inpatient claim
    critical_illness: tuple[int, int]  # persons past the critical illness threshold
    fund_effects: tuple[FundEffect, ...]


def _total(table: pa.Table, column: str) -> Fen:
    return int(pc.sum(table[column]).as_py() or 0)


def _groups(deltas: pa.Table) -> dict[str, tuple[GroupRow, ...]]:
    out = {}
    for name, keys in GROUPINGS.items():
        t = outlay_by(deltas, keys).to_pylist()
        out[name] = tuple(
            GroupRow(
                " · ".join(str(r[k]) for k in keys),
                int(r["claims"]),
                tuple(int(r[f"{f}_base"]) for f in (*FUNDS, "oop")),
                tuple(int(r[f"{f}_reform"]) for f in (*FUNDS, "oop")),
            )
            for r in t
        )
    return out


def parameter_changes(
    reform: Reform, baseline: PackRegistry, reformed: PackRegistry, regions: Sequence[str]
) -> tuple[ParameterChange, ...]:
    """Each leaf the reform sets, per affected region: baseline and reform values."""
    out = []
    for path in sorted(reform.leaves):
        for region in regions:
            before = baseline.chain(baseline.by_region(region).id).find(path, reform.start)
            after = reformed.chain(reformed.by_region(region).id).get(path, reform.start)
            out.append(ParameterChange(path, region, before, after))
    return tuple(out)


def summarise(
    reform: Reform,
    year: int,
    changes: tuple[ParameterChange, ...],
    deltas: pa.Table,
    people: pa.Table,
    rescaled_persons: int,
    history: Sequence[FundYear],
    thresholds: Mapping[str, Thresholds],
) -> ReformSummary:
    """The figures of a run from :func:`~yibao.reform.compare.claim_deltas` (``deltas``) and
    :func:`~yibao.reform.distribution.annotate` d :func:`~yibao.reform.compare.person_deltas`
    (``people``)."""
    che = tuple(
        CheRow(
            r,
            int(pc.sum(people[che_column(r.key, "base")]).as_py() or 0),
            int(pc.sum(people[che_column(r.key, "reform")]).as_py() or 0),
        )
        for r in RULES
    )
    pooled = outlay_by(deltas, ("insured_region", "scheme")).to_pylist()
    effects = fund_effects(
        [
            (r["insured_region"], r["scheme"], int(r["hifp_pay_base"]), int(r["hifp_pay_reform"]))
            for r in pooled
        ],
        history,
        thresholds,
        year,
    )
    return ReformSummary(
        reform=reform,
        year=year,
        regions=tuple(sorted({c.region for c in changes})),
        changes=changes,
        claims=deltas.num_rows,
        persons=people.num_rows,
        patients=int(pc.sum(pc.greater(people["claims"], 0)).as_py() or 0),
        rescaled_persons=rescaled_persons,
        expense=(_total(deltas, "medfee_sumamt_base"), _total(deltas, "medfee_sumamt_reform")),
        funds={f: (_total(deltas, f"{f}_base"), _total(deltas, f"{f}_reform")) for f in FUNDS},
        claim_delta_sums={f: _total(deltas, f"{f}_delta") for f in (*FUNDS, "oop")},
        oop=(_total(deltas, "oop_base"), _total(deltas, "oop_reform")),
        groups=_groups(deltas),
        gains=gains_and_losses(people),
        deciles=decile_table(people),
        che_population=int(pc.sum(pc.greater(people["household_income_fen"], 0)).as_py() or 0),
        che=che,
        ceiling=reached(people, "overcap"),
        ceiling_inpatient=reached(people, "overcap_inpatient"),
        critical_illness=reached(people, "hifmi"),
        fund_effects=tuple(effects),
    )


def _pair(p: tuple[int, int]) -> dict[str, int]:
    return dict(zip(SIDES, p, strict=True))


def summary_json(s: ReformSummary) -> dict[str, Any]:
    """The summary as JSON-ready data (money in fen, dates ISO)."""
    r = s.reform
    return {
        "reform": {
            "id": r.id,
            "name": r.name,
            "region": r.region,
            "from": r.start.isoformat(),
            "source": r.source,
            "elasticity": str(r.elasticity.value),
        },
        "year": s.year,
        "regions": list(s.regions),
        "claims": s.claims,
        "persons": s.persons,
        "patients": s.patients,
        "rescaled_persons": s.rescaled_persons,
        "expense_fen": _pair(s.expense),
        "funds_fen": {f: _pair(v) for f, v in s.funds.items()},
        "claim_delta_sums_fen": dict(s.claim_delta_sums),
        "oop_fen": _pair(s.oop),
        "gainers": s.gains.gainers,
        "losers": s.gains.losers,
        "gain_total_fen": s.gains.gain_total,
        "loss_total_fen": s.gains.loss_total,
        "che_population": s.che_population,
        "che": {c.rule.key: {"base": c.base, "reform": c.reform} for c in s.che},
        "ceiling_persons": _pair(s.ceiling),
        "inpatient_ceiling_persons": _pair(s.ceiling_inpatient),
        "critical_illness_persons": _pair(s.critical_illness),
        "deciles": [
            {
                "decile": d.decile,
                "persons": d.persons,
                "oop_base_fen": d.oop_base,
                "oop_reform_fen": d.oop_reform,
                "gainers": d.gainers,
                "losers": d.losers,
            }
            for d in s.deciles
        ],
        "months_payable": [
            {
                "region": e.region,
                "fund": e.fund,
                "outlay_base_fen": e.outlay_base,
                "outlay_reform_fen": e.outlay_reform,
                "before": None if e.before is None else e.before.as_json(),
                "after": None if e.after is None else e.after.as_json(),
            }
            for e in s.fund_effects
        ],
    }

"""Run a scenario end to end (pure): projection → Monte Carlo → pooling rules → summaries.

The one place where float yuan become fen for output: yearly deterministic figures at the stage
``PROJECTION_YEAR`` and Monte Carlo quantiles and means at ``MONTE_CARLO_SUMMARY`` (see
:mod:`yibao.actuarial`). Central-path transfers are rounded to fen at ``adjustment_transfer`` and
become balanced journals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from yibao.actuarial import to_fen
from yibao.actuarial.montecarlo import MORTALITY_STEP, Paths, simulate
from yibao.actuarial.params import Parameters, Scenario, overlay
from yibao.actuarial.population import Array
from yibao.actuarial.projection import FUND_NAMES, Projection, project
from yibao.ledger.model import Journal
from yibao.money import Stage
from yibao.pooling.adjustment import Inputs, Outcome, Rules, Summary, summarise
from yibao.pooling.adjustment import simulate as pool
from yibao.pooling.journals import Transfer, journals

ADJUSTMENT_TRANSFER = Stage.ADJUSTMENT_TRANSFER


def rules_from(p: Parameters) -> Rules:
    """The pooling rules of a parameter set."""
    w = "pooling.weights."
    return Rules(
        mode=p.text("pooling.mode"),
        remittance_rate=p.number("pooling.remittance_rate"),
        stop_months=p.number("pooling.stop_months"),
        allocation=p.text("pooling.allocation"),
        emergency_share=p.number("pooling.emergency_share"),
        w_dependency=p.number(w + "dependency"),
        w_income=p.number(w + "income_level"),
        w_collection=p.number(w + "collection"),
        w_cost_control=p.number(w + "cost_control"),
        w_supervision=p.number(w + "supervision"),
    )


def inputs_from(p: Parameters, central: Projection, paths: Paths, fund: int) -> Inputs:
    """Pooling inputs of one fund from the Monte Carlo paths and the central projection."""
    codes = central.codes
    heads = (central.in_service + central.retirees) if fund == 0 else central.residents
    return Inputs(
        income=paths.income,
        expenditure=paths.expenditure,
        structural=paths.structural,
        opening=paths.opening,
        interest=paths.interest,
        collection_rate=np.array([p.pref(c, "collection_rate") for c in codes]),
        supervision_findings=np.array([p.pref(c, "supervision_findings") for c in codes]),
        dependency=central.in_service / np.maximum(central.retirees, 1e-9),
        income_per_head=central.income[fund] / np.maximum(heads, 1e-9),
    )


def central_paths(central: Projection, fund: int) -> Paths:
    """The deterministic projection as a single path."""
    return Paths(
        central.income[fund][None].copy(),
        central.expenditure[fund][None].copy(),
        central.structural[fund][None].copy(),
        central.opening[fund].copy(),
        central.interest,
    )


def exhaustion(o: Outcome, years: tuple[int, ...]) -> Array:
    """First year benefits go unpaid per path × prefecture (0 = never), (P, N)."""
    dry = o.unpaid > 0.5
    first = np.argmax(dry, axis=2)
    out: Array = np.where(dry.any(axis=2), np.asarray(years)[first], 0).astype(np.float64)
    return out


def year_distribution(first: Array, years: tuple[int, ...]) -> dict[str, float]:
    """Share of paths by exhaustion year, plus ``never``; ``first`` is (P,)."""
    out = {str(y): float((first == y).mean()) for y in years}
    out = {k: v for k, v in out.items() if v > 0}
    out["never"] = float((first == 0).mean())
    return out


@dataclass(frozen=True)
class FundResult:
    """One fund of one scenario."""

    fund: str
    central_income: list[list[int]]  # fen (prefecture, year)
    central_expenditure: list[list[int]]
    central_balance: list[list[int]]  # after pooling transfers, fen
    central_months: list[list[float]]
    summary: Summary
    province_balance_fan: list[list[int]]  # fen (5, year): net of unpaid benefits (+ fund)
    exhaustion_province: dict[str, float]  # first year any prefecture is dry
    exhaustion_median: list[int | None]  # per prefecture, median first dry year among paths
    transfers: list[Transfer]


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's results for every fund."""

    name: str
    description: str
    mode: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    years: tuple[int, ...]
    paths: int
    funds: list[FundResult] = field(default_factory=list)

    @property
    def journals(self) -> list[Journal]:
        return journals(t for f in self.funds for t in f.transfers)


def _fen_rows(a: Array) -> list[list[int]]:
    return [[to_fen(float(v)) for v in row] for row in a]


def _transfers(
    o: Outcome, codes: tuple[str, ...], years: tuple[int, ...], fund: str
) -> list[Transfer]:
    out: list[Transfer] = []
    for kind, arr in (
        ("remittance", o.remitted),
        ("grant", o.granted),
        ("emergency", o.emergency),
        ("repayment", o.repaid),
    ):
        for i, code in enumerate(codes):
            for t, year in enumerate(years):
                fen = to_fen(float(arr[0, i, t]), ADJUSTMENT_TRANSFER)
                if fen > 0:
                    out.append(Transfer(year, code, fund, kind, fen))
    out.sort(key=lambda x: (x.year, x.prefecture, x.kind))
    return out


def run_scenario(
    base: Parameters,
    scenario: Scenario,
    paths: int,
    seed: int,
    curves: Mapping[str, Array] | None = None,
) -> ScenarioResult:
    """Project, simulate and pool one scenario for both funds."""
    p = overlay(base, scenario)
    central = project(p, curves=curves)
    low = project(p, curves=curves, mortality_factor=MORTALITY_STEP)
    rules = rules_from(p)
    codes = central.codes
    result = ScenarioResult(
        scenario.name,
        scenario.description,
        rules.mode,
        codes,
        tuple(p.text(f"prefectures.{c}.name") for c in codes),
        central.years,
        paths,
    )
    q = (0.05, 0.25, 0.5, 0.75, 0.95)
    for f, fund in enumerate(FUND_NAMES):
        det_in = inputs_from(p, central, central_paths(central, f), f)
        det = pool(det_in, rules)
        mc = simulate(p, central, low, f, paths, seed + f)
        x = inputs_from(p, central, mc, f)
        o = pool(x, rules)
        s = summarise(x, o)
        # net position: balances (and the adjustment fund) less the benefits left unpaid so far
        total = o.balance.sum(axis=1) - np.cumsum(o.unpaid.sum(axis=1), axis=1)
        if rules.mode == "adjustment":
            total = total + o.fund_balance
        first = exhaustion(o, central.years)
        any_first = np.where(first > 0, first, 10_000).min(axis=1)
        any_first = np.where(any_first == 10_000, 0, any_first)
        med: list[int | None] = []
        for i in range(len(codes)):
            col = first[:, i]
            dry = col[col > 0]
            med.append(int(np.median(dry)) if dry.size * 2 > col.size else None)
        months = det.balance[0] / np.maximum(central.expenditure[f] / 12, 1e-9)
        result.funds.append(
            FundResult(
                fund=fund,
                central_income=_fen_rows(central.income[f]),
                central_expenditure=_fen_rows(central.expenditure[f]),
                central_balance=_fen_rows(det.balance[0]),
                central_months=[[round(float(v), 1) for v in row] for row in months],
                summary=s,
                province_balance_fan=_fen_rows(np.quantile(total, q, axis=0)),
                exhaustion_province=year_distribution(any_first, central.years),
                exhaustion_median=med,
                transfers=_transfers(det, codes, central.years, fund),
            )
        )
    return result

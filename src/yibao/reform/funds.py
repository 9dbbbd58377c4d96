"""The reform's effect on each pooled fund's months payable (可支付月数), through the early
warning of :mod:`yibao.actuarial.warning`.

The settled claims are a region's claims or a sample of them, and the fund's accounts come
from its history (final accounts, 决算). So the reform enters the budget as a relative change:
the budget year's expenditure of a region's pooled fund is multiplied by the ratio of its
pooled-fund outlay (``hifp_pay``) under the reform to that under the baseline, over the
region's claims of that scheme; income is the budget's. Both the baseline and the reformed
budget then go through the same :func:`~yibao.actuarial.warning.indicators`.

Critical illness insurance, the large-amount supplement and medical assistance are separate
funds (bought from insurers or paid by the assistance budget) and do not enter here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from yibao.actuarial.params import Thresholds
from yibao.actuarial.warning import FundYear, Indicators, budget, indicators
from yibao.money import Fen, div_half_up

POOLED = {"employee": "employee_pooled", "resident": "resident_pooled"}


@dataclass(frozen=True, slots=True)
class FundEffect:
    """One region's pooled fund of one scheme, before and after the reform."""

    region: str
    fund: str
    outlay_base: Fen  # pooled-fund payments over the settled claims
    outlay_reform: Fen
    before: Indicators | None  # None when the history has no year before the budget year
    after: Indicators | None


def scaled(expenditure: Fen, outlay_base: Fen, outlay_reform: Fen) -> Fen:
    """``expenditure × reform ÷ base``, rounded half-up to the fen (unchanged if base is 0).

    >>> scaled(1_000_000, 300, 330)
    1100000
    """
    if outlay_base <= 0:
        return expenditure
    return div_half_up(expenditure * outlay_reform, outlay_base)


def fund_effects(
    outlays: Sequence[tuple[str, str, Fen, Fen]],
    history: Sequence[FundYear],
    thresholds: Mapping[str, Thresholds],
    year: int,
) -> list[FundEffect]:
    """``outlays``: (region, scheme, pooled outlay before, after) per region and scheme."""
    out = []
    for region, scheme, base, reform in outlays:
        fund = POOLED[scheme]
        past = sorted(
            (h for h in history if h.region == region and h.fund == fund and h.year < year),
            key=lambda h: h.year,
        )
        if not past:
            out.append(FundEffect(region, fund, base, reform, None, None))
            continue
        b, last = budget(past, year), past[-1]
        spent = scaled(b.expenditure, base, reform)
        common = (last, thresholds, last.in_service, last.retirees)
        before = indicators(
            region, fund, year, "budget", b.income, b.expenditure, b.balance, *common
        )
        after = indicators(
            region,
            fund,
            year,
            "budget with the reform",
            b.income,
            spent,
            last.balance + b.income - spent,
            *common,
        )
        out.append(FundEffect(region, fund, base, reform, before, after))
    return out

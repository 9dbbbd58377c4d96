"""DIP prepayments and the year-end liquidation as fund-ledger journals (记账凭证).

* Each monthly prepayment (月度预付) is an advance to the hospital: Dr receivable
  ``dip_prepaid`` (the hospital owes it until liquidation), Cr bank.
* The liquidation (年度清算) of a hospital recognises the fund's expenditure on it (Σ group
  payments − patient payments − other funds), clears the advances, and leaves the balance
  payable to the hospital (or receivable from it when the prepayments were more): Dr
  expenditure ``dip``, Cr receivable ``dip_prepaid``, Cr payable ``dip`` (negative: Dr).

Every journal balances; Σ expenditure over the hospitals equals Σ fund due of the
liquidation (checked by the tests). Accounts follow :mod:`yibao.ledger.model`.
"""

from __future__ import annotations

from datetime import date

from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.payment.dip.liquidation import Liquidation


def liquidation_journals(
    liq: Liquidation, region: str, fund: Fund, year: int, run_id: str
) -> list[Journal]:
    """One prepayment journal (the year's advances) and one liquidation journal per hospital."""
    out: list[Journal] = []
    bank = Account(region, fund, Kind.BANK)
    for h in liq.hospitals:
        prepaid = Account(region, fund, Kind.RECEIVABLE, "dip_prepaid", h.provider_id)
        if h.prepaid:
            out.append(
                journal(
                    f"{run_id}-pre-{h.provider_id}",
                    date(year, 12, 31),
                    "prepayment",
                    run_id,
                    f"DIP monthly prepayments {year} to {h.provider_id}",
                    [(prepaid, h.prepaid), (bank, -h.prepaid)],
                )
            )
        out.append(
            journal(
                f"{run_id}-liq-{h.provider_id}",
                date(year, 12, 31),
                "liquidation",
                run_id,
                f"DIP liquidation {year} of {h.provider_id}",
                [
                    (Account(region, fund, Kind.EXPENDITURE, "dip", h.provider_id), h.fund_due),
                    (prepaid, -h.prepaid),
                    (Account(region, fund, Kind.PAYABLE, "dip", h.provider_id), -h.settlement),
                ],
            )
        )
    return out

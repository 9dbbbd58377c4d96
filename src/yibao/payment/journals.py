"""DIP prepayments, the year-end liquidation and the sharing adjustments as fund-ledger
journals (记账凭证).

* Each monthly prepayment (月度预付) is an advance to the hospital: Dr receivable
  ``dip_prepaid`` (the hospital owes it until liquidation), Cr bank.
* The liquidation (年度清算) of a hospital recognises the fund's expenditure on it (Σ group
  payments − patient payments − other funds), clears the advances, and leaves the balance
  payable to the hospital (or receivable from it when the prepayments were more): Dr
  expenditure ``dip``, Cr receivable ``dip_prepaid``, Cr payable ``provider`` (negative: Dr).
* The sharing adjustment (结余留用 / 超支分担) of a hospital, DRG or DIP: the fund's share of
  an overspend is Dr expenditure ``drg_sharing`` / ``dip_sharing``, Cr payable ``provider``;
  the part of a surplus the hospital does not keep is the reverse (the payable shrinks).

Payables to a hospital are named as the settlement journals name them
(:func:`yibao.ledger.postings.payee`: item ``provider``, sub the provider id), so that a
provider's payable collects its settlements, liquidation and sharing in one account.
Every journal balances; Σ expenditure ``dip`` over the hospitals equals Σ fund due of the
liquidation, Σ expenditure ``*_sharing`` the Σ sharing adjustments (checked by the tests).
Accounts follow :mod:`yibao.ledger.model`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen
from yibao.payment.dip.liquidation import Liquidation

PROVIDER = "provider"  # the payable's item, as in yibao.ledger.postings.payee


def provider_payable(region: str, fund: Fund, provider_id: str) -> Account:
    """What the fund owes a local provider (the account settlements credit)."""
    return Account(region, fund, Kind.PAYABLE, PROVIDER, provider_id)


def sharing_journals(
    adjustments: Iterable[tuple[str, Fen]],
    method: str,
    region: str,
    fund: Fund,
    year: int,
    run_id: str,
) -> list[Journal]:
    """One journal per hospital with a non-zero sharing adjustment (``share_balance``):
    positive, the fund's share of an overspend (超支分担); negative, the surplus returned
    (结余留用 keeps the rest). ``method`` is ``drg`` or ``dip``."""
    out: list[Journal] = []
    for provider, amount in adjustments:
        if not amount:
            continue
        what = "overspend shared (超支分担)" if amount > 0 else "surplus returned (结余留用)"
        out.append(
            journal(
                f"{run_id}-share-{provider}",
                date(year, 12, 31),
                "sharing",
                run_id,
                f"{method.upper()} {year} {provider}: {what}",
                [
                    (
                        Account(region, fund, Kind.EXPENDITURE, f"{method}_sharing", provider),
                        amount,
                    ),
                    (provider_payable(region, fund, provider), -amount),
                ],
            )
        )
    return out


def liquidation_journals(
    liq: Liquidation, region: str, fund: Fund, year: int, run_id: str
) -> list[Journal]:
    """One prepayment journal (the year's advances) and one liquidation journal per hospital,
    then the sharing journals of the hospitals with an adjustment."""
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
                    (provider_payable(region, fund, h.provider_id), -h.settlement),
                ],
            )
        )
    shares = [(h.provider_id, h.sharing) for h in liq.hospitals]
    return out + sharing_journals(shares, "dip", region, fund, year, run_id)

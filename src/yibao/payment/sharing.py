"""Both sides of a case: the balance a hospital keeps or the overspend the fund shares.

The patient's settlement stays item-based; the hospital is paid by group. Per hospital,
balance = group value − item-based cost: a surplus (结余) of which the hospital keeps
``surplus_keep`` (结余留用) and returns the rest, or an overspend (超支) of which the fund
bears ``overspend_fund_share`` (超支分担), up to ``overspend_band`` of the group value when
a band is set. The rule is a parameter: cities set it locally (policy-facts.md §8.2,
"Reserve": the adjustment fund is where such shares are paid from).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from yibao.money import Fen, Stage, ratio_units, round_at


@dataclass(frozen=True, slots=True)
class SharingRule:
    surplus_keep: Decimal = Decimal(1)
    overspend_fund_share: Decimal = Decimal(0)
    overspend_band: Decimal | None = None  # share only overspend up to band × value


def share_balance(value: Fen, cost: Fen, rule: SharingRule) -> Fen:
    """The payment adjustment to the hospital (``Stage.BALANCE_SHARE``): ≤ 0 on a surplus
    (the part returned), ≥ 0 on an overspend (the fund's share).

    >>> share_balance(1000, 800, SharingRule(surplus_keep=Decimal("0.6")))
    -80
    >>> share_balance(1000, 1300, SharingRule(overspend_fund_share=Decimal("0.5"),
    ...                                       overspend_band=Decimal("0.2")))
    100
    """
    balance = value - cost
    if balance >= 0:
        returned = balance - round_at(Stage.BALANCE_SHARE, balance * ratio_units(rule.surplus_keep))
        return -returned
    over = -balance
    if rule.overspend_band is not None:
        over = min(over, round_at(Stage.BALANCE_SHARE, value * ratio_units(rule.overspend_band)))
    return round_at(Stage.BALANCE_SHARE, over * ratio_units(rule.overspend_fund_share))

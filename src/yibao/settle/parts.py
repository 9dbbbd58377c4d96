"""The parts of a settled bill, named as in the national settlement interface (结算清单).

Two identities hold for every settlement:

* ``total = full_selfpay + over_limit + preself + scope``
* ``total = pooled_fund + large_amount + critical_illness + assistance + account + cash``

and inside the policy scope:
``scope = deductible + coinsurance + pooled_fund + over_ceiling`` (where the item-level
fund shares are counted in ``pooled_fund``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from yibao.money import Fen

# English field name → code in the national interface (non-national codes are yibao's own).
INTERFACE_CODES: dict[str, str] = {
    "total": "medfee_sumamt",
    "full_selfpay": "fulamt_ownpay_amt",
    "over_limit": "overlmt_selfpay",
    "preself": "preselfpay_amt",
    "scope": "inscp_scp_amt",
    "deductible": "act_pay_dedc",
    "pooled_fund": "hifp_pay",
    "coinsurance": "psn_coins_amt",
    "over_ceiling": "overcap_amt",
    "large_amount": "hifob_pay",
    "critical_illness": "hifmi_pay",
    "assistance": "maf_pay",
    "tilted_assistance": "maf_tilt_pay",
    "account": "acct_pay",
    "cash": "psn_cash_pay",
    "fund_total": "fund_pay_sumamt",
}


@dataclass(frozen=True, slots=True)
class Parts:
    """Amounts in fen of one settled claim (or a sum of claims)."""

    total: Fen = 0  # 医疗费总额
    full_selfpay: Fen = 0  # 全自费: class C, restricted use, non-covered
    over_limit: Fen = 0  # 超限价自费: above the payment standard
    preself: Fen = 0  # 先行自付: class-B and special-item pre-self-pay
    scope: Fen = 0  # 符合政策范围金额
    deductible: Fen = 0  # 起付线
    pooled_fund: Fen = 0  # 统筹基金
    coinsurance: Fen = 0  # personal share between deductible and ceiling (共付段个人负担)
    over_ceiling: Fen = 0  # policy-scope expense above the basic ceiling (超封顶线)
    large_amount: Fen = 0  # 职工大额医疗费用补助
    critical_illness: Fen = 0  # 居民大病保险
    assistance: Fen = 0  # 医疗救助, tilted assistance included
    tilted_assistance: Fen = 0  # of which 倾斜救助
    account: Fen = 0  # 个人账户
    cash: Fen = 0  # 个人现金

    @property
    def fund_total(self) -> Fen:
        """基金支付总额: every fund's payment (the account is the person's own money)."""
        return self.pooled_fund + self.large_amount + self.critical_illness + self.assistance

    def violations(self) -> list[str]:
        """The identities above that do not hold (empty when the settlement is sound)."""
        out: list[str] = []
        split = self.full_selfpay + self.over_limit + self.preself + self.scope
        if split != self.total:
            out.append(f"bill split {split} != total {self.total}")
        paid = self.fund_total + self.account + self.cash
        if paid != self.total:
            out.append(f"payers {paid} != total {self.total}")
        inside = self.deductible + self.coinsurance + self.pooled_fund + self.over_ceiling
        if inside != self.scope:
            out.append(f"scope parts {inside} != scope {self.scope}")
        for name in _NAMES:
            if getattr(self, name) < 0:
                out.append(f"{name} is negative: {getattr(self, name)}")
        if self.tilted_assistance > self.assistance:
            out.append("tilted assistance exceeds assistance")
        return out

    def as_codes(self) -> dict[str, Fen]:
        """The parts keyed by interface code, with ``fund_pay_sumamt``."""
        d = {INTERFACE_CODES[k]: v for k, v in asdict(self).items()}
        d["fund_pay_sumamt"] = self.fund_total
        return d

    def __add__(self, other: Parts) -> Parts:
        return Parts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


_NAMES = tuple(f.name for f in fields(Parts))

"""The records the settlement core works on: person, claim, lines, year-to-date totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from yibao.money import Fen
from yibao.types import (
    AssistanceCategory,
    ItemClass,
    Level,
    PersonType,
    Route,
    Scheme,
    Sex,
    VisitType,
)


@dataclass(frozen=True, slots=True)
class Person:
    """An insured person as the engine needs them (参保人)."""

    person_id: str
    scheme: Scheme
    person_type: PersonType
    sex: Sex
    birth_date: date
    insured_region: str
    assistance_category: AssistanceCategory | None = None
    enrolled_from: date | None = None
    enrolled_to: date | None = None

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        years = day.year - self.birth_date.year
        return years - (
            1 if (day.month, day.day) < (self.birth_date.month, self.birth_date.day) else 0
        )


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a bill (费用明细): an item, a quantity and the amount charged.

    ``item_class``/``preself_ratio``/``price_cap``/``fund_ratio`` may be given on the line
    itself for an item outside any loaded catalogue (a worked example, a scenario); otherwise
    the engine looks the code up in the treatment region's catalogue.
    """

    code: str
    amount: Fen
    quantity: int = 1
    unit_price: Fen | None = None
    item_class: ItemClass | None = None
    preself_ratio: Decimal | None = None
    price_cap: Fen | None = None
    fund_ratio: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PreSplit:
    """A bill already split into its catalogue parts, when only those amounts are known."""

    total: Fen
    full_selfpay: Fen = 0
    over_limit: Fen = 0
    preself: Fen = 0
    item_fund: Fen = 0  # fund shares of items paid outside the schedule
    item_fund_scope: Fen = 0  # the policy-scope amount of those items

    @property
    def scope(self) -> Fen:
        return self.total - self.full_selfpay - self.over_limit - self.preself


PRESPLIT_AMOUNTS = (
    "total",
    "full_selfpay",
    "over_limit",
    "preself",
    "item_fund",
    "item_fund_scope",
)
"""The amount fields of :class:`PreSplit`, in order (also the batch engine's amount columns)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim to settle (结算申请): one admission, visit or pharmacy purchase."""

    claim_id: str
    provider_id: str
    level: Level
    treatment_region: str
    visit_type: VisitType
    admit_date: date
    discharge_date: date
    route: Route = Route.LOCAL
    lines: tuple[Line, ...] = ()
    presplit: PreSplit | None = None

    @property
    def settle_date(self) -> date:
        """The policy in force on the day of settlement (discharge) applies."""
        return self.discharge_date


@dataclass(frozen=True, slots=True)
class PoolTotals:
    """Year-to-date totals of one visit type (门诊/住院累计)."""

    admissions: int = 0
    scope: Fen = 0  # policy-scope expense counted on the segment axis
    deductible: Fen = 0


@dataclass(frozen=True, slots=True)
class Accumulators:
    """A person's running totals for one year (年度累计): what every layer needs to know."""

    year: int
    pools: Mapping[str, PoolTotals] = field(default_factory=lambda: MappingProxyType({}))
    ceiling_scope: Mapping[str, Fen] = field(default_factory=lambda: MappingProxyType({}))
    ceiling_fund: Mapping[str, Fen] = field(default_factory=lambda: MappingProxyType({}))
    large_amount_paid: Fen = 0
    ci_base: Fen = 0
    ci_paid: Fen = 0
    assistance_base: Fen = 0
    assistance_paid: Fen = 0
    tilt_paid: Fen = 0
    account_balance: Fen = 0  # individual account balance now (个人账户余额)

    def pool(self, visit: VisitType) -> PoolTotals:
        return self.pools.get(visit.value, PoolTotals())

    def with_pool(self, visit: VisitType, totals: PoolTotals) -> Accumulators:
        pools = dict(self.pools)
        pools[visit.value] = totals
        return replace(self, pools=MappingProxyType(pools))

    def with_ceiling(self, group: str, scope: Fen, fund: Fen) -> Accumulators:
        cs, cf = dict(self.ceiling_scope), dict(self.ceiling_fund)
        cs[group], cf[group] = scope, fund
        return replace(self, ceiling_scope=MappingProxyType(cs), ceiling_fund=MappingProxyType(cf))

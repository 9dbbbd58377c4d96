"""Contributions (缴费): employees by wage base, retirees' account credit, residents' flat
contribution with the fiscal subsidy, contributions paid by medical assistance, arrears.

Parameters come from the ``{scheme}.contribution.*`` leaves of the insured region's policy
chain; every amount is rounded half-up to the fen at the ``contribution`` stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yibao.errors import InputError
from yibao.money import Fen, Stage, apply_ratio, round_decimal_fen
from yibao.policy.pack import Citation, PolicyChain
from yibao.types import AssistanceCategory


def _get(chain: PolicyChain, path: str, day: date) -> Citation:
    return chain.get(path, day)


def _ratio(c: Citation) -> Decimal:
    v = c.value
    return v if isinstance(v, Decimal) else Decimal(str(v))


def _fen(c: Citation) -> Fen:
    v = c.value
    if not isinstance(v, int):
        raise TypeError(f"{c.path} is not money")
    return v


@dataclass(frozen=True, slots=True)
class EmployeeParameters:
    """The employee contribution parameters in force on a day, with their citations."""

    employer_rate: Decimal
    employee_rate: Decimal
    base_floor: Fen  # monthly
    base_ceiling: Fen  # monthly
    employee_account_share: Decimal
    employer_account_share: Decimal
    retiree_account_credit: Fen  # monthly
    citations: tuple[Citation, ...]


def employee_parameters(chain: PolicyChain, day: date) -> EmployeeParameters:
    """Resolve the employee contribution leaves; the base bounds are ratios of the wage."""
    p = "employee.contribution."
    names = (
        "employer_rate",
        "employee_rate",
        "base_floor_ratio",
        "base_ceiling_ratio",
        "average_wage",
        "employee_account_share",
        "employer_account_share",
        "retiree_account_credit",
    )
    c = {n: _get(chain, p + n, day) for n in names}
    wage = _fen(c["average_wage"])
    if wage <= 0:
        raise InputError(
            f"policy {chain.id}: employee.contribution.average_wage is not set for {day}; "
            "a local pack must give the average wage the contribution base refers to"
        )
    return EmployeeParameters(
        employer_rate=_ratio(c["employer_rate"]),
        employee_rate=_ratio(c["employee_rate"]),
        # 60 %–300 % of the average wage (policy-facts §1.1).
        base_floor=round_decimal_fen(wage * _ratio(c["base_floor_ratio"]), Stage.CONTRIBUTION_BASE),
        base_ceiling=round_decimal_fen(
            wage * _ratio(c["base_ceiling_ratio"]), Stage.CONTRIBUTION_BASE
        ),
        employee_account_share=_ratio(c["employee_account_share"]),
        employer_account_share=_ratio(c["employer_account_share"]),
        retiree_account_credit=_fen(c["retiree_account_credit"]),
        citations=tuple(c.values()),
    )


@dataclass(frozen=True, slots=True)
class EmployeeContribution:
    """One month of an employee's contribution (职工医保月缴费)."""

    wage: Fen
    base: Fen  # the wage clamped to the bounds (缴费基数)
    employer: Fen  # 单位缴费
    employee: Fen  # 个人缴费
    to_account: Fen  # credited to the individual account (划入个人账户)
    to_pool: Fen  # to the pooled fund (划入统筹基金)

    @property
    def total(self) -> Fen:
        return self.employer + self.employee


def contribution_base(wage: Fen, params: EmployeeParameters) -> Fen:
    """The wage clamped to [floor, ceiling].

    >>> p = EmployeeParameters(Decimal("0.06"), Decimal("0.02"), 480000, 2400000,
    ...                        Decimal(1), Decimal(0), 10000, ())
    >>> contribution_base(300000, p), contribution_base(900000, p), contribution_base(9000000, p)
    (480000, 900000, 2400000)
    """
    if wage < 0:
        raise InputError(f"wage must not be negative, got {wage}")
    return min(max(wage, params.base_floor), params.base_ceiling)


def employee_contribution(wage: Fen, params: EmployeeParameters) -> EmployeeContribution:
    """The month's contribution: rates on the clamped base; since 国办发〔2021〕14号 the
    employee's own share goes to the account and the employer's wholly to the pool."""
    base = contribution_base(wage, params)
    employer = apply_ratio(base, params.employer_rate, Stage.CONTRIBUTION)
    employee = apply_ratio(base, params.employee_rate, Stage.CONTRIBUTION)
    to_account = apply_ratio(
        employee, params.employee_account_share, Stage.CONTRIBUTION
    ) + apply_ratio(employer, params.employer_account_share, Stage.CONTRIBUTION)
    return EmployeeContribution(
        wage, base, employer, employee, to_account, employer + employee - to_account
    )


@dataclass(frozen=True, slots=True)
class ResidentParameters:
    """The resident contribution parameters in force on a day (居民医保筹资标准)."""

    individual: Fen  # per year
    subsidy: Fen  # per year
    central_share: Decimal
    assistance_aid: Decimal  # share of the individual contribution assistance pays
    citations: tuple[Citation, ...]


def resident_parameters(
    chain: PolicyChain, day: date, category: AssistanceCategory | None = None
) -> ResidentParameters:
    p = "resident.contribution."
    c = {n: _get(chain, p + n, day) for n in ("individual", "subsidy", "central_share")}
    aid = _get(chain, f"{p}assistance_aid.{category.value}", day) if category else None
    return ResidentParameters(
        individual=_fen(c["individual"]),
        subsidy=_fen(c["subsidy"]),
        central_share=_ratio(c["central_share"]),
        assistance_aid=_ratio(aid) if aid else Decimal(0),
        citations=tuple(c.values()) + ((aid,) if aid else ()),
    )


@dataclass(frozen=True, slots=True)
class ResidentContribution:
    """A resident's year: what the person pays, what assistance pays, the fiscal subsidy
    and its central and local shares (个人缴费 + 医疗救助资助 + 财政补助)."""

    individual: Fen  # the standard individual contribution
    by_person: Fen
    by_assistance: Fen  # 资助参保
    subsidy: Fen
    central: Fen
    local: Fen

    @property
    def total(self) -> Fen:
        return self.individual + self.subsidy


def resident_contribution(params: ResidentParameters) -> ResidentContribution:
    """Split the year's funding.

    >>> p = ResidentParameters(40000, 70000, Decimal("0.6"), Decimal("0.5"), ())
    >>> resident_contribution(p)
    ResidentContribution(individual=40000, by_person=20000, by_assistance=20000, subsidy=70000, central=42000, local=28000)
    """
    aid = apply_ratio(params.individual, params.assistance_aid, Stage.CONTRIBUTION)
    central = apply_ratio(params.subsidy, params.central_share, Stage.CONTRIBUTION)
    return ResidentContribution(
        params.individual,
        params.individual - aid,
        aid,
        params.subsidy,
        central,
        params.subsidy - central,
    )


@dataclass(frozen=True, slots=True)
class Arrear:
    """A month due and not (fully) paid (欠费)."""

    month: str  # YYYY-MM
    due: Fen
    paid: Fen

    @property
    def owed(self) -> Fen:
        return self.due - self.paid


def arrears(due: Iterable[tuple[str, Fen]], paid: Iterable[tuple[str, Fen]]) -> tuple[Arrear, ...]:
    """Months whose payments fall short of what was due, oldest first.

    >>> arrears([("2025-01", 100), ("2025-02", 100)], [("2025-01", 100), ("2025-02", 40)])
    (Arrear(month='2025-02', due=100, paid=40),)
    """
    paid_by: dict[str, Fen] = {}
    for month, amount in paid:
        paid_by[month] = paid_by.get(month, 0) + amount
    out = [Arrear(m, d, paid_by.get(m, 0)) for m, d in sorted(due) if paid_by.get(m, 0) < d]
    return tuple(out)

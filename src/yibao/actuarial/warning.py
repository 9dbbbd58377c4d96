"""Fund budget, in-year monitoring and early warning (基金预算、执行监测与风险预警).

Indicators for one region × fund × year:

* months payable from the accumulated balance (累计结余可支付月数) = balance ÷ (expenditure ÷ 12)
  (policy-facts.md §7);
* the current-year surplus or deficit (当期结余);
* growth of expenditure against growth of income;
* the dependency ratio (职退比, in-service per retiree), employee fund only.

Warning levels follow 人社部发〔2009〕67号 as quoted in §7: under 3 months red (结余不足), 3–6
orange, 6–9 normal (the guideline range), 9–15 ample, over 15 excess (结余过多). Prepayment to
hospitals needs ≥ 12 months (employee) or ≥ 6 months (resident) and no current-year deficit last
year or projected this year (国家医保局办公室 财政部办公厅关于做好医保基金预付工作的通知, 2024-11-11).
All money is integer fen; ratios and months are Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from yibao.actuarial.params import Thresholds
from yibao.money import Fen, Stage, round_decimal_fen

FUNDS = ("employee_pooled", "resident_pooled")

DEFAULT_THRESHOLDS: dict[str, Thresholds] = {
    # 人社部发〔2009〕67号 (6–9 months, >15 excess, <3 insufficient); 2024 prepayment notice (12 / 6)
    "employee_pooled": Thresholds(Decimal(3), Decimal(6), Decimal(9), Decimal(15), Decimal(12)),
    "resident_pooled": Thresholds(Decimal(3), Decimal(6), Decimal(9), Decimal(15), Decimal(6)),
}


class Level(StrEnum):
    """A warning level, from worst to most over-funded."""

    RED = "red"  # 结余不足: under 3 months
    ORANGE = "orange"  # 3 to 6 months
    NORMAL = "normal"  # 6 to 9 months, the guideline range
    AMPLE = "ample"  # 9 to 15 months
    EXCESS = "excess"  # 结余过多: over 15 months


def level(months: Decimal | None, t: Thresholds) -> Level:
    """The warning level of a months-payable figure; ``None`` (no expenditure) counts as excess.

    >>> t = DEFAULT_THRESHOLDS["employee_pooled"]
    >>> [level(Decimal(m), t).value for m in ("2.9", "3", "6", "9", "15", "15.1")]
    ['red', 'orange', 'normal', 'normal', 'ample', 'excess']
    """
    if months is None:
        return Level.EXCESS
    if months < t.red_below:
        return Level.RED
    if months < t.orange_below:
        return Level.ORANGE
    if months <= t.normal_up_to:
        return Level.NORMAL
    if months <= t.excess_above:
        return Level.AMPLE
    return Level.EXCESS


def months_payable(balance: Fen, annual_expenditure: Fen) -> Decimal | None:
    """累计结余可支付月数 to one decimal place (§7); None when nothing was spent.

    >>> months_payable(30_445_50, 13_222_71)
    Decimal('27.6')
    """
    if annual_expenditure <= 0:
        return None
    m = Decimal(balance) * 12 / Decimal(annual_expenditure)
    return m.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _round_fen(x: Decimal) -> Fen:
    return round_decimal_fen(x, Stage.WARNING_FORECAST)


@dataclass(frozen=True, slots=True)
class FundYear:
    """One region × fund × year of final accounts (决算); balance is the year-end accumulated one."""

    region: str
    fund: str
    year: int
    income: Fen
    expenditure: Fen
    balance: Fen
    in_service: int = 0
    retirees: int = 0


@dataclass(frozen=True, slots=True)
class YearToDate:
    """In-year actuals: income and expenditure of the first ``months`` months."""

    region: str
    fund: str
    year: int
    months: int
    income: Fen
    expenditure: Fen


@dataclass(frozen=True, slots=True)
class Budget:
    """An annual budget (基金预算): income, expenditure and the year-end balance they imply."""

    region: str
    fund: str
    year: int
    income: Fen
    expenditure: Fen
    balance: Fen
    income_growth: Decimal
    expenditure_growth: Decimal


def trend_growth(values: Sequence[Fen], years: int = 3) -> Decimal:
    """Geometric mean growth over the last ``years`` steps, to four places (0 with < 2 values).

    >>> trend_growth([100, 110, 121])
    Decimal('0.1000')
    """
    tail = [v for v in values[-(years + 1) :] if v > 0]
    if len(tail) < 2:
        return Decimal(0)
    steps = len(tail) - 1
    g = (Decimal(tail[-1]) / Decimal(tail[0])) ** (Decimal(1) / steps) - 1
    return g.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def budget(history: Sequence[FundYear], year: int) -> Budget:
    """Next year's budget from the trend of up to three past years (history sorted by year)."""
    past = sorted((h for h in history if h.year < year), key=lambda h: h.year)
    if not past:
        raise ValueError(f"no history before {year}")
    last = past[-1]
    gi = trend_growth([h.income for h in past])
    ge = trend_growth([h.expenditure for h in past])
    steps = year - last.year
    income = _round_fen(Decimal(last.income) * (1 + gi) ** steps)
    expenditure = _round_fen(Decimal(last.expenditure) * (1 + ge) ** steps)
    return Budget(
        last.region,
        last.fund,
        year,
        income,
        expenditure,
        last.balance + income - expenditure,
        gi,
        ge,
    )


@dataclass(frozen=True, slots=True)
class Indicators:
    """The warning indicators of one region × fund (actual year or budget year)."""

    region: str
    fund: str
    year: int
    basis: str  # "actual", "budget" or "in-year"
    income: Fen
    expenditure: Fen
    surplus: Fen  # 当期结余 (negative = current-year deficit)
    balance: Fen
    months: Decimal | None
    income_growth: Decimal | None
    expenditure_growth: Decimal | None
    dependency_ratio: Decimal | None  # 职退比
    level: Level
    prepayment_allowed: bool
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "region": self.region,
            "fund": self.fund,
            "year": self.year,
            "basis": self.basis,
            "income_fen": self.income,
            "expenditure_fen": self.expenditure,
            "surplus_fen": self.surplus,
            "balance_fen": self.balance,
            "months_payable": None if self.months is None else str(self.months),
            "income_growth": None if self.income_growth is None else str(self.income_growth),
            "expenditure_growth": None
            if self.expenditure_growth is None
            else str(self.expenditure_growth),
            "dependency_ratio": None
            if self.dependency_ratio is None
            else str(self.dependency_ratio),
            "level": self.level.value,
            "prepayment_allowed": self.prepayment_allowed,
            "notes": list(self.notes),
        }


def _growth(now: Fen, before: Fen | None) -> Decimal | None:
    if before is None or before <= 0:
        return None
    return ((Decimal(now) - before) / before).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def indicators(
    region: str,
    fund: str,
    year: int,
    basis: str,
    income: Fen,
    expenditure: Fen,
    balance: Fen,
    previous: FundYear | None,
    thresholds: Mapping[str, Thresholds],
    in_service: int = 0,
    retirees: int = 0,
) -> Indicators:
    """Compute the indicators and the level; the prepayment test follows the 2024 notice."""
    t = thresholds[fund]
    months = months_payable(balance, expenditure)
    lvl = level(months, t)
    surplus = income - expenditure
    gi = _growth(income, previous.income if previous else None)
    ge = _growth(expenditure, previous.expenditure if previous else None)
    notes: list[str] = []
    if gi is not None and ge is not None and ge > gi:
        notes.append("expenditure grows faster than income")
    if surplus < 0:
        notes.append("current-year deficit")
    last_deficit = previous is not None and previous.income < previous.expenditure
    if last_deficit:
        notes.append("deficit last year: no prepayment")
    prepay = months is not None and months >= t.prepay_from and surplus >= 0 and not last_deficit
    dep = None
    if fund == "employee_pooled" and retirees > 0:
        dep = (Decimal(in_service) / retirees).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Indicators(
        region,
        fund,
        year,
        basis,
        income,
        expenditure,
        surplus,
        balance,
        months,
        gi,
        ge,
        dep,
        lvl,
        prepay,
        tuple(notes),
    )


def in_year(ytd: YearToDate, b: Budget) -> tuple[Fen, Fen, list[str]]:
    """Full-year outturn projected from in-year actuals (rolling to 12 months) and notes.

    Expenditure is spread evenly over the year; resident income mostly arrives in Q4 (§7
    seasonality), so resident income is taken from the budget unless the year-to-date already
    exceeds it.
    """
    if not 1 <= ytd.months <= 12:
        raise ValueError(f"months must be 1 to 12, got {ytd.months}")
    expenditure = _round_fen(Decimal(ytd.expenditure) * 12 / ytd.months)
    if ytd.fund == "resident_pooled":
        income = max(b.income, ytd.income)
    else:
        income = _round_fen(Decimal(ytd.income) * 12 / ytd.months)
    notes: list[str] = []
    exec_e = Decimal(ytd.expenditure) / b.expenditure if b.expenditure else Decimal(0)
    due = Decimal(ytd.months) / 12
    if exec_e > due * Decimal("1.05"):
        notes.append(
            f"expenditure {exec_e:.1%} of budget after {ytd.months} months (due {due:.0%})"
        )
    return income, expenditure, notes


def warn_all(
    history: Iterable[FundYear],
    in_year_actuals: Iterable[YearToDate],
    year: int,
    thresholds: Mapping[str, Thresholds],
) -> list[Indicators]:
    """Indicators for every region × fund: the last actual year, the budget for ``year`` and, where
    in-year actuals exist, the projected outturn."""
    by_key: dict[tuple[str, str], list[FundYear]] = {}
    for h in history:
        by_key.setdefault((h.region, h.fund), []).append(h)
    ytds = {(y.region, y.fund): y for y in in_year_actuals if y.year == year}
    out: list[Indicators] = []
    for (region, fund), rows in sorted(by_key.items()):
        rows.sort(key=lambda h: h.year)
        past = [h for h in rows if h.year < year]
        if not past:
            continue
        last = past[-1]
        before = past[-2] if len(past) > 1 else None
        out.append(
            indicators(
                region,
                fund,
                last.year,
                "actual",
                last.income,
                last.expenditure,
                last.balance,
                before,
                thresholds,
                last.in_service,
                last.retirees,
            )
        )
        b = budget(past, year)
        ind = indicators(
            region,
            fund,
            year,
            "budget",
            b.income,
            b.expenditure,
            b.balance,
            last,
            thresholds,
            last.in_service,
            last.retirees,
        )
        out.append(ind)
        if (region, fund) in ytds:
            inc, exp, notes = in_year(ytds[(region, fund)], b)
            proj = indicators(
                region,
                fund,
                year,
                "in-year",
                inc,
                exp,
                last.balance + inc - exp,
                last,
                thresholds,
                last.in_service,
                last.retirees,
            )
            out.append(replace(proj, notes=proj.notes + tuple(notes)))
    return out

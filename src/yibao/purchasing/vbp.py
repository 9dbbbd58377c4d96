"""Centralized volume-based procurement (国家组织药品集中带量采购, 集采): rounds as data, the
payment-standard link, agreed-volume completion and retained savings (结余留用).

Facts (policy-facts-2.md §2):

* payment standard (§2.4, bjsjp.cn [T]): a selected product's winning price **is** its payment
  standard; a non-selected product priced at **≥ 2×** the winning price gets **its price cut
  by 30 %**, one priced below 2× gets the winning price; the step-down is spread over
  **2–3 years** (``transition_years``), each year one dated catalogue change. The person pays
  what is above the standard (the bill split's over-limit self-pay).
* completion (§2.3): units of the selected products used by each hospital in the cycle over
  its agreed volume, from the settled claims' lines.
* retained savings (§2.5, Huaibei / Shiquan rules [G]): budget = agreed volume × pre-VBP
  weighted average price × pooled-fund payment ratio × insured share of use; actual = fund
  spending on selected and non-selected products at actual prices (line amounts × the same
  fund ratio); savings base = budget − actual; retained = base × the retention ratio of the
  hospital's assessment grade (**≤ 50 %**), only when the agreed volume was met.

Chosen where the facts are silent: with several winners, the non-selected rule compares with
the highest winning price; step k of n sets ``price − (price − target) × k / n``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from yibao.errors import InputError
from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen, MoneyError, Stage, ratio, round_at, yuan_to_fen
from yibao.payment.journals import provider_payable
from yibao.purchasing.catalogue_changes import Action, CatalogueChange

NON_SELECTED_MULTIPLE: Final = 2  # ≥ 2× the winning price … (bjsjp.cn [T])
NON_SELECTED_CUT: Final = Decimal("0.30")  # … payment standard = its price cut by 30 %
MIN_PREPAYMENT: Final = Decimal("0.30")  # prepay ≥ 30 % of the agreed amount (bjsjp.cn, Huaibei)
MAX_RETENTION: Final = Decimal("0.50")  # retained ≤ 50 % of the savings base (Huaibei [G])
TRANSITION_YEARS: Final = (2, 3)  # adjust gradually over 2–3 years (bjsjp.cn [T])


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    price: Fen  # winning price, or the non-selected product's price before the round (per unit)


@dataclass(frozen=True, slots=True)
class Volume:
    """A hospital's agreed volume (约定采购量) and what the savings formula needs of it."""

    provider_id: str
    agreed: int  # units in the cycle
    pre_price: Fen  # pre-VBP weighted average price per unit (fen)
    grade: str = ""  # the hospital's assessment grade, when assessed


@dataclass(frozen=True, slots=True)
class Round:
    """One procurement round for one generic name (通用名) in one region."""

    name: str
    generic: str
    document: str
    region: str
    start: date
    end: date
    transition_years: int
    winners: tuple[Product, ...]
    non_selected: tuple[Product, ...]
    volumes: tuple[Volume, ...]
    fund: Fund
    fund_ratio: Decimal  # actual pooled-fund payment ratio
    insured_share: Decimal  # insured patients' share of use
    grades: Mapping[str, Decimal]  # assessment grade → retention ratio
    prepayment_ratio: Decimal | None = None  # share of the agreed amount prepaid (预付)

    @property
    def winning_price(self) -> Fen:
        return max(p.price for p in self.winners)

    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in (*self.winners, *self.non_selected))


def target_standard(price: Fen, winning: Fen) -> Fen:
    """The non-selected product's final payment standard (bjsjp.cn [T]).

    >>> target_standard(1_300_000, 70_000)  # a 13,000-yuan stent vs a 700-yuan winner
    910000
    >>> target_standard(100_000, 70_000)  # below 2×: the winning price
    70000
    """
    if price >= NON_SELECTED_MULTIPLE * winning:
        return int(round_at(Stage.VBP_STANDARD, price * (1 - NON_SELECTED_CUT), 1))
    return winning


def _year_on(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def standard_changes(r: Round) -> tuple[CatalogueChange, ...]:
    """The dated catalogue changes of the round: winners at once, non-selected in steps."""
    doc = f"{r.name} ({r.document})"
    out = [
        CatalogueChange(r.region, r.start, Action.REPRICE, p.code, doc, p.price) for p in r.winners
    ]
    n = r.transition_years
    for p in r.non_selected:
        target = target_standard(p.price, r.winning_price)
        for k in range(1, n + 1):
            standard = p.price - int(round_at(Stage.VBP_STANDARD, (p.price - target) * k, n))
            out.append(
                CatalogueChange(
                    r.region,
                    _year_on(r.start, k - 1),
                    Action.REPRICE,
                    p.code,
                    f"{doc} step {k}/{n}",
                    standard,
                )
            )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class UsedLine:
    """A settled claim line as the monitoring needs it."""

    provider_id: str
    day: date
    code: str
    quantity: int
    amount: Fen


@dataclass(frozen=True, slots=True)
class Completion:
    """A hospital's use of the round's products in the cycle (约定采购量完成情况)."""

    provider_id: str
    agreed: int
    selected: int  # units of selected products
    non_selected: int
    amount: Fen  # Σ line amounts of the round's products (actual prices)

    @property
    def ratio(self) -> Decimal:
        """Completion of the agreed volume, to 4 places."""
        if self.agreed == 0:
            return Decimal(0)
        return (Decimal(self.selected) / Decimal(self.agreed)).quantize(Decimal("0.0001"))

    @property
    def met(self) -> bool:
        return self.selected >= self.agreed


def completion(r: Round, lines: Iterable[UsedLine]) -> tuple[Completion, ...]:
    """Each hospital with an agreed volume: its use of the round's products in the cycle."""
    winners = {p.code for p in r.winners}
    others = {p.code for p in r.non_selected}
    sel: dict[str, int] = {}
    non: dict[str, int] = {}
    amt: dict[str, Fen] = {}
    for ln in lines:
        if not r.start <= ln.day <= r.end or ln.code not in winners | others:
            continue
        side = sel if ln.code in winners else non
        side[ln.provider_id] = side.get(ln.provider_id, 0) + ln.quantity
        amt[ln.provider_id] = amt.get(ln.provider_id, 0) + ln.amount
    return tuple(
        Completion(
            v.provider_id,
            v.agreed,
            sel.get(v.provider_id, 0),
            non.get(v.provider_id, 0),
            amt.get(v.provider_id, 0),
        )
        for v in r.volumes
    )


@dataclass(frozen=True, slots=True)
class Savings:
    """A hospital's retained savings (结余留用) for the round's cycle."""

    provider_id: str
    budget: Fen
    actual: Fen
    base: Fen
    retention: Decimal
    retained: Fen
    reason: str


def retained_savings(r: Round, done: Iterable[Completion]) -> tuple[Savings, ...]:
    """The savings formula of §2.5 per hospital, with why a hospital keeps nothing."""
    volumes = {v.provider_id: v for v in r.volumes}
    out: list[Savings] = []
    for c in done:
        v = volumes[c.provider_id]
        budget = int(
            round_at(
                Stage.VBP_SAVINGS,
                Decimal(v.agreed * v.pre_price) * r.fund_ratio * r.insured_share,
                1,
            )
        )
        actual = int(round_at(Stage.VBP_SAVINGS, Decimal(c.amount) * r.fund_ratio, 1))
        base = budget - actual
        retention = r.grades.get(v.grade, Decimal(0)) if v.grade else Decimal(0)
        reason = ""
        if not c.met:
            reason = f"agreed volume not met ({c.selected} of {c.agreed} units)"
        elif not v.grade:
            reason = "not assessed (no grade)"
        elif base <= 0:
            reason = "no savings (actual ≥ budget)"
        retained = 0 if reason else int(round_at(Stage.VBP_SAVINGS, Decimal(base) * retention, 1))
        out.append(Savings(c.provider_id, budget, actual, base, retention, retained, reason))
    return tuple(out)


def savings_journals(r: Round, savings: Iterable[Savings], run_id: str) -> list[Journal]:
    """One journal per hospital that keeps savings: Dr expenditure ``vbp_retained``, Cr the
    hospital's payable (paid with the settlements owed to it)."""
    out: list[Journal] = []
    for s in savings:
        if not s.retained:
            continue
        out.append(
            journal(
                f"{run_id}-vbp-{s.provider_id}",
                r.end,
                "vbp_retained",
                run_id,
                f"retained savings (结余留用) of {r.name}: {s.retention} of {s.base} fen",
                (
                    (
                        Account(r.region, r.fund, Kind.EXPENDITURE, "vbp_retained", s.provider_id),
                        s.retained,
                    ),
                    (provider_payable(r.region, r.fund, s.provider_id), -s.retained),
                ),
            )
        )
    return out


def prepayment(r: Round, v: Volume) -> Fen:
    """The prepayment to a hospital: its agreed amount (volume × winning price) × the ratio."""
    ratio_ = r.prepayment_ratio or Decimal(0)
    return int(round_at(Stage.VBP_SAVINGS, Decimal(v.agreed * r.winning_price) * ratio_, 1))


def prepayment_journals(r: Round, run_id: str) -> list[Journal]:
    """Per hospital, the prepayment at the cycle's start (Dr receivable ``vbp_prepaid``, Cr
    bank) and its offset against what the fund owes the hospital at the cycle's end (Dr the
    hospital's payable, Cr receivable ``vbp_prepaid``), as in Hainan's deduction from the
    monthly payment (policy-facts-2.md §2.6)."""
    out: list[Journal] = []
    for v in r.volumes:
        amount = prepayment(r, v)
        if not amount:
            continue
        prepaid = Account(r.region, r.fund, Kind.RECEIVABLE, "vbp_prepaid", v.provider_id)
        bank = Account(r.region, r.fund, Kind.BANK)
        payable = provider_payable(r.region, r.fund, v.provider_id)
        memo = f"{r.name}: {r.prepayment_ratio} of the agreed amount"
        out.append(
            journal(f"{run_id}-prepay-{v.provider_id}", r.start, "vbp_prepayment", run_id,
                    f"prepayment (预付) {memo}", ((prepaid, amount), (bank, -amount)))
        )  # fmt: skip
        out.append(
            journal(f"{run_id}-offset-{v.provider_id}", r.end, "vbp_prepayment_offset", run_id,
                    f"prepayment offset (冲抵) {memo}", ((payable, amount), (prepaid, -amount)))
        )  # fmt: skip
    return out


ROUND_KEYS = frozenset(
    {
        "name",
        "generic",
        "document",
        "region",
        "cycle",
        "transition_years",
        "winners",
        "non_selected",
        "volumes",
        "savings",
        "synthetic",
        "prepayment_ratio",
    }
)


class _M:
    """A mapping from YAML with the label naming it in errors."""

    def __init__(self, data: object, where: str, allowed: frozenset[str]) -> None:
        if not isinstance(data, Mapping):
            raise InputError(f"{where}: expected a mapping")
        unknown = sorted(str(k) for k in data if k not in allowed)
        if unknown:
            raise InputError(
                f"{where}.{unknown[0]}: unknown key; allowed: {', '.join(sorted(allowed))}"
            )
        self.data, self.where = data, where

    def at(self, key: str) -> str:
        return f"{self.where}.{key}"

    def get(self, key: str) -> object:
        if key not in self.data or self.data[key] is None:
            raise InputError(f"{self.at(key)}: missing (required)")
        return self.data[key]

    def text(self, key: str) -> str:
        value = str(self.get(key)).strip()
        if not value:
            raise InputError(f"{self.at(key)}: must not be empty")
        return value

    def day(self, key: str) -> date:
        value = self.get(key)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise InputError(f"{self.at(key)}: {value!r} is not a date YYYY-MM-DD") from None

    def fen(self, key: str) -> Fen:
        try:
            value = yuan_to_fen(str(self.get(key)))
        except MoneyError as e:
            raise InputError(f"{self.at(key)}: {e}") from None
        if value <= 0:
            raise InputError(f"{self.at(key)}: must be more than 0")
        return value

    def ratio(self, key: str) -> Decimal:
        try:
            value = ratio(str(self.get(key)))
        except MoneyError as e:
            raise InputError(f"{self.at(key)}: {e}") from None
        if not Decimal(0) <= value <= Decimal(1):
            raise InputError(f"{self.at(key)}: ratio must be between 0 and 1")
        return value

    def count(self, key: str) -> int:
        value = self.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InputError(f"{self.at(key)}: {value!r} is not a whole number ≥ 0")
        return value

    def rows(self, key: str, allowed: frozenset[str]) -> list[_M]:
        value = self.get(key)
        if not isinstance(value, list) or not value:
            raise InputError(f"{self.at(key)}: expected a non-empty list")
        return [_M(v, f"{self.at(key)}[{i}]", allowed) for i, v in enumerate(value, 1)]


def _products(m: _M, key: str) -> tuple[Product, ...]:
    return tuple(
        Product(p.text("code"), p.fen("price")) for p in m.rows(key, frozenset({"code", "price"}))
    )


def read_round(data: object, where: str) -> Round:
    """A procurement round from YAML data; one-line errors name ``where`` and the row."""
    m = _M(data, where, ROUND_KEYS)
    cycle = _M(m.get("cycle"), m.at("cycle"), frozenset({"start", "end"}))
    start, end = cycle.day("start"), cycle.day("end")
    if end < start:
        raise InputError(f"{cycle.at('end')}: {end} is before the start {start}")
    years = m.count("transition_years")
    if years not in TRANSITION_YEARS:
        raise InputError(
            f"{m.at('transition_years')}: {years}; the facts give 2 to 3 years (bjsjp.cn)"
        )
    s = _M(
        m.get("savings"),
        m.at("savings"),
        frozenset({"fund", "fund_ratio", "insured_share", "grades"}),
    )
    try:
        fund = Fund(s.text("fund"))
    except ValueError:
        raise InputError(
            f"{s.at('fund')}: {s.data.get('fund')!r} is not one of {'|'.join(f.value for f in Fund)}"
        ) from None
    raw_grades = s.get("grades")
    if not isinstance(raw_grades, Mapping):
        raise InputError(f"{s.at('grades')}: expected a mapping grade: retention ratio")
    g = _M(raw_grades, s.at("grades"), frozenset(str(k) for k in raw_grades))
    grades = {str(k): g.ratio(str(k)) for k in g.data}
    for k, kept in grades.items():
        if kept > MAX_RETENTION:
            raise InputError(
                f"{g.at(k)}: {kept} is above the 50 % retention limit (医保发〔2020〕26号)"
            )
    volume_keys = frozenset({"provider", "agreed", "pre_price", "grade"})
    volumes = []
    for v in m.rows("volumes", volume_keys):
        grade = str(v.data.get("grade") or "")
        if grade and grade not in grades:
            raise InputError(f"{v.at('grade')}: {grade!r} is not a grade of savings.grades")
        volumes.append(Volume(v.text("provider"), v.count("agreed"), v.fen("pre_price"), grade))
    ids = [v.provider_id for v in volumes]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{m.at('volumes')}: provider {dup[0]!r} is given twice")
    winners = _products(m, "winners")
    non_selected = _products(m, "non_selected") if m.data.get("non_selected") else ()
    codes = [p.code for p in (*winners, *non_selected)]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise InputError(f"{m.at('winners')}: product {twice[0]!r} is given twice")
    prepay: Decimal | None = None
    if m.data.get("prepayment_ratio") is not None:
        prepay = m.ratio("prepayment_ratio")
        if prepay < MIN_PREPAYMENT:
            raise InputError(
                f"{m.at('prepayment_ratio')}: {prepay} is below the 30 % floor of the agreed amount"
            )
    return Round(
        m.text("name"),
        m.text("generic"),
        m.text("document"),
        m.text("region"),
        start,
        end,
        years,
        winners,
        non_selected,
        tuple(volumes),
        fund,
        s.ratio("fund_ratio"),
        s.ratio("insured_share"),
        grades,
        prepay,
    )


LINE_COLUMNS: Final = ("provider_id", "day", "code", "quantity", "amount")
"""The columns of a settled-lines CSV for monitoring (amount in yuan)."""


def parse_lines(text: str, source: str) -> tuple[UsedLine, ...]:
    """Settled claim lines from CSV text; one-line errors name ``source``, row and column."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in LINE_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(f"{source}: header misses column(s) {', '.join(missing)}")
    out: list[UsedLine] = []
    for row in reader:
        at = f"{source}: row {reader.line_num}"

        def cell(col: str, row: dict[str, str] = row, at: str = at) -> str:
            value = (row.get(col) or "").strip()
            if not value:
                raise InputError(f"{at}, column {col!r}: must not be empty")
            return value

        try:
            day = date.fromisoformat(cell("day"))
        except ValueError:
            raise InputError(f"{at}, column 'day', value {row['day']!r}: not a date") from None
        qty = cell("quantity")
        if not qty.isdigit():
            raise InputError(f"{at}, column 'quantity', value {qty!r}: a whole number ≥ 0")
        try:
            amount = yuan_to_fen(cell("amount"))
        except MoneyError as e:
            raise InputError(f"{at}, column 'amount', value {row['amount']!r}: {e}") from None
        out.append(UsedLine(cell("provider_id"), day, cell("code"), int(qty), amount))
    return tuple(out)

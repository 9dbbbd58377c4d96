"""The reimbursement catalogue (医保目录): drugs, service items and consumables.

A catalogue maps an item code to its class (甲类 / 乙类 / 丙类), its own class-B pre-self-pay
ratio (乙类先行自付比例), its payment standard or price cap (支付标准 / 最高限价) and the
restrictions under which it is covered (限性别 / 限年龄 / 限住院, 限定支付范围). Class C items
are outside the catalogue and fully self-paid (policy-facts.md §3.2).

The CSV form is read strictly: every error names the file, the row (physical line), the
column and the value at fault.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final, TypeVar

from yibao.errors import InputError
from yibao.money import MoneyError, ratio, yuan_to_fen
from yibao.policy.restriction import MAX_AGE, MIN_AGE, SEX, VISIT, restriction, visits_key
from yibao.types import ItemClass, ItemKind, Sex, VisitType

COLUMNS: Final = (
    "code",
    "name",
    "kind",
    "class",
    "preself_ratio",
    "price_cap",
    "sex",
    "min_age",
    "max_age",
    "visit_types",
    "fund_ratio",
    "synthetic",
)
_BOOLS: Final = {"true": True, "false": False}
_SEX_NAMES: Final = {Sex.MALE: "male", Sex.FEMALE: "female"}
_E = TypeVar("_E", ItemKind, ItemClass, Sex)


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """One catalogue entry (目录项目): a drug, a service item or a consumable."""

    code: str
    name: str
    kind: ItemKind
    item_class: ItemClass
    preself_ratio: Decimal | None  # own pre-self-pay ratio; None → class-B default, 0 for A
    price_cap: int | None  # payment standard per unit in fen; the excess is over-limit self-pay
    sex: Sex | None  # covered only for this sex
    min_age: int | None  # covered only from this age in years (inclusive)
    max_age: int | None  # covered only up to this age in years (inclusive)
    visit_types: frozenset[VisitType] | None  # covered only for these visit types
    fund_ratio: Decimal | None  # fund pays this ratio outside the segment schedule (rare)
    synthetic: bool  # made up for demos and tests, not a real catalogue entry

    def covered_for(self, sex: Sex, age: int, visit: VisitType) -> str | None:
        """None when the restrictions allow the item, else the reason naming the restriction
        (:func:`yibao.policy.restriction.restriction`; ``age`` at admission).

        >>> item = CatalogueItem("X1", "x", ItemKind.DRUG, ItemClass.A, None, None,
        ...                      Sex.FEMALE, None, None, None, None, True)
        >>> item.covered_for(Sex.MALE, 30, VisitType.INPATIENT)
        "item X1 is restricted to sex 2 (female) (限性别), the person's sex is 1"
        """
        broken = restriction(
            None if self.sex is None else str(self.sex),
            self.min_age,
            self.max_age,
            visits_key(self.visit_types),
            str(sex),
            age,
            str(visit),
        )
        if broken == SEX:
            assert self.sex is not None
            return (
                f"item {self.code} is restricted to sex {self.sex.value} "
                f"({_SEX_NAMES[self.sex]}) (限性别), the person's sex is {sex.value}"
            )
        if broken == MIN_AGE:
            return f"item {self.code} is restricted to age ≥ {self.min_age} (限年龄), age is {age}"
        if broken == MAX_AGE:
            return f"item {self.code} is restricted to age ≤ {self.max_age} (限年龄), age is {age}"
        if broken == VISIT:
            allowed = "|".join(sorted(v.value for v in self.visit_types or ()))
            return (
                f"item {self.code} is restricted to visit types {allowed} (限就诊类别), "
                f"the visit is {visit.value}"
            )
        return None


@dataclass(frozen=True)
class Catalogue:
    """A region's catalogue: items by code, with where it came from."""

    region: str
    name: str
    source: str
    items: Mapping[str, CatalogueItem]

    def item(self, code: str) -> CatalogueItem:
        """The item with this code; an unknown code is an :class:`InputError`."""
        try:
            return self.items[code]
        except KeyError:
            raise InputError(f"unknown catalogue code {code!r} in catalogue {self.name}") from None

    def __len__(self) -> int:
        return len(self.items)


class _Row:
    """One CSV record with the context needed to name an error."""

    def __init__(self, source: str, line: int, cells: Mapping[str, str]) -> None:
        self.source = source
        self.line = line
        self.cells = cells

    def fail(self, column: str, problem: str) -> InputError:
        value = self.cells.get(column, "")
        return InputError(
            f"{self.source}: row {self.line}, column {column!r}, value {value!r}: {problem}"
        )

    def text(self, column: str) -> str:
        return self.cells[column].strip()

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            raise self.fail(column, "must not be empty")
        return value


def _enum(row: _Row, column: str, enum: type[_E]) -> _E:
    value = row.required(column)
    try:
        return enum(value)
    except ValueError:
        allowed = "|".join(m.value for m in enum)
        raise row.fail(column, f"must be one of {allowed}") from None


def _ratio(row: _Row, column: str) -> Decimal | None:
    value = row.text(column)
    if not value:
        return None
    try:
        r = ratio(value)
    except MoneyError as e:
        raise row.fail(column, str(e)) from None
    if not Decimal(0) <= r <= Decimal(1):
        raise row.fail(column, "ratio must be between 0 and 1")
    return r


def _money(row: _Row, column: str) -> int | None:
    value = row.text(column)
    if not value:
        return None
    try:
        fen = yuan_to_fen(value)
    except MoneyError as e:
        raise row.fail(column, str(e)) from None
    if fen < 0:
        raise row.fail(column, "amount must not be negative")
    return fen


def _age(row: _Row, column: str) -> int | None:
    value = row.text(column)
    if not value:
        return None
    if not value.isdigit() or int(value) > 150:
        raise row.fail(column, "age must be a whole number of years between 0 and 150")
    return int(value)


def _visit_types(row: _Row) -> frozenset[VisitType] | None:
    value = row.text("visit_types")
    if not value:
        return None
    try:
        return frozenset(VisitType(v.strip()) for v in value.split("|"))
    except ValueError:
        allowed = "|".join(v.value for v in VisitType)
        raise row.fail("visit_types", f"each visit type must be one of {allowed}") from None


def _bool(row: _Row, column: str) -> bool:
    value = row.required(column).lower()
    if value not in _BOOLS:
        raise row.fail(column, "must be true or false")
    return _BOOLS[value]


def _item(row: _Row) -> CatalogueItem:
    sex_text = row.text("sex")
    item = CatalogueItem(
        code=row.required("code"),
        name=row.required("name"),
        kind=_enum(row, "kind", ItemKind),
        item_class=_enum(row, "class", ItemClass),
        preself_ratio=_ratio(row, "preself_ratio"),
        price_cap=_money(row, "price_cap"),
        sex=_enum(row, "sex", Sex) if sex_text else None,
        min_age=_age(row, "min_age"),
        max_age=_age(row, "max_age"),
        visit_types=_visit_types(row),
        fund_ratio=_ratio(row, "fund_ratio"),
        synthetic=_bool(row, "synthetic"),
    )
    _check_consistent(row, item)
    return item


def _check_consistent(row: _Row, item: CatalogueItem) -> None:
    if item.min_age is not None and item.max_age is not None and item.min_age > item.max_age:
        raise row.fail("min_age", f"min_age is greater than max_age {item.max_age}")
    if item.item_class is ItemClass.C and item.preself_ratio is not None:
        raise row.fail("preself_ratio", "a class C item is all self-pay and takes no ratio")
    if item.item_class is ItemClass.C and item.fund_ratio is not None:
        raise row.fail("fund_ratio", "a class C item is all self-pay and takes no fund ratio")


def _records(lines: list[str], source: str) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Header line number, header and (line number, cells) of the data records.

    Lines starting with ``#`` before the header are comments.
    """
    first = 0
    while first < len(lines) and lines[first].lstrip().startswith("#"):
        first += 1
    reader = csv.reader(lines[first:])
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for cells in reader:
        line = first + reader.line_num
        if header is None:
            header = [c.strip() for c in cells]
            header_line = line
        elif cells and any(c.strip() for c in cells):
            records.append((line, cells))
    if header is None:
        raise InputError(f"{source}: no header row")
    return header_line, header, records


def _check_header(source: str, line: int, header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        raise InputError(f"{source}: row {line}: missing column(s) {', '.join(missing)}")
    if unknown:
        raise InputError(f"{source}: row {line}: unknown column(s) {', '.join(unknown)}")
    if duplicated:
        raise InputError(f"{source}: row {line}: duplicate column(s) {', '.join(duplicated)}")


def parse_catalogue_csv(text: str, source: str, national: bool = False) -> dict[str, CatalogueItem]:
    """Items of a catalogue CSV text, strictly checked; ``source`` names it in errors.

    ``national``: real (non-synthetic) drug and consumable codes must have the national
    code structure (:func:`national_code_problem`)."""
    header_line, header, records = _records(text.splitlines(), source)
    _check_header(source, header_line, header)
    items: dict[str, CatalogueItem] = {}
    first_seen: dict[str, int] = {}
    for line, cells in records:
        if len(cells) != len(header):
            raise InputError(
                f"{source}: row {line}: has {len(cells)} cells, the header has {len(header)}"
            )
        row = _Row(source, line, dict(zip(header, cells, strict=True)))
        item = _item(row)
        problem = national_code_problem(item.kind, item.code) if national else None
        if problem and not item.synthetic:
            raise row.fail("code", problem)
        if item.code in items:
            raise row.fail("code", f"duplicate code, first seen in row {first_seen[item.code]}")
        items[item.code] = item
        first_seen[item.code] = line
    return items


def load_catalogue_csv(path: Path, region: str, name: str | None = None) -> Catalogue:
    """Read a catalogue CSV strictly (columns: see :data:`COLUMNS`; price_cap in yuan)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"{path}: cannot read catalogue: {e.strerror}") from None
    items = parse_catalogue_csv(text, str(path))
    return Catalogue(region, name or path.stem, str(path), MappingProxyType(items))


# Structure of the national codes (国家医保编码), policy-facts-2.md §9 "Codes": drugs X.. (23
# characters, western medicines) or Z.. (20, Chinese patent medicines); consumables C.. (20,
# or 27 with the serial part). Service-item codes have no documented length here, so they are
# not checked. Lengths are data, to change when a later edition changes them.
NATIONAL_CODES: Final[dict[ItemKind, dict[str, tuple[int, ...]]]] = {
    ItemKind.DRUG: {"X": (23,), "Z": (20,)},
    ItemKind.CONSUMABLE: {"C": (20, 27)},
}


def national_code_problem(kind: ItemKind, code: str) -> str | None:
    """Why ``code`` is not a national code of ``kind``, or None.

    >>> national_code_problem(ItemKind.DRUG, "X" + "A" * 22) is None
    True
    >>> national_code_problem(ItemKind.CONSUMABLE, "C123")
    'a national consumable code is C + 19 or 26 characters, got 4 characters'
    """
    formats = NATIONAL_CODES.get(kind)
    if formats is None:
        return None
    lengths = formats.get(code[:1])
    if lengths is None:
        return f"a national {kind.value} code starts with {' or '.join(formats)}"
    if not code.isascii() or not code.isalnum():
        return f"a national {kind.value} code has letters and digits only"
    if len(code) not in lengths:
        rest = " or ".join(str(n - 1) for n in lengths)
        return f"a national {kind.value} code is {code[0]} + {rest} characters, got {len(code)} characters"
    return None


@cache
def demo_catalogue() -> Catalogue:
    """The shipped synthetic demo catalogue (``catalogues/demo.csv``), loaded once."""
    resource = resources.files("yibao.policy.catalogues").joinpath("demo.csv")
    source = "yibao.policy.catalogues/demo.csv"
    items = parse_catalogue_csv(resource.read_text(encoding="utf-8"), source)
    return Catalogue("990000", "demo", source, MappingProxyType(items))


def item_from_cells(source: str, line: int, cells: Mapping[str, str]) -> CatalogueItem:
    """One catalogue item from the cells of a row (the CSV columns), checked as the CSV is;
    errors name ``source``, ``line``, the column and the value."""
    full = {c: cells.get(c, "") for c in COLUMNS}
    return _item(_Row(source, line, full))

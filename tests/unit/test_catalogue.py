"""The catalogue loader is strict and names row, column and value; restrictions are checked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.policy.catalogue import COLUMNS, CatalogueItem, demo_catalogue, load_catalogue_csv
from yibao.types import ItemClass, ItemKind, Sex, VisitType

HEADER = ",".join(COLUMNS)
GOOD = [
    "XD1,阿莫西林胶囊,drug,A,,,,,,,,true",
    "XD2,头孢哌酮舒巴坦,drug,B,0.1,35.00,,,,inpatient|outpatient_general,,true",
    "XC1,人工髋关节,consumable,B,0.5,7200,,,,inpatient,,false",
    "XS1,剖宫产术,service,A,,,2,14,55,inpatient,,true",
    "XD3,进口维生素,drug,C,,,,,,,,true",
    "XC2,人工耳蜗,consumable,B,,80000,,,,,0.5,true",
]


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "cat.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_loads_every_field(tmp_path: Path) -> None:
    cat = load_catalogue_csv(write(tmp_path, GOOD), region="990100")
    assert cat.name == "cat" and cat.region == "990100" and len(cat) == 6
    b = cat.item("XD2")
    assert b.item_class is ItemClass.B and b.kind is ItemKind.DRUG
    assert b.preself_ratio == Decimal("0.1") and b.price_cap == 3500
    assert b.visit_types == frozenset({VisitType.INPATIENT, VisitType.OUTPATIENT_GENERAL})
    cs = cat.item("XS1")
    assert (cs.sex, cs.min_age, cs.max_age) == (Sex.FEMALE, 14, 55)
    assert cat.item("XD1").preself_ratio is None and cat.item("XD1").price_cap is None
    assert cat.item("XC2").fund_ratio == Decimal("0.5")
    assert cat.item("XC1").synthetic is False


def test_comment_lines_before_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"# synthetic\n# codes are made up\n{HEADER}\n{GOOD[0]}\n", encoding="utf-8")
    assert list(load_catalogue_csv(path, "x").items) == ["XD1"]


def test_unknown_code_names_code_and_catalogue(tmp_path: Path) -> None:
    cat = load_catalogue_csv(write(tmp_path, GOOD), region="x", name="mine")
    with pytest.raises(InputError, match=r"unknown catalogue code 'NOPE' in catalogue mine"):
        cat.item("NOPE")


BAD_CELLS = [
    # (row text, column, value, problem fragment)
    ("XD9,x,drug,D,,,,,,,,true", "class", "D", "must be one of A|B|C"),
    ("XD9,x,pill,A,,,,,,,,true", "kind", "pill", "must be one of"),
    ("XD9,x,drug,B,1.5,,,,,,,true", "preself_ratio", "1.5", "between 0 and 1"),
    ("XD9,x,drug,B,-0.1,,,,,,,true", "preself_ratio", "-0.1", "between 0 and 1"),
    ("XD9,x,drug,B,0.12345,,,,,,,true", "preself_ratio", "0.12345", "four decimal"),
    ("XD9,x,drug,B,abc,,,,,,,true", "preself_ratio", "abc", "not a number"),
    ("XD9,x,drug,A,,-3,,,,,,true", "price_cap", "-3", "negative"),
    ("XD9,x,drug,A,,12.345,,,,,,true", "price_cap", "12.345", "two decimal"),
    ("XD9,x,drug,A,,ten,,,,,,true", "price_cap", "ten", "not a number"),
    ("XD9,x,drug,A,,,,60,18,,,true", "min_age", "60", "greater than max_age"),
    ("XD9,x,drug,A,,,,-1,,,,true", "min_age", "-1", "whole number"),
    ("XD9,x,drug,C,0.1,,,,,,,true", "preself_ratio", "0.1", "class C"),
    ("XD9,x,drug,C,,,,,,,0.5,true", "fund_ratio", "0.5", "class C"),
    ("XD9,x,drug,A,,,3,,,,,true", "sex", "3", "must be one of 1|2"),
    ("XD9,x,drug,A,,,,,,clinic,,true", "visit_types", "clinic", "visit type"),
    ("XD9,x,drug,A,,,,,,,,maybe", "synthetic", "maybe", "true or false"),
    (",x,drug,A,,,,,,,,true", "code", "", "must not be empty"),
    ("XD1,again,drug,A,,,,,,,,true", "code", "XD1", "duplicate code, first seen in row 2"),
]


@pytest.mark.parametrize(("row", "column", "value", "problem"), BAD_CELLS)
def test_bad_cell_names_file_row_column_value(
    tmp_path: Path, row: str, column: str, value: str, problem: str
) -> None:
    path = write(tmp_path, [GOOD[0], row])
    with pytest.raises(InputError) as err:
        load_catalogue_csv(path, "x")
    message = str(err.value)
    assert str(path) in message
    assert "row 3" in message
    assert f"column {column!r}" in message
    assert f"value {value!r}" in message
    assert problem in message


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (HEADER.replace(",synthetic", ""), "missing column(s) synthetic"),
        (HEADER + ",colour", "unknown column(s) colour"),
        (HEADER.replace("name", "code"), "missing column(s) name"),
    ],
)
def test_bad_header(tmp_path: Path, header: str, fragment: str) -> None:
    with pytest.raises(InputError, match="row 1") as err:
        load_catalogue_csv(write(tmp_path, [], header=header), "x")
    assert fragment in str(err.value)


def test_row_with_wrong_cell_count(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"row 2: has 3 cells"):
        load_catalogue_csv(write(tmp_path, ["a,b,c"]), "x")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read catalogue"):
        load_catalogue_csv(tmp_path / "none.csv", "x")


def item(**kw: object) -> CatalogueItem:
    base: dict[str, object] = dict(
        code="X", name="x", kind=ItemKind.DRUG, item_class=ItemClass.A, preself_ratio=None,
        price_cap=None, sex=None, min_age=None, max_age=None, visit_types=None,
        fund_ratio=None, synthetic=True,
    )  # fmt: skip
    base.update(kw)
    return CatalogueItem(**base)  # type: ignore[arg-type]


def test_unrestricted_item_is_covered_for_anyone() -> None:
    assert item().covered_for(Sex.MALE, 0, VisitType.PHARMACY) is None


def test_sex_restriction() -> None:
    prostate = item(code="XD124", sex=Sex.MALE)
    assert prostate.covered_for(Sex.MALE, 60, VisitType.INPATIENT) is None
    reason = prostate.covered_for(Sex.FEMALE, 60, VisitType.INPATIENT)
    assert reason is not None and "XD124" in reason and "sex 1" in reason and "限性别" in reason


def test_age_restriction_is_inclusive() -> None:
    child = item(max_age=17)
    assert child.covered_for(Sex.FEMALE, 17, VisitType.OUTPATIENT_GENERAL) is None
    reason = child.covered_for(Sex.FEMALE, 18, VisitType.OUTPATIENT_GENERAL)
    assert reason is not None and "age ≤ 17" in reason
    older = item(min_age=40)
    assert older.covered_for(Sex.MALE, 40, VisitType.PHARMACY) is None
    assert "age ≥ 40" in str(older.covered_for(Sex.MALE, 39, VisitType.PHARMACY))


def test_visit_restriction() -> None:
    inpatient_only = item(visit_types=frozenset({VisitType.INPATIENT}))
    assert inpatient_only.covered_for(Sex.MALE, 50, VisitType.INPATIENT) is None
    reason = inpatient_only.covered_for(Sex.MALE, 50, VisitType.PHARMACY)
    assert reason is not None and "inpatient" in reason and "pharmacy" in reason


def test_demo_catalogue_is_synthetic_and_rich() -> None:
    cat = demo_catalogue()
    assert cat is demo_catalogue()  # cached
    assert 150 <= len(cat) <= 300
    assert all(i.synthetic for i in cat.items.values())
    assert all(code[:2] in {"XD", "XS", "XC"} for code in cat.items)
    items = list(cat.items.values())
    kinds = {i.kind for i in items}
    assert kinds == set(ItemKind)
    assert {i.item_class for i in items} == set(ItemClass)
    own_b = [i for i in items if i.item_class is ItemClass.B and i.preself_ratio is not None]
    assert own_b and any(i.item_class is ItemClass.B and i.preself_ratio is None for i in items)
    implants = [i for i in items if i.kind is ItemKind.CONSUMABLE and i.preself_ratio == Decimal(
        "0.5")]  # fmt: skip
    assert len(implants) >= 5 and all(i.price_cap is not None for i in implants)
    special_exams = [i for i in items if i.kind is ItemKind.SERVICE and i.preself_ratio in (
        Decimal("0.2"), Decimal("0.3"))]  # fmt: skip
    assert len(special_exams) >= 5
    assert any(i.sex is Sex.FEMALE for i in items) and any(i.sex is Sex.MALE for i in items)
    assert any(i.max_age is not None and i.max_age < 18 for i in items)
    assert any(i.visit_types == frozenset({VisitType.INPATIENT}) for i in items)
    assert any(i.fund_ratio is not None for i in items)

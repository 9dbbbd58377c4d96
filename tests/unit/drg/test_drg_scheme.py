"""Loading a DRG scheme: shipped by name, or a regional variant as a directory of tables."""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.payment.drg import DrgCase, Status, group, load_scheme, scheme_names
from yibao.payment.drg.scheme import Entry, Rule, Split


def shipped_dir() -> Path:
    return Path(str(resources.files("yibao.payment.drg") / "schemes" / "chs-drg-1.1"))


def test_shipped_scheme_has_the_published_sizes() -> None:
    s = load_scheme("chs-drg-1.1")
    assert "chs-drg-1.1" in scheme_names()
    assert len(s.mdcs) == 26
    assert len(s.adrg_by_code) == 376
    assert len(s.drg_names) == 628
    assert [m.code for m in s.mdcs[:4]] == ["MDCA", "MDCP", "MDCY", "MDCZ"]


def test_scheme_is_built_once() -> None:
    assert load_scheme("chs-drg-1.1") is load_scheme("chs-drg-1.1")


def test_lookups_are_immutable() -> None:
    s = load_scheme()
    assert isinstance(s.valid_procedures, frozenset)
    with pytest.raises(AttributeError):
        s.name = "other"  # type: ignore[misc]


def test_mdc_entry_rules_and_gates() -> None:
    mdcs = {m.code: m for m in load_scheme().mdcs}
    assert mdcs["MDCA"].entry is Entry.MAIN_PROC_VALID
    assert mdcs["MDCZ"].entry is Entry.MAIN_DX_TRAUMA
    assert (mdcs["MDCM"].sex, mdcs["MDCN"].sex, mdcs["MDCB"].sex) == (1, 2, None)
    assert mdcs["MDCP"].age_years == 0


def test_procedure_table_formulas_are_read_from_rule_text() -> None:
    adrgs = load_scheme().adrg_by_code
    assert adrgs["JA1"].proc_formula_labels == (("1", "2"), ("1", "3", "4"))
    assert adrgs["JA2"].proc_formula_labels == (("1",), ("2", "3"))
    assert adrgs["NA1"].proc_formula_labels == (("1",), ("2", "3"))
    assert adrgs["FB1"].proc_formula_labels == (("1", "2"),)
    assert adrgs["FB1"].rule is Rule.TWO_PROC_LISTS


def test_drgs_are_in_order_with_their_split() -> None:
    drgs = load_scheme().adrg_by_code["BR2"].drgs
    assert [(d.code, d.split) for d in drgs] == [
        ("BR21", Split.MCC),
        ("BR23", Split.MCC_OR_CC),
        ("BR25", Split.NONE),
    ]


def test_unknown_scheme_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"unknown DRG scheme 'chs-drg-9\.9'"):
        load_scheme("chs-drg-9.9")


def _edit(path: Path, key: str, value: str, column: str, new: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or ())
        rows = list(reader)
    for r in rows:
        if r[key] == value:
            r[column] = new
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_regional_variant_is_data_only(tmp_path: Path) -> None:
    # A region moving the PS1/PS2 boundary to 1000 g needs new tables, not new code.
    region = tmp_path / "chs-drg-1.1-region"
    shutil.copytree(shipped_dir(), region)
    _edit(region / "adrg.csv", "adrg_code", "PS1", "weight_max_g", "1000")
    _edit(region / "adrg.csv", "adrg_code", "PS2", "weight_min_g", "1000")
    newborn = DrgCase("n", 1, 0, 5, 1200, 3, "1", "P07.300")
    assert group(newborn, "chs-drg-1.1").adrg == "PS1"
    regional = load_scheme(str(region))
    assert regional.name == "chs-drg-1.1-region"
    assert group(newborn, regional).adrg == "PS2"


def test_bad_scheme_table_is_an_input_error(tmp_path: Path) -> None:
    region = tmp_path / "broken"
    shutil.copytree(shipped_dir(), region)
    _edit(region / "adrg.csv", "adrg_code", "BR2", "rule_code", "MAIN_DX_OR_WHATEVER")
    with pytest.raises(InputError, match="unknown rule_code 'MAIN_DX_OR_WHATEVER'"):
        load_scheme(str(region))


def test_names_are_optional(tmp_path: Path) -> None:
    region = tmp_path / "no-names"
    shutil.copytree(shipped_dir(), region)
    (region / "icd10_dx_names.csv").unlink()
    (region / "icd9cm3_proc_names.csv").unlink()
    s = load_scheme(str(region))
    result = group(DrgCase("x", 1, 60, None, None, 3, "1", "G45.000"), s, explain=True)
    assert (result.status, result.drg) == (Status.GROUPED, "BR25")

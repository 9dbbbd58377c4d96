"""Regional DRG schemes (Yantai 2023, Zhejiang 2022): the rules their READMEs state, as data.

Each case is built from a rule of the scheme's README (drg-regional/<scheme>/README.md) and
grouped under the scheme and under CHS-DRG 1.1, where the two must differ as the README says.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.payment.drg import DrgCase, Status, group, load_scheme, scheme_names
from yibao.payment.drg.scheme import Entry, Rule, Split


def case(main_dx: str = "G45.000", **fields: object) -> DrgCase:
    values: dict[str, object] = {
        "case_id": "c",
        "sex": 1,
        "age_years": 60,
        "age_days": None,
        "weight_g": None,
        "los_days": 5,
        "discharge_status": "1",
        "main_dx": main_dx,
    }
    values.update(fields)
    return DrgCase(**values)  # type: ignore[arg-type]


def test_regional_schemes_are_shipped_with_their_manifest_and_counts() -> None:
    assert {"yantai-2023", "zhejiang-2022"} <= set(scheme_names())
    yt, zj = load_scheme("yantai-2023"), load_scheme("zhejiang-2022")
    # README "Counts": Yantai 376 ADRGs + 19 QY rows, 628 DRGs + 19 QY; Zhejiang 376 / 1,006.
    assert (len(yt.adrg_by_code), len(yt.drg_names)) == (395, 647)
    assert (len(zj.adrg_by_code), len(zj.drg_names)) == (376, 1006)
    assert yt.title.startswith("烟台") and zj.title.startswith("浙江")
    # Names come from the national tables (manifest names_from).
    assert yt.dx_names["G45.000"] == load_scheme().dx_names["G45.000"]
    assert zj.retry_later_procedures and not yt.retry_later_procedures


def test_yantai_ambiguous_group_for_a_valid_procedure_unrelated_to_the_main_dx() -> None:
    # Yantai rule 1: a valid (OR) procedure no surgical ADRG of MDCB takes -> BQY, ADRG "QY".
    appendectomy = case(procedures=("47.0100",))
    result = group(appendectomy, "yantai-2023", explain=True)
    assert (result.mdc, result.adrg, result.drg, result.status) == (
        "MDCB",
        "QY",
        "BQY",
        Status.AMBIGUOUS,
    )
    assert "47.0100" in result.path[-1] and "歧义组" in result.path[-1]
    assert group(appendectomy).drg == "BR25"  # nationally the medical ADRG takes it


def test_yantai_mdcy_is_entered_on_a_secondary_hiv_diagnosis() -> None:
    # Yantai rule 2 and 4: any diagnosis in the MDCY list; YR1 on any diagnosis.
    with_hiv = case(other_dx=("B20.000x001",))
    result = group(with_hiv, "yantai-2023", explain=True)
    assert (result.mdc, result.adrg) == ("MDCY", "YR1")
    assert any("B20.000x001" in step and "any diagnosis enters" in step for step in result.path)
    assert group(with_hiv).mdc == "MDCB"
    mdcs = {m.code: m for m in load_scheme("yantai-2023").mdcs}
    assert mdcs["MDCY"].entry is Entry.ANY_DX


def test_yantai_ib1_is_one_adrg_with_two_clauses() -> None:
    ib1 = load_scheme("yantai-2023").adrg_by_code["IB1"]
    assert ib1.rule is Rule.MAIN_PROC_OR_MAIN_DX_AND_ANY_PROC
    assert ib1.main_proc is not None and len(ib1.main_proc) == 45  # list 2 of the README


def test_zhejiang_newborn_without_birth_weight_is_check_failed() -> None:
    # Zhejiang rule 4: PS1/PT1/PT2 test the main dx and need the birth weight.
    newborn = case("P05.001", age_years=0, age_days=3)
    result = group(newborn, "zhejiang-2022")
    assert result.status is Status.CHECK_FAILED
    assert "weight_g missing" in result.reason and "PS1" in result.reason
    weighed = group(case("P05.001", age_years=0, age_days=3, weight_g=2000), "zhejiang-2022")
    assert (weighed.adrg, weighed.drg) == ("PT1", "PT15")


def test_zhejiang_age_split_under_17() -> None:
    # Zhejiang rule 8: MC1 has an "under 17" DRG MC10 tried first.
    young = group(case("N40.x00", age_years=10, procedures=("38.5702",)), "zhejiang-2022")
    adult = group(case("N40.x00", age_years=40, procedures=("38.5702",)), "zhejiang-2022")
    assert (young.drg, adult.drg) == ("MC10", "MC15")
    mc10 = load_scheme("zhejiang-2022").adrg_by_code["MC1"].drgs[0]
    assert mc10.split is Split.AGE_UNDER_17 and mc10.condition is not None


def test_zhejiang_retries_an_ungroupable_case_with_its_later_procedure() -> None:
    # Zhejiang rule 1 + 10: an unrelated valid procedure listed first blocks both the
    # surgical and the medical ADRG; the retry groups the case by its second procedure.
    blocked = case(procedures=("47.0100", "89.0300"))
    result = group(blocked, "zhejiang-2022", explain=True)
    assert (result.status, result.drg) == (Status.GROUPED, "BR25")
    assert any("retry with procedure 2" in step for step in result.path)
    alone = group(case(procedures=("47.0100",)), "zhejiang-2022")
    assert alone.status is Status.UNGROUPABLE


def test_an_unknown_scheme_rule_is_a_one_line_error(tmp_path: Path) -> None:
    shipped = Path(str(resources.files("yibao.payment.drg") / "schemes" / "zhejiang-2022"))
    region = tmp_path / "zj-broken"
    shutil.copytree(shipped, region)
    (region / "scheme_rules.csv").write_text("rule,value,description\nRETRY_TWICE,Y,x\n")
    (region / "scheme.yaml").unlink()
    with pytest.raises(InputError, match=r"scheme_rules\.csv line 2: unknown rule 'RETRY_TWICE'"):
        load_scheme(str(region))


def test_a_bad_manifest_key_is_a_one_line_error(tmp_path: Path) -> None:
    shipped = Path(str(resources.files("yibao.payment.drg") / "schemes" / "yantai-2023"))
    region = tmp_path / "yt-broken"
    shutil.copytree(shipped, region)
    (region / "scheme.yaml").write_text("scheme: x\ncolour: red\n")
    with pytest.raises(InputError, match=r"scheme.yaml: unknown key\(s\) colour"):
        load_scheme(str(region))


def test_each_region_pays_drg_with_the_scheme_its_pack_names() -> None:
    from yibao.jobs.payment_year import region_drg_scheme

    assert region_drg_scheme("370600", 2024).name == "yantai-2023"  # Yantai pack
    assert region_drg_scheme("330200", 2024).name == "zhejiang-2022"  # Ningbo, from Zhejiang
    assert region_drg_scheme("610700", 2024).name == "chs-drg-1.1"  # Hanzhong: national
    assert region_drg_scheme("999999", 2024).name == "chs-drg-1.1"  # no pack: national

"""``yibao reform`` end to end: the shipped example reforms on a small synthetic province,
with directional results that could fail, the outputs, and bad reform files refused."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from cli_helpers import run

from yibao.synth import SynthConfig, generate_to_parquet

FUNDS = ("hifp_pay", "hifob_pay", "hifmi_pay", "maf_pay")

# A synthetic province of 2,000 persons rarely has a bill near a ceiling, so the fixture adds
# long intensive-care stays (XS0004, class A ICU bed-day, no price cap in the demo catalogue)
# at a level-3 hospital of the person's prefecture: three for a resident without assistance
# in demo-south (fund ceiling 150,000 yuan), one each for a dibao (低保) and a monitored (监测)
# resident, so that ceilings and critical illness are reached.
ICU_ITEM, ICU_DAY_FEN = "XS0004", 2_000_00


def _example(name: str) -> Path:
    with resources.as_file(resources.files("yibao.reform.examples") / f"{name}.yaml") as p:
        return Path(p)


def _pick(persons: pa.Table, region: str, category: str | None) -> str:
    rows = persons.filter(
        pc.and_(
            pc.equal(persons["scheme"], "resident"), pc.equal(persons["insured_region"], region)
        )
    ).to_pylist()
    return next(
        r["person_id"]
        for r in rows
        if r["assistance_category"] == category and r["enrolled_to"] is None
    )


def _add_stays(directory: Path) -> dict[str, str]:
    persons = pq.read_table(directory / "persons.parquet")
    providers = pq.read_table(directory / "providers.parquet").to_pylist()
    claims = pq.read_table(directory / "claims.parquet")
    lines = pq.read_table(directory / "claim_lines.parquet")
    template = claims.filter(pc.equal(claims["visit_type"], "inpatient")).slice(0, 1).to_pylist()[0]
    chosen = {
        "ceiling": _pick(persons, "990200", None),
        "dibao": _pick(persons, "990100", "dibao"),
        "monitored": _pick(persons, "990100", "monitored"),
    }
    stays = [("ceiling", date(2025, 2, 1), 60), ("ceiling", date(2025, 5, 1), 60),
             ("ceiling", date(2025, 9, 1), 60), ("dibao", date(2025, 8, 1), 40),
             ("monitored", date(2025, 8, 1), 40)]  # fmt: skip
    new_claims, new_lines = [], []
    for i, (who, admit, days) in enumerate(stays, start=1):
        person = chosen[who]
        region = persons.filter(pc.equal(persons["person_id"], person))["insured_region"][0].as_py()
        provider = next(
            p["provider_id"] for p in providers if p["region"] == region and p["level"] == "L3"
        )
        claim_id = f"CX{i:08d}"
        new_claims.append(template | {
            "claim_id": claim_id, "person_id": person, "provider_id": provider, "route": "local",
            "admit_date": admit, "discharge_date": admit + timedelta(days=days), "los_days": days,
        })  # fmt: skip
        new_lines.append({
            "claim_id": claim_id, "line_no": 1, "item_code": ICU_ITEM, "quantity": days,
            "unit_price_fen": ICU_DAY_FEN, "amount_fen": days * ICU_DAY_FEN,
        })  # fmt: skip
    all_claims = pa.concat_tables([claims, pa.Table.from_pylist(new_claims, claims.schema)])
    all_lines = pa.concat_tables([lines, pa.Table.from_pylist(new_lines, lines.schema)])
    pq.write_table(all_claims, directory / "claims.parquet")
    pq.write_table(all_lines, directory / "claim_lines.parquet")
    return chosen


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("province")
    generate_to_parquet(SynthConfig(persons=2000, seed=20250101, year=2025), out)
    return out, _add_stays(out)


def reform(
    province: Path, reform_file: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[dict, pa.Table, pa.Table]:  # type: ignore[type-arg]
    code, _stdout, err = run(
        ["reform", str(province), "--reform", str(reform_file), "--out", str(out), *extra], capsys
    )
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    claims = pq.read_table(out / "claims_delta.parquet")
    people = pq.read_table(out / "persons_delta.parquet")
    return summary, claims, people


def _each_fund_moves_by_its_per_claim_changes(summary: dict, claims: pa.Table) -> None:  # type: ignore[type-arg]
    for f in FUNDS:
        before, after = summary["funds_fen"][f]["base"], summary["funds_fen"][f]["reform"]
        assert (
            after - before
            == pc.sum(claims[f"{f}_delta"]).as_py()
            == summary["claim_delta_sums_fen"][f]
        )
        assert before == pc.sum(claims[f"{f}_base"]).as_py()
    # static: each claim's bill is shared differently, never changed
    assert pc.all(pc.equal(claims["medfee_sumamt_delta"], 0)).as_py()
    split = pc.add(pc.add(claims["hifp_pay_delta"], claims["hifob_pay_delta"]),
                   pc.add(claims["hifmi_pay_delta"], claims["maf_pay_delta"]))  # fmt: skip
    assert pc.all(pc.equal(pc.add(split, claims["oop_delta"]), 0)).as_py()


def test_raising_the_resident_ceiling(
    province: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, chosen = province
    out = tmp_path / "ceiling"
    summary, claims, people = reform(directory, _example("raise-resident-ceiling"), out, capsys)
    _each_fund_moves_by_its_per_claim_changes(summary, claims)
    # nobody pays more, and somebody above the old inpatient ceiling pays strictly less
    assert pc.max(people["oop_delta"]).as_py() == 0
    above = people.filter(pc.greater(people["overcap_inpatient_base"], 0))
    assert chosen["ceiling"] in above["person_id"].to_pylist()
    assert pc.min(above["oop_delta"]).as_py() < 0
    ceiling_person = people.filter(pc.equal(people["person_id"], chosen["ceiling"])).to_pylist()[0]
    assert ceiling_person["oop_delta"] < 0
    # only residents' pooled fund pays more; employees are untouched
    employees = claims.filter(pc.equal(claims["scheme"], "employee"))
    assert all(pc.all(pc.equal(employees[f"{f}_delta"], 0)).as_py() for f in FUNDS)
    assert summary["funds_fen"]["hifp_pay"]["reform"] > summary["funds_fen"]["hifp_pay"]["base"]
    assert (
        summary["inpatient_ceiling_persons"]["reform"]
        < summary["inpatient_ceiling_persons"]["base"]
    )
    assert summary["gainers"] >= 1 and summary["losers"] == 0
    # the report: self-contained, with every section and the CHE definitions cited
    html = (out / "report.html").read_text(encoding="utf-8")
    for text in ("What the reform changes", "resident.ceilings.basic.amount", "150000.00", "400000.00",
                 "income decile", "Catastrophic health expenditure", "SDG indicator 3.8.2",
                 "Xu et al., Lancet 2003", "Months payable", "Behavioural response", "<svg"):  # fmt: skip
        assert text in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    assert "employee_pooled" in html and "resident_pooled" in html
    # one row per claim and one per insured person
    settled = pq.read_table(directory / "claims.parquet", columns=["discharge_date"])
    in_year = pc.sum(pc.equal(pc.year(settled["discharge_date"]), 2025)).as_py()
    assert claims.num_rows == in_year == summary["claims"]
    assert people.num_rows == 2000 == summary["persons"]
    assert set(people.column_names) >= {"income_decile", "che_who40_base", "che_sdg10_reform"}


def test_cutting_the_level1_deductible_from_july(
    province: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = province
    summary, claims, people = reform(
        directory, _example("cut-level1-deductible"), tmp_path / "ded", capsys
    )
    _each_fund_moves_by_its_per_claim_changes(summary, claims)
    start = pa.scalar(date(2025, 7, 1), pa.date32())
    before = claims.filter(pc.less(claims["settle_date"], start))
    assert before.num_rows > 0
    assert all(pc.all(pc.equal(before[f"{f}_delta"], 0)).as_py() for f in (*FUNDS, "oop"))
    l1 = claims.filter(
        pc.and_(pc.equal(claims["level"], "L1"), pc.equal(claims["visit_type"], "inpatient"))
    ).filter(pc.greater_equal(pc.field("settle_date"), start))
    assert pc.min(l1["oop_delta"]).as_py() < 0
    assert pc.min(people["oop_delta"]).as_py() <= pc.max(people["oop_delta"]).as_py() == 0
    assert summary["funds_fen"]["hifp_pay"]["reform"] > summary["funds_fen"]["hifp_pay"]["base"]


def test_raising_critical_illness_for_the_poor(
    province: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, chosen = province
    summary, claims, people = reform(
        directory, _example("raise-ci-for-poor"), tmp_path / "ci", capsys
    )
    _each_fund_moves_by_its_per_claim_changes(summary, claims)
    others = people.filter(
        pc.invert(pc.is_in(people["assistance_category"], pa.array(
            ["tekun", "dibao", "fanpin", "dibao_edge", "monitored"])))
    )  # fmt: skip
    assert pc.all(pc.equal(others["oop_delta"], 0)).as_py()
    ci = summary["funds_fen"]["hifmi_pay"]
    assert ci["reform"] > ci["base"]
    assert summary["funds_fen"]["maf_pay"]["reform"] <= summary["funds_fen"]["maf_pay"]["base"]
    assert pc.max(people["oop_delta"]).as_py() == 0
    by_id = {r["person_id"]: r for r in people.to_pylist()}
    assert by_id[chosen["dibao"]]["hifmi_reform"] > by_id[chosen["dibao"]]["hifmi_base"] > 0
    # the monitored household is newly tilted: half the threshold, 10 more points
    assert by_id[chosen["monitored"]]["hifmi_reform"] > by_id[chosen["monitored"]]["hifmi_base"]


def test_a_behavioural_response_rescales_use_after_the_start(
    province: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = province
    text = _example("cut-level1-deductible").read_text(encoding="utf-8")
    text = text.replace(
        "references:\n",
        'references:\n  rand:\n    title: "RAND HIE: arc elasticity of spending −0.2 '
        '(Aron-Dine, Einav, Finkelstein, JEP 2013)"\n    url: "https://doi.org/10.1257/jep.27.1.197"\n',
    ).replace("parameters:\n", "behaviour:\n  elasticity: {value: -0.2, ref: rand}\nparameters:\n")
    reform_file = tmp_path / "elastic.yaml"
    reform_file.write_text(text, encoding="utf-8")
    summary, claims, people = reform(directory, reform_file, tmp_path / "elastic", capsys)
    # the deductible fell for some, so they use more care: expense rises only from July on
    assert summary["rescaled_persons"] >= 1
    assert summary["expense_fen"]["reform"] > summary["expense_fen"]["base"]
    start = pa.scalar(date(2025, 7, 1), pa.date32())
    before = claims.filter(pc.less(claims["settle_date"], start))
    assert pc.all(pc.equal(before["medfee_sumamt_delta"], 0)).as_py()
    changed = people.filter(pc.not_equal(people["total_reform"], people["total_base"]))
    assert changed.num_rows == summary["rescaled_persons"]
    for f in FUNDS:
        assert (
            summary["funds_fen"][f]["reform"] - summary["funds_fen"][f]["base"]
            == summary["claim_delta_sums_fen"][f]
        )


BAD = [
    ("unknown leaf", lambda t: t.replace("amount: {L1: 100}", "amont: {L1: 100}"), "bad.yaml:18: unknown key 'amont'"),
    ("wrong type", lambda t: t.replace("{L1: 100}", "{L1: cheap}"), "bad.yaml:18: employee.inpatient.deductible.amount.L1"),
    ("no citation", lambda t: t.replace("  _ref: proposal\n", ""), "has a bare value but no _from/_ref"),
    ("not hypothetical", lambda t: t.replace("    hypothetical: true\n", ""), "bad.yaml:11: reference 'proposal' needs a url or 'hypothetical: true'"),
    ("date outside the year", lambda t: t.replace("from: 2025-07-01", "from: 2026-07-01"), "bad.yaml:8: from: 2026-07-01 lies outside the settled year 2025"),
    ("unknown region", lambda t: t.replace('region: "990000"', 'region: "999999"'), "bad.yaml:7: region: unknown region '999999'"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "edit", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_reform_files_are_one_line_errors_and_write_nothing(
    province: tuple[Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    edit: object,
    message: str,
) -> None:
    directory, _ = province
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        edit(_example("cut-level1-deductible").read_text(encoding="utf-8")), encoding="utf-8"
    )  # type: ignore[operator]
    out = tmp_path / "out"
    code, _, err = run(["reform", str(directory), "--reform", str(bad), "--out", str(out)], capsys)
    assert code == 2, case
    assert message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_a_province_without_incomes_is_refused(
    province: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = province
    copy = tmp_path / "province"
    shutil.copytree(directory, copy)
    persons = pq.read_table(copy / "persons.parquet").drop_columns(["household_income_fen"])
    pq.write_table(persons, copy / "persons.parquet")
    out = tmp_path / "out"
    code, _, err = run(
        ["reform", str(copy), "--reform", str(_example("raise-ci-for-poor")), "--out", str(out)],
        capsys,
    )
    assert code == 2 and "lacks column(s) household_income_fen" in err
    assert not out.exists()

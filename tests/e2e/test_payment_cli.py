"""``yibao dip liquidate`` and ``yibao drg pay`` end to end on a small synthetic province."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_helpers import yibao as run_yibao

REGION = "990100"


def yibao(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_yibao(*args, timeout=300)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    r = yibao("synth", "--out", out, "--persons", "4000", "--seed", "7")
    assert r.returncode == 0, r.stderr
    return out


def test_dip_liquidate_writes_a_balanced_liquidation(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "dip"
    r = yibao(
        "dip", "liquidate", province, "--region", REGION, "-o", out,
        "--budget", "3000000.00", "--reserve", "0.05", "--min-cases", "5",
        "--surplus-keep", "0.8", "--overspend-share", "0.5",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "dip_liquidation.json").read_text(encoding="utf-8"))
    assert data["budget_fen"] == 300_000_000
    assert data["reserve_fen"] == 15_000_000
    values = sum(h["value"] for h in data["hospitals"])
    assert values + data["reserve_fen"] + data["residual_fen"] == data["budget_fen"]
    assert data["invariant_violations"] == []
    cases = pq.read_table(out / "dip_cases.parquet")
    assert cases.num_rows == sum(h["cases"] for h in data["hospitals"]) > 0
    assert sum(cases.column("payment").to_pylist()) == values
    for c in cases.to_pylist():  # both sides of a case: hospital by group, patient by item
        assert c["fund_to_hospital"] == c["payment"] - c["patient_paid"] - c["other_funds"]
        assert c["fee_for_service_fund"] + c["patient_paid"] + c["other_funds"] == c["cost"]
    journals = json.loads((out / "dip_journals.json").read_text(encoding="utf-8"))
    assert journals and all(sum(a for _, a in j["postings"]) == 0 for j in journals)
    spent = sum(a for j in journals for acc, a in j["postings"] if ":expenditure:dip:" in acc)
    assert spent == sum(h["fund_due"] for h in data["hospitals"])
    capita = data["chronic_per_capita"]
    assert capita["patients"] > 0
    assert sum(capita["by_provider"].values()) == capita["patients"] * capita["rate_fen"]
    html = (out / "dip_report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Case-mix index" in html and "point value" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # no CDN


def test_drg_pay_writes_payments_and_report(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "drg"
    r = yibao("drg", "pay", province, "--region", REGION, "-o", out)
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "drg_payment.json").read_text(encoding="utf-8"))
    assert data["base_rate_fen"] > 0 and data["weights"]
    cases = pq.read_table(out / "drg_cases.parquet").to_pylist()
    assert {c["kind"] for c in cases} >= {"normal", "low_cost"}
    for c in cases:
        assert c["fund_to_hospital"] == c["value"] - c["patient_paid"] - c["other_funds"]
        if c["kind"] in ("normal", "high_cost_over_cap"):
            assert c["value"] == c["standard"] > 0
        else:
            assert c["value"] == c["cost"]
    assert "<svg" in (out / "drg_report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--budget", "0"), "budget must be positive"),
        (("--budget", "-10"), "budget must be positive"),
        (("--year", "2019"), "no inpatient cases in 2019"),
        (("--region", "123456"), "region '123456' is not in the data"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    province: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out"
    base = {"--region": REGION}
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    flat = [x for kv in base.items() for x in kv]
    for command in (("dip", "liquidate"), ("drg", "pay")):
        r = yibao(*command, province, *flat, "-o", out)
        assert r.returncode != 0
        assert message in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        assert not out.exists() or not any(out.iterdir())


def test_missing_column_is_named(province: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(province, broken)
    table = pq.read_table(broken / "claims.parquet").drop(["main_dx"])
    pq.write_table(table, broken / "claims.parquet")
    r = yibao("dip", "liquidate", broken, "--region", REGION, "-o", tmp_path / "o")
    assert r.returncode != 0
    assert "missing column(s) main_dx" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(("column", "code"), [("main_dx", "XXX.999"), ("procedures", "99.9999x9")])
def test_unknown_code_is_named(province: Path, tmp_path: Path, column: str, code: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(province, broken)
    claims = pq.read_table(broken / "claims.parquet")
    providers = pq.read_table(broken / "providers.parquet").to_pylist()
    here = {p["provider_id"] for p in providers if p["region"] == REGION}
    rows = claims.to_pylist()
    victim = next(r for r in rows if r["visit_type"] == "inpatient" and r["provider_id"] in here)
    victim[column] = code
    pq.write_table(pa.Table.from_pylist(rows, schema=claims.schema), broken / "claims.parquet")
    r = yibao("drg", "pay", broken, "--region", REGION, "-o", tmp_path / "o")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert f"claim {victim['claim_id']}: unknown" in r.stderr and code in r.stderr
    assert not (tmp_path / "o").exists()


def _prefixed(table: pa.Table, columns: tuple[str, ...], prefix: str) -> pa.Table:
    for name in columns:
        i = table.schema.get_field_index(name)
        values = [None if v is None else prefix + v for v in table.column(name).to_pylist()]
        table = table.set_column(i, name, pa.array(values, pa.string()))
    return table


def test_history_of_three_years_weighs_1_2_7(tmp_path: Path) -> None:
    """Four synthetic years in one directory: weights and scores come from 2022–2024."""
    merged: dict[str, list[pa.Table]] = {"persons": [], "claims": [], "claim_lines": []}
    for year in (2022, 2023, 2024, 2025):
        out = tmp_path / str(year)
        r = yibao("synth", "--out", out, "--persons", "800", "--seed", str(year), "--year", year)
        assert r.returncode == 0, r.stderr
        p = f"{year}-"
        merged["persons"].append(_prefixed(pq.read_table(out / "persons.parquet"),
                                           ("person_id",), p))  # fmt: skip
        merged["claims"].append(_prefixed(pq.read_table(out / "claims.parquet"),
                                          ("claim_id", "person_id"), p))  # fmt: skip
        merged["claim_lines"].append(_prefixed(pq.read_table(out / "claim_lines.parquet"),
                                               ("claim_id",), p))  # fmt: skip
    data = tmp_path / "all"
    data.mkdir()
    for name, parts in merged.items():
        pq.write_table(pa.concat_tables(parts), data / f"{name}.parquet")
    shutil.copy(tmp_path / "2025" / "providers.parquet", data / "providers.parquet")
    dip = yibao("dip", "liquidate", data, "--region", REGION, "--year", "2025",
                "-o", tmp_path / "dip", "--min-cases", "3")  # fmt: skip
    assert dip.returncode == 0, dip.stderr
    summary = json.loads((tmp_path / "dip" / "dip_liquidation.json").read_text("utf-8"))
    assert summary["history_years"] == [2022, 2023, 2024]
    assert summary["history_is_the_year_itself"] is False
    assert summary["invariant_violations"] == []
    drg = yibao("drg", "pay", data, "--region", REGION, "--year", "2025", "-o", tmp_path / "drg")
    assert drg.returncode == 0, drg.stderr
    paid = json.loads((tmp_path / "drg" / "drg_payment.json").read_text("utf-8"))
    assert paid["history_years"] == [2022, 2023, 2024]
    n_2025 = pq.read_table(tmp_path / "drg" / "drg_cases.parquet").num_rows
    assert n_2025 == sum(h["cases"] for h in paid["hospitals"]) > 0


def test_dip_same_level_standards_review_and_shared_residual(
    province: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dip"
    r = yibao(
        "dip", "liquidate", province, "--region", REGION, "-o", out, "--min-cases", "5",
        "--budget", "3000000.00", "--reserve", "0.05", "--high-multiple", "1.5",
        "--extreme-multiple", "2",
        "--surplus-keep", "0.5", "--overspend-share", "0.5",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "dip_liquidation.json").read_text(encoding="utf-8"))
    # no residual line: the hospitals' payments and the reserve make the budget exactly
    assert sum(h["payment"] for h in data["hospitals"]) + data["reserve_fen"] == data["budget_fen"]
    assert sum(h["rounding"] for h in data["hospitals"]) == data["residual_fen"]
    cases = pq.read_table(out / "dip_cases.parquet").to_pylist()
    grouped = [c for c in cases if c["kind"] not in ("bed_day", "by_item")]
    assert {c["basis"] for c in grouped} <= {"level", "all_levels"}
    assert data["standard_basis"] == {
        b: sum(1 for c in grouped if c["basis"] == b) for b in {c["basis"] for c in grouped}
    }
    assert data["standard_basis"].get("level", 0) > 0  # the prior-year same-level means
    extreme = sorted(c["case_id"] for c in cases if c["kind"] == "extreme")
    assert extreme and [x["case_id"] for x in data["expert_review"]] == extreme
    for c in cases:
        if c["kind"] == "extreme":  # by item, outside the point total (the default rule)
            assert c["payment"] == c["cost"] and c["points"] == 0
            assert c["cost"] * 10_000 > 20_000 * c["standard"]
        elif c["kind"] == "high_cost":
            assert 15_000 * c["standard"] < c["cost"] * 10_000 <= 20_000 * c["standard"]
    html = (out / "dip_report.html").read_text(encoding="utf-8")
    assert "特病单议" in html and extreme[0] in html
    journals = json.loads((out / "dip_journals.json").read_text(encoding="utf-8"))
    shares = [j for j in journals if j["kind"] == "sharing"]
    assert shares and all(sum(a for _, a in j["postings"]) == 0 for j in shares)
    shared = sum(
        a for j in shares for acc, a in j["postings"] if ":expenditure:dip_sharing:" in acc
    )
    assert shared == sum(h["sharing"] for h in data["hospitals"])


def _with_readmissions(province: Path, into: Path, n: int = 3) -> list[str]:
    """A copy of the province where ``n`` inpatient stays of the region come back 10 days
    after discharge with the same diagnosis and procedures (so the same DRG)."""
    from datetime import timedelta

    shutil.copytree(province, into)
    claims = pq.read_table(into / "claims.parquet")
    lines = pq.read_table(into / "claim_lines.parquet")
    providers = pq.read_table(into / "providers.parquet").to_pylist()
    here = {p["provider_id"] for p in providers if p["region"] == REGION}
    rows = claims.to_pylist()
    firsts = [
        r for r in rows
        if r["visit_type"] == "inpatient" and r["provider_id"] in here
        and r["discharge_date"].month <= 10
    ][:n]  # fmt: skip
    extra = []
    for r in firsts:
        admit = r["discharge_date"] + timedelta(days=10)
        extra.append({**r, "claim_id": "R" + r["claim_id"], "admit_date": admit,
                      "discharge_date": admit + timedelta(days=r["los_days"])})  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows + extra, schema=claims.schema),
                   into / "claims.parquet")  # fmt: skip
    ids = {r["claim_id"] for r in firsts}
    more = [
        {**x, "claim_id": "R" + x["claim_id"]} for x in lines.to_pylist() if x["claim_id"] in ids
    ]
    pq.write_table(pa.Table.from_pylist(lines.to_pylist() + more, schema=lines.schema),
                   into / "claim_lines.parquet")  # fmt: skip
    return sorted(ids)


def test_drg_readmissions_and_sharing_journals(province: Path, tmp_path: Path) -> None:
    data = tmp_path / "readmit"
    firsts = _with_readmissions(province, data)
    out = tmp_path / "drg"
    r = yibao("drg", "pay", data, "--region", REGION, "-o", out,
              "--surplus-keep", "0.6", "--overspend-share", "0.5")  # fmt: skip
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "drg_payment.json").read_text(encoding="utf-8"))
    cases = pq.read_table(out / "drg_cases.parquet").to_pylist()
    halved = [c for c in cases if c["readmission"]]
    grouped_firsts = {c["case_id"] for c in cases if c["case_id"] in firsts and c["drg"] != "0000"}
    assert grouped_firsts and grouped_firsts <= {c["case_id"] for c in halved}
    assert summary["readmissions_halved"] == len(halved)
    for c in halved:
        full = c["standard"] if c["kind"] in ("normal", "high_cost_over_cap") else c["cost"]
        assert c["value"] == (full + 1) // 2
        assert c["fund_to_hospital"] == c["value"] - c["patient_paid"] - c["other_funds"]
    # with the rule off, the same cases are paid in full
    off = yibao("drg", "pay", data, "--region", REGION, "-o", tmp_path / "off",
                "--readmission-days", "0")  # fmt: skip
    assert off.returncode == 0, off.stderr
    full_cases = pq.read_table(tmp_path / "off" / "drg_cases.parquet").to_pylist()
    assert not any(c["readmission"] for c in full_cases)
    journals = json.loads((out / "drg_journals.json").read_text(encoding="utf-8"))
    assert journals and all(sum(a for _, a in j["postings"]) == 0 for j in journals)
    hospitals = summary["hospitals"]
    spent = sum(
        a for j in journals for acc, a in j["postings"] if ":expenditure:drg_sharing:" in acc
    )
    assert spent == sum(h["sharing"] for h in hospitals) != 0
    payables = {acc for j in journals for acc, _ in j["postings"] if ":payable:" in acc}
    assert payables == {
        f"{REGION}:employee_pooled:payable:provider:{h['provider_id']}"
        for h in hospitals
        if h["sharing"]
    }

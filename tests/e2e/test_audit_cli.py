"""``yibao synth --fraud`` then ``yibao audit run`` end to end, and its bad-input errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_helpers import run

from yibao.cli import main


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    try:
        main(["synth", "--out", str(out), "--persons", "1500", "--fraud", "0.03"])
    except SystemExit as e:
        assert not e.code
    return out


def test_synth_fraud_writes_labels(province: Path) -> None:
    labels = pq.read_table(province / "labels.parquet")
    assert labels.num_rows > 0
    assert set(labels.column_names) == {
        "claim_id",
        "line_no",
        "pattern",
        "provider_id",
        "person_id",
    }
    assert (province / "fraud_providers.parquet").is_file()


def test_audit_run_writes_hits_and_report(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit"
    code, stdout, err = run(["audit", "run", str(province), "-o", str(out)], capsys)
    assert code == 0, err
    hits = pq.read_table(out / "hits.parquet")
    assert hits.num_rows > 0
    assert {"rule_code", "claim_id", "line_nos", "reason", "amount_fen"} <= set(hits.column_names)
    labelled = set(pq.read_table(province / "labels.parquet").column("claim_id").to_pylist())
    assert labelled & set(hits.column("claim_id").to_pylist())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Hits by rule" in html and "<svg" in html and "peer z" in html
    assert pq.read_table(out / "provider_scores.parquet").num_rows == 84
    assert "hits in" in stdout


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for name in ("claims", "claim_lines", "persons", "providers"):
        (dst / f"{name}.parquet").write_bytes((src / f"{name}.parquet").read_bytes())
    return dst


@pytest.mark.parametrize(
    ("pack", "message"),
    [
        ("  NOT_A_RULE: {}\n", "rules.NOT_A_RULE: unknown rule code"),
        (
            "  SPLIT_ADMISSION: {max_gap_days: '15'}\n",
            "rules.SPLIT_ADMISSION.max_gap_days: must be a whole number",
        ),
    ],
)
def test_bad_pack_is_one_line_and_writes_nothing(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: str, message: str
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("pack: x\nregion: '1'\ntitle: x\nsource: x\nrules:\n" + pack, "utf-8")
    out = tmp_path / "out"
    code, _, err = run(["audit", "run", str(province), "-o", str(out), "--pack", str(path)], capsys)
    assert code == 2
    assert message in err and str(path) in err.replace("\n", "")
    assert "Traceback" not in err
    assert not out.exists()


def test_claims_missing_a_column(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _copy(province, tmp_path / "in")
    claims = pq.read_table(d / "claims.parquet").drop(["los_days"])
    pq.write_table(claims, d / "claims.parquet")
    out = tmp_path / "out"
    code, _, err = run(["audit", "run", str(d), "-o", str(out)], capsys)
    assert code == 2
    assert "claims: missing column 'los_days'" in err
    assert not out.exists()

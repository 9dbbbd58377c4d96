"""``yibao catalogue import|list|show`` into the database, and a claim whose line carries an
imported national code settles by it (before the import the code is unknown).

The codes below have the national structure of policy-facts-2.md §9 (drug X + 22 characters,
consumable C + 19); they are shaped for the test, not copied from a published catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_helpers import claim_body
from conftest import Api
from sqlalchemy import func, select

from yibao.cli import main
from yibao.service import context
from yibao.store import tables as t

DRUG = "XA01AAA001A001010100001"  # 23 characters
PAD = "C0101010010100000001"  # 20 characters
HEADER = (
    "code,name,kind,class,preself_ratio,price_cap,sex,min_age,max_age,visit_types,"
    "fund_ratio,synthetic"
)
ROWS = [
    f"{DRUG},示例片（测试用）,drug,B,0.1,20.00,,,,,,false",
    f"{PAD},示例敷料（测试用）,consumable,A,,,,,,,,false",
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(api: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setenv("YIBAO_DATABASE_URL", str(api.engine.url))
    # the running app asks for newly imported versions on every claim, not every 5 s
    monkeypatch.setattr(context, "CATALOGUE_REFRESH_SECONDS", 0.0)
    return api


def _versions(api: Api) -> int:
    with api.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(t.catalogue_versions)).scalar_one())


def _line_claim(api: Api, no: str) -> dict[str, Any]:
    body = claim_body(api.person_id, no=no)
    body["claim"].pop("presplit")
    body["claim"]["lines"] = [{"code": DRUG, "unit_price": "30.00", "quantity": 10}]
    return body


def test_gbk_csv_import_then_the_code_settles(
    db: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = db.client.post("/claims/settle", json=_line_claim(db, "N1"), headers=db.h("admin"))
    assert r.status_code == 400 and DRUG in r.json()["message"], r.text

    path = tmp_path / "目录.csv"
    path.write_bytes(("\n".join([HEADER, *ROWS]) + "\n").encode("gbk"))
    code, out, err = _run(
        ["catalogue", "import", str(path), "--region", "990100", "--on", "2025-01-01", "--json"],
        capsys,
    )
    assert code == 0, err
    stored = json.loads(out)
    assert stored["items"] == 2 and stored["name"] == "目录"

    r = db.client.post("/claims/settle", json=_line_claim(db, "N2"), headers=db.h("admin"))
    assert r.status_code == 201, r.text
    line = r.json()["lines"][0]
    # 10 units at 30 yuan over a payment standard of 20 yuan: 100 yuan over the limit;
    # class B with its own 10 % pre-self-pay on the 200 yuan within the standard
    assert line["over_limit"] == "100.00" and line["preself"] == "20.00", line

    code, out, _ = _run(["catalogue", "list", "--json"], capsys)
    assert code == 0 and [v["region"] for v in json.loads(out)] == ["990100"]
    code, out, _ = _run(
        ["catalogue", "show", "--region", "990100", "--on", "2025-06-01", "--code", DRUG, "--json"],
        capsys,
    )
    shown = json.loads(out)
    assert code == 0 and shown["items"][0]["price_cap"] == "20.00"
    assert "990100" in shown["catalogue"]
    # before the first day the demo catalogue still applies
    code, out, _ = _run(
        ["catalogue", "show", "--region", "990100", "--on", "2024-12-31", "--json"], capsys
    )
    assert "default catalogue" in json.loads(out)["catalogue"]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        (f"{DRUG},x,drug,D,,,,,,,,false", "row 3, column 'class'"),
        ("XA01,x,drug,A,,,,,,,,false", "row 3, column 'code'"),
        (f"{DRUG[:-1]}9,x,drug,A,,abc,,,,,,false", "row 3, column 'price_cap'"),
    ],
)
def test_a_bad_row_is_one_line_and_writes_nothing(
    db: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, where: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, ROWS[0], row]) + "\n", encoding="utf-8")
    code, _, err = _run(
        ["catalogue", "import", str(path), "--region", "990100", "--on", "2025-01-01"], capsys
    )
    assert code != 0 and where in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert _versions(db) == 0


def test_xlsx_import_and_a_second_import_of_the_same_day_conflicts(
    db: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in ROWS:
        cells: list[Any] = row.split(",")
        cells[5] = float(cells[5]) if cells[5] else None  # a number cell, as Excel stores it
        sheet.append(cells)
    path = tmp_path / "catalogue.xlsx"
    book.save(path)
    argv = ["catalogue", "import", str(path), "--region", "990100", "--on", "2025-01-01"]
    code, out, err = _run(argv, capsys)
    assert code == 0 and "imported 2 items" in out, err
    code, _, err = _run(argv, capsys)
    assert code != 0 and "already has a catalogue from 2025-01-01" in err
    assert _versions(db) == 1


def test_bad_date_and_undecodable_file_are_one_line_errors(
    db: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    code, _, err = _run(
        ["catalogue", "import", str(path), "--region", "990100", "--on", "2025-13-01"], capsys
    )
    assert code != 0 and "--on" in err
    code, _, err = _run(
        ["catalogue", "import", str(path), "--region", "990100", "--on", "2025-01-01"], capsys
    )
    assert code != 0 and "c.csv" in err and "encoding" in err, err
    assert _versions(db) == 0

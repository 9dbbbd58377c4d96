"""``yibao warn --ledger``: the early warning reads its actuals from the stored fund ledger."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from yibao.cli import main
from yibao.ledger.model import Account, Fund, Kind, journal
from yibao.store.db import make_engine, upgrade
from yibao.store.repo import insert_journal

REGION = "990100"
BANK = Account(REGION, Fund.EMPLOYEE_POOLED, Kind.BANK)
INCOME = Account(REGION, Fund.EMPLOYEE_POOLED, Kind.INCOME, "contribution")
SPENT = Account(REGION, Fund.EMPLOYEE_POOLED, Kind.EXPENDITURE, "inpatient")


def test_warn_takes_final_accounts_and_the_year_so_far_from_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    engine = make_engine(url)
    upgrade(engine)
    entries = [
        # 2024: 1,200,000 in, 1,000,000 out → 200,000 balance = 2.4 months of expenditure
        (date(2024, 3, 1), "c24", INCOME, 120_000_000),
        (date(2024, 9, 1), "s24", SPENT, 100_000_000),
        # 2025 to June: 600,000 in, 550,000 out
        (date(2025, 2, 1), "c25", INCOME, 60_000_000),
        (date(2025, 6, 30), "s25", SPENT, 55_000_000),
    ]
    with engine.begin() as conn:
        for day, jid, account, amount in entries:
            sign = -1 if account.kind is Kind.INCOME else 1
            insert_journal(
                conn,
                journal(
                    jid,
                    day,
                    "test",
                    jid,
                    "test",
                    [(account, sign * amount), (BANK, -sign * amount)],
                ),
            )
    engine.dispose()
    monkeypatch.setenv("YIBAO_DATABASE_URL", url)
    out = tmp_path / "w.json"
    try:
        main(["warn", "--ledger", "--json", str(out)])
    except SystemExit as e:
        assert e.code in (0, None), capsys.readouterr().err
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    actual = next(r for r in rows if r["basis"] == "actual" and r["region"] == REGION)
    assert actual["year"] == 2024
    assert actual["level"] == "red"  # under 3 months payable (policy-facts.md §7)
    assert any(r["basis"] == "in-year" and r["year"] == 2025 for r in rows)


def test_warn_on_an_empty_ledger_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(make_engine(url))
    monkeypatch.setenv("YIBAO_DATABASE_URL", url)
    with pytest.raises(SystemExit) as e:
        main(["warn", "--ledger"])
    assert e.value.code == 2
    assert "the fund ledger has no journals" in capsys.readouterr().err

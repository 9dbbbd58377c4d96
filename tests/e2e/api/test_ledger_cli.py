"""``yibao db upgrade`` and ``yibao ledger …`` end to end on the default SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api_helpers import claim_body, person_body
from sqlalchemy import insert

from yibao.service import registration, settlement
from yibao.service.context import Context
from yibao.store import tables as t
from yibao.store.db import make_engine


def yibao(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIBAO_DATABASE")}
    return subprocess.run(
        [sys.executable, "-m", "yibao.cli", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_upgrade_check_and_statements(tmp_path: Path) -> None:
    r = yibao(tmp_path, "db", "upgrade")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "yibao.db").exists()  # the default: sqlite:///yibao.db in the cwd
    engine = make_engine(f"sqlite:///{tmp_path / 'yibao.db'}")
    ctx = Context(engine)
    pid = str(registration.register_person(ctx, person_body(person_id="P1"))["person_id"])
    added = yibao(
        tmp_path,
        "db",
        "add-provider",
        "--id",
        "H1",
        "--name",
        "一院",
        "--level",
        "L3",
        "--region",
        "990100",
    )
    assert added.returncode == 0 and "H1 registered" in added.stdout, added.stderr
    again = yibao(
        tmp_path,
        "db",
        "add-provider",
        "--id",
        "H1",
        "--name",
        "一院",
        "--level",
        "L3",
        "--region",
        "990100",
    )
    assert again.returncode != 0 and "already registered" in again.stderr
    settlement.settle_claim(ctx, settlement.read_settle_request(claim_body(pid)))
    ok = yibao(tmp_path, "ledger", "check")
    assert ok.returncode == 0 and "0 violation" in ok.stderr, ok.stderr
    tb = yibao(tmp_path, "ledger", "trial-balance")
    assert tb.returncode == 0 and "15,570.00" not in tb.stdout and "15570.00" in tb.stdout
    st = yibao(
        tmp_path,
        "ledger",
        "statement",
        "--region",
        "990100",
        "--fund",
        "employee_pooled",
        "--month",
        "2025-06",
    )
    assert st.returncode == 0 and "inpatient" in st.stdout
    bad = yibao(
        tmp_path,
        "ledger",
        "statement",
        "--region",
        "990100",
        "--fund",
        "nope",
        "--month",
        "2025-06",
    )
    assert bad.returncode == 2 and "fund" in bad.stderr and "Traceback" not in bad.stderr
    # tamper: a posting added behind the service's back unbalances a journal
    with engine.begin() as c:
        c.execute(
            insert(t.postings).values(
                journal_id="S-H1-C1",
                region="990100",
                fund="employee_pooled",
                kind="bank",
                item="x",
                sub="",
                amount=1,
            )
        )
    broken = yibao(tmp_path, "ledger", "check")
    assert broken.returncode == 1
    assert "journals_balance\tS-H1-C1" in broken.stdout
    assert "settlement_parts_equal_postings" in broken.stdout
    engine.dispose()

"""Supervision cases over the store: opened from hits, moved through the state machine, a
confirmed case clawed back once in the same transaction as its status change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, select

from yibao.errors import InputError
from yibao.ledger.model import Journal
from yibao.service import cases, ledger
from yibao.service.context import Conflict, Context, NotFound
from yibao.store import repo
from yibao.store import tables as t

DAY = date(2026, 3, 1)


def hits() -> list[dict[str, object]]:
    return [
        {"rule_code": "DUP_BILLING", "claim_id": "C1", "provider_id": "H1", "amount_fen": 30_000},
        {"rule_code": "OVER_LIMIT", "claim_id": "C2", "provider_id": "H1", "amount_fen": 20_000},
        {"rule_code": "DUP_BILLING", "claim_id": "C9", "provider_id": "S1", "amount_fen": 5_000},
        {"rule_code": "DRG_CC_RATE_PEER", "claim_id": None, "provider_id": "H2", "amount_fen": 0},
    ]


def count(ctx: Context, table: t.Table) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def snapshot(ctx: Context) -> tuple[int, ...]:
    return tuple(
        count(ctx, x)
        for x in (t.supervision_cases, t.supervision_case_events, t.journals, t.postings)
    )


def opened(ctx: Context) -> dict[str, str]:
    """provider id → case id of the cases opened from :func:`hits`."""
    out = cases.import_hits(ctx, cases.read_hits(hits()), day=DAY)
    return {c["provider_id"]: c["case_id"] for c in out}


def decide(ctx: Context, case_id: str, action: str, **extra: object) -> dict[str, object]:
    body = {"reviewer": "稽核员甲", "reason": f"{action} it", "day": "2026-03-02", **extra}
    return cases.transition(ctx, case_id, action, body)


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), t.metadata) == []


def test_import_opens_one_case_per_provider_in_its_region(ctx: Context) -> None:
    by = opened(ctx)
    assert sorted(by) == ["H1", "H2", "S1"]
    h1 = cases.get_case(ctx, by["H1"])
    assert h1["region"] == "990100" and h1["status"] == "open"
    assert h1["rule_codes"] == ["DUP_BILLING", "OVER_LIMIT"]
    assert h1["claim_ids"] == ["C1", "C2"] and h1["flagged"] == "500.00"
    assert h1["events"] == [
        {
            "from": None,
            "to": "open",
            "reviewer": "screening",
            "reason": "2 rules hit on 2 claims",
            "day": "2026-03-01",
        }
    ]
    assert cases.get_case(ctx, by["S1"])["region"] == "990200"
    assert [c["case_id"] for c in cases.list_cases(ctx, region="990200")] == [by["S1"]]
    # the same hits again open nothing new
    before = snapshot(ctx)
    assert cases.import_hits(ctx, cases.read_hits(hits()), day=DAY) == []
    assert snapshot(ctx)[:2] == before[:2]


def test_import_from_parquet(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "hits.parquet"
    pq.write_table(pa.Table.from_pylist(hits()), path)
    out = cases.import_parquet(ctx, path, day=DAY, min_amount_fen=10_000)
    assert [c["provider_id"] for c in out] == ["H1"]  # S1 and H2 below the minimum
    with pytest.raises(InputError, match="no such file"):
        cases.import_parquet(ctx, tmp_path / "missing.parquet")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"rule_code": "R", "provider_id": "H1"}, "amount_fen"),
        ({"rule_code": "R", "provider_id": "H1", "amount_fen": -1}, "amount_fen"),
        ({"rule_code": "R", "provider_id": "H1", "amount_fen": "12"}, "amount_fen"),
        ({"provider_id": "H1", "amount_fen": 1}, "rule_code"),
        ({"rule_code": "R", "provider_id": "", "amount_fen": 1}, "provider_id"),
        ({"rule_code": "R", "provider_id": "H1", "amount_fen": 1, "x": 1}, "'x'"),
    ],
)
def test_bad_hits_name_the_field(ctx: Context, row: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        cases.read_hits([hits()[0], row])


def test_unknown_provider_writes_nothing(ctx: Context) -> None:
    before = snapshot(ctx)
    bad = [*hits(), {"rule_code": "R", "provider_id": "H404", "amount_fen": 1}]
    with pytest.raises(NotFound, match="H404"):
        cases.import_hits(ctx, cases.read_hits(bad), day=DAY)
    assert snapshot(ctx) == before


def test_confirm_claws_back_once_and_the_ledger_still_checks(ctx: Context) -> None:
    case_id = opened(ctx)["H1"]
    assert decide(ctx, case_id, "review")["status"] == "under_review"
    out = decide(ctx, case_id, "confirm", recovered="300.00")
    assert out["status"] == "confirmed" and out["recovered"] == "300.00"
    assert out["journal_id"] == f"clawback:{case_id}"
    assert [(e["from"], e["to"]) for e in out["events"]] == [
        (None, "open"),
        ("open", "under_review"),
        ("under_review", "confirmed"),
    ]
    with ctx.engine.connect() as c:
        j = repo.get_journal(c, f"clawback:{case_id}")
    assert isinstance(j, Journal) and j.kind == "clawback" and j.day == date(2026, 3, 2)
    lines = {(p.account.kind.value, p.account.item, p.account.sub): p.amount for p in j.postings}
    assert lines == {
        ("payable", "provider_settlement", "H1"): 30_000,
        ("income", "clawback_recovered", ""): -30_000,
    }
    assert ledger.check_ledger(ctx) == []
    # confirmed once only: again is the stored case, nothing written
    before = snapshot(ctx)
    again = decide(ctx, case_id, "confirm", recovered="500.00")
    assert again["replayed"] is True and again["recovered"] == "300.00"
    assert snapshot(ctx) == before
    with pytest.raises(Conflict, match=r"from confirmed to dismissed"):
        decide(ctx, case_id, "dismiss")
    assert snapshot(ctx) == before
    credit = cases.provider_credit(ctx, "H1")
    assert credit == {
        "provider_id": "H1",
        "score": 90,
        "grade": "A",
        "confirmed": 1,
        "dismissed": 0,
        "recovered": "300.00",
    }


def test_illegal_transitions_name_both_states(ctx: Context) -> None:
    by = opened(ctx)
    before = snapshot(ctx)
    with pytest.raises(Conflict, match="from open to confirmed"):
        decide(ctx, by["H1"], "confirm")
    assert snapshot(ctx) == before
    decide(ctx, by["S1"], "dismiss")
    with pytest.raises(Conflict, match="from dismissed to under_review"):
        decide(ctx, by["S1"], "review")
    assert cases.get_case(ctx, by["S1"])["status"] == "dismissed"
    assert cases.provider_credit(ctx, "S1")["dismissed"] == 1


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("review", {"reason": "x"}, "reviewer"),
        ("review", {"reviewer": " ", "reason": "x"}, "reviewer"),
        ("dismiss", {"reviewer": "a"}, "reason"),
        ("confirm", {"reviewer": "a", "reason": "x", "recovered": "500.01"}, "recovered"),
        ("confirm", {"reviewer": "a", "reason": "x", "recovered": "0"}, "recovered"),
        ("confirm", {"reviewer": "a", "reason": "x", "recovered": "-1"}, "recovered"),
        ("review", {"reviewer": "a", "reason": "x", "recovered": "1"}, "recovered"),
        ("review", {"reviewer": "a", "reason": "x", "day": "March"}, "day"),
    ],
)
def test_bad_decisions_name_the_field_and_write_nothing(
    ctx: Context, action: str, body: dict[str, object], field: str
) -> None:
    case_id = opened(ctx)["H1"]
    if action == "confirm":
        decide(ctx, case_id, "review")
    before = snapshot(ctx)
    with pytest.raises(InputError, match=field):
        cases.transition(ctx, case_id, action, body)
    assert snapshot(ctx) == before


def test_status_and_journal_are_one_transaction(ctx: Context) -> None:
    """A clawback journal that cannot be written leaves the case under review."""
    case_id = opened(ctx)["H1"]
    decide(ctx, case_id, "review")
    with ctx.engine.begin() as c:  # occupy the journal id the confirmation will use
        repo.insert_journal(c, Journal(f"clawback:{case_id}", DAY, "other", "x", "x", ()))
    before = snapshot(ctx)
    with pytest.raises(Exception, match="journal"):
        decide(ctx, case_id, "confirm")
    assert snapshot(ctx) == before
    assert cases.get_case(ctx, case_id)["status"] == "under_review"


def test_unknown_case_and_provider(ctx: Context) -> None:
    with pytest.raises(NotFound, match="case_id"):
        cases.get_case(ctx, "CASE-nope")
    with pytest.raises(NotFound, match="case_id"):
        decide(ctx, "CASE-nope", "review")
    with pytest.raises(NotFound, match="provider_id"):
        cases.provider_credit(ctx, "H404")
    assert cases.provider_credit(ctx, "H2")["score"] == 100


def test_cli_import_and_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from svc_helpers import register_providers

    from yibao.cli import main
    from yibao.store.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    register_providers(Context(engine))
    engine.dispose()
    monkeypatch.setenv("YIBAO_DATABASE_URL", url)
    path = tmp_path / "hits.parquet"
    pq.write_table(pa.Table.from_pylist(hits()), path)

    def run(*argv: str) -> tuple[int, str]:
        try:
            main(list(argv))
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out + out.err

    code, out = run("audit", "cases", "import", str(path))
    assert code == 0 and "3 cases opened" in out and "CASE-990200-" in out
    code, out = run("audit", "cases", "import", str(path))
    assert code == 0 and "0 cases opened" in out
    code, out = run("audit", "cases", "list", "--region", "990200")
    assert code == 0 and "S1" in out and "H1" not in out
    code, out = run("audit", "cases", "list", "--status", "closed")
    assert code != 0 and "status" in out
    code, out = run("audit", "cases", "import", str(tmp_path / "none.parquet"))
    assert code != 0 and "no such file" in out


def test_concurrent_confirmations_claw_back_once(ctx: Context) -> None:
    from concurrent.futures import ThreadPoolExecutor

    case_id = opened(ctx)["H1"]
    decide(ctx, case_id, "review")
    with ThreadPoolExecutor(6) as pool:
        outs = list(pool.map(lambda _: decide(ctx, case_id, "confirm"), range(12)))
    assert sum(1 for o in outs if not o.get("replayed")) == 1
    assert {o["journal_id"] for o in outs} == {f"clawback:{case_id}"}
    with ctx.engine.connect() as c:
        kinds = c.execute(select(t.journals.c.kind).where(t.journals.c.kind == "clawback")).all()
    assert len(kinds) == 1
    assert ledger.check_ledger(ctx) == []


def test_migration_0003_downgrades_and_upgrades(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from yibao.store.db import upgrade

    cfg = Config()
    cfg.set_main_option("script_location", "yibao.store:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    names = set(inspect(engine).get_table_names())
    assert "supervision_cases" not in names and "providers" in names
    upgrade(engine)
    assert {"supervision_cases", "supervision_case_events"} <= set(
        inspect(engine).get_table_names()
    )


def test_concurrent_imports_open_each_case_once(ctx: Context) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def run(_: int) -> int:
        return len(cases.import_hits(ctx, cases.read_hits(hits()), day=DAY))

    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(run, range(4))) == [0, 0, 0, 3]
    assert count(ctx, t.supervision_cases) == 3

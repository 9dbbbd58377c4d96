"""``yibao settle`` end to end on the shipped example files (examples/)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import ROOT, yibao

from yibao.money import fen_to_yuan
from yibao.policy.pack import Citation
from yibao.policy.registry import shipped_packs

EXAMPLES = ROOT / "examples"
PERSON, CLAIM, HISTORY = (EXAMPLES / f"{n}.json" for n in ("person", "claim", "history"))


SETTLED = date(2025, 6, 7)  # the discharge date in examples/claim.json


def _cite(path: str) -> Citation:
    return shipped_packs().chain("demo-north").get(path, SETTLED)


def _fen(value: object) -> int:
    assert isinstance(value, int)
    return value


def settle_json(*extra: str | Path) -> dict[str, object]:
    r = yibao("settle", "--policy", "demo-north", "--person", PERSON, "--claim", CLAIM, *extra)
    assert r.returncode == 0, r.stderr
    data: dict[str, object] = json.loads(r.stdout)
    return data


def yuan(data: dict[str, object], part: str) -> Decimal:
    parts = data["parts"]
    assert isinstance(parts, dict)
    return Decimal(parts[part]["yuan"])


def test_table_shows_parts_codes_and_trace() -> None:
    r = yibao("settle", "--policy", "demo-north", "--person", PERSON, "--claim", CLAIM)
    assert r.returncode == 0, r.stderr
    for text in ("hifp_pay", "psn_cash_pay", "medfee_sumamt", "trace", "deductible"):
        assert text in r.stdout
    # a cited parameter: path, value in yuan, period and the reference of the pack
    c = _cite("employee.inpatient.deductible.amount.L3")
    assert f"{c.path} = {fen_to_yuan(_fen(c.value))} [{c.start}.." in r.stdout
    assert f"({c.pack}: {c.reference.title}" in " ".join(r.stdout.split())


def test_json_balances_and_cites() -> None:
    data = settle_json("--json")
    total = yuan(data, "total")
    assert total == Decimal("4613.60")
    payers = ("pooled_fund", "large_amount", "critical_illness", "assistance", "account", "cash")
    assert sum(yuan(data, p) for p in payers) == total
    split = ("full_selfpay", "over_limit", "preself", "scope")
    assert sum(yuan(data, p) for p in split) == total
    parts = data["parts"]
    assert isinstance(parts, dict)
    assert parts["pooled_fund"]["code"] == "hifp_pay"
    trace = data["trace"]
    assert isinstance(trace, list)
    cites = [c for step in trace for c in step["citations"]]
    amount = next(c for c in cites if c["path"] == "employee.inpatient.deductible.amount.L3")
    want = _cite("employee.inpatient.deductible.amount.L3")
    assert amount["value"] == str(fen_to_yuan(_fen(want.value)))
    assert amount["pack"] == want.pack and amount["from"] == want.start.isoformat()
    assert amount["reference"]["synthetic"] is want.reference.synthetic


def test_history_changes_the_settlement() -> None:
    alone = settle_json("--json")
    after = settle_json("--json", "--history", HISTORY)
    assert alone["admission_seq"] == 1 and after["admission_seq"] == 2
    # the second admission pays a reduced deductible and the account has less left
    assert yuan(after, "deductible") < yuan(alone, "deductible")
    before = after["before"]
    assert isinstance(before, dict)
    assert before["pools"]["inpatient"]["admissions"] == 1
    assert Decimal(before["account_balance"]) < Decimal("3000")


def test_history_may_give_accumulators(tmp_path: Path) -> None:
    h = tmp_path / "acc.json"
    h.write_text(
        json.dumps({"accumulators": {"pools": {"inpatient": {"admissions": 2}}}}), encoding="utf-8"
    )
    data = settle_json("--json", "--history", h)
    assert data["admission_seq"] == 3
    third = _cite("employee.inpatient.deductible.third_fixed")  # demo-north: a fixed amount
    assert yuan(data, "deductible") == fen_to_yuan(_fen(third.value))


def _edit(tmp_path: Path, src: Path, old: str, new: str) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / src.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


BAD = [
    # (file, old, new, words in the one-line error)
    (CLAIM, '"amount": "25.00"', '"amount": "-25.00"', ["lines[4].amount", "negative", "-25.00"]),
    (CLAIM, '"amount": "25.00"', '"amount": "abc"', ["lines[4].amount", "'abc'"]),
    (CLAIM, '"amount": "25.00"', '"amount": [25]', ["lines[4].amount", "a list"]),
    (CLAIM, '"XS0101"', '"ZZ9999"', ["lines[4].code", "ZZ9999"]),
    (CLAIM, '"provider"', '"provder"', ["unknown field 'provder'"]),
    (CLAIM, '"level": "L3"', '"level": "L3",', ["malformed JSON"]),
    (PERSON, "2010-07-01", "2025-07-01", ["outside the enrollment", "enrolled_from 2025-07-01"]),
    (PERSON, '"employee"', '"civil_servant"', ["scheme", "civil_servant"]),
    (PERSON, '"3000.00"', '"3000.001"', ["account_balance", "3000.001", "two decimal places"]),
    (HISTORY, '"2025-02-16"', '"2025-08-16"', ["claims[1]", "2025-08-16", "after the claim"]),
]


@pytest.mark.parametrize(("src", "old", "new", "words"), BAD, ids=[b[2][:20] for b in BAD])
def test_bad_input_is_one_line(
    tmp_path: Path, src: Path, old: str, new: str, words: list[str]
) -> None:
    files = {"person": PERSON, "claim": CLAIM, "history": HISTORY}
    files[src.stem] = _edit(tmp_path, src, old, new)
    r = yibao(
        "settle",
        "--policy",
        "demo-north",
        *(x for k, v in files.items() for x in (f"--{k}", v)),
    )
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    message = " ".join(r.stderr.split())  # the console may wrap a long line
    assert message.startswith("error:")
    for w in words:
        assert w in message, message
    assert src.name in message


def test_unknown_policy_and_missing_file() -> None:
    r = yibao("settle", "--policy", "atlantis", "--person", PERSON, "--claim", CLAIM)
    assert r.returncode == 2 and "unknown policy pack 'atlantis'" in r.stderr
    r = yibao("settle", "--policy", "demo-north", "--person", "nope.json", "--claim", CLAIM)
    assert r.returncode == 2 and "nope.json: cannot read" in r.stderr
    assert "Traceback" not in r.stderr


def test_date_outside_every_policy_version(tmp_path: Path) -> None:
    claim = tmp_path / "claim.json"
    claim.write_text(CLAIM.read_text(encoding="utf-8").replace("2025-06-0", "2019-06-0"))
    r = yibao("settle", "--policy", "demo-north", "--person", PERSON, "--claim", claim)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    message = " ".join(r.stderr.split())
    for w in ("claim.json: discharge_date", "2019-06-07", "outside every version", "demo-north"):
        assert w in message, message

"""The strict rule-pack loader: errors name the file, line and key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.supervision.pack import demo_pack, load_pack, parse_pack
from yibao.supervision.rules import RULES

HEAD = "pack: t\nregion: '990000'\ntitle: test\nsource: test\nrules:\n"


def parse(body: str) -> object:
    return parse_pack(HEAD + body, "t.yaml", RULES)


def test_demo_pack_enables_every_rule() -> None:
    pack = demo_pack(RULES)
    assert set(pack.values) == set(RULES)
    assert pack.values["SPLIT_ADMISSION"]["max_gap_days"] == 15


def test_defaults_fill_missing_parameters_and_disabled_rules_drop_out() -> None:
    pack = parse(
        "  SPLIT_ADMISSION: {max_gap_days: 30}\n  LOS_MISMATCH: {enabled: false}\n"
        "  LOW_THRESHOLD_ADMISSION: {factor: 1.5}\n  CARD_SHARING:\n"
    )
    assert pack.values["SPLIT_ADMISSION"] == {"max_gap_days": 30, "dx_chars": 3}
    assert pack.values["LOW_THRESHOLD_ADMISSION"]["factor"] == Decimal("1.5")
    assert "LOS_MISMATCH" not in pack.values and "CARD_SHARING" in pack.values


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  NO_SUCH_RULE: {}\n", "t.yaml:6: rules.NO_SUCH_RULE: unknown rule code"),
        (
            "  SPLIT_ADMISSION: {max_gap_days: fifteen}\n",
            "t.yaml:6: rules.SPLIT_ADMISSION.max_gap_days: must be a whole number, got 'fifteen'",
        ),
        (
            "  SPLIT_ADMISSION:\n    max_gap_days: 1.5\n",
            "t.yaml:7: rules.SPLIT_ADMISSION.max_gap_days: must be a whole number",
        ),
        ("  SPLIT_ADMISSION: {gap: 3}\n", "t.yaml:6: rules.SPLIT_ADMISSION.gap: unknown parameter"),
        (
            "  QTY_DAILY: {per_day_items: XS0001}\n",
            "rules.QTY_DAILY.per_day_items: must be a list of codes",
        ),
        (
            "  SUBSTITUTION: {min_level: {XS0308: L4}}\n",
            "rules.SUBSTITUTION.min_level.XS0308: must be one of L1|L2|L3",
        ),
        ("  LOS_MISMATCH: {enabled: yes}\n", "rules.LOS_MISMATCH.enabled: must be true or false"),
        ("  BED_HOLDING: {min_los: true}\n", "rules.BED_HOLDING.min_los: must be a whole number"),
    ],
)
def test_errors_name_file_line_and_key(body: str, message: str) -> None:
    with pytest.raises(InputError) as e:
        parse(body)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_missing_and_unknown_top_level_keys() -> None:
    with pytest.raises(InputError, match="missing key 'rules'"):
        parse_pack("pack: t\nregion: x\ntitle: t\nsource: s\n", "t.yaml", RULES)
    with pytest.raises(InputError, match=r"t\.yaml:1: colour: unknown key"):
        parse_pack("colour: red\n" + HEAD, "t.yaml", RULES)


def test_load_pack_from_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + "  FREQUENT_VISITS: {max_claims_per_month: 10}\n", encoding="utf-8")
    assert load_pack(path, RULES).values == {"FREQUENT_VISITS": {"max_claims_per_month": 10}}

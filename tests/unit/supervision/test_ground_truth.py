"""Seeded fraud in a small synthetic province: the goals of the rule library and the model."""

from __future__ import annotations

import ibis
import pytest

from yibao.policy.catalogue import demo_catalogue
from yibao.supervision.anomaly import review_sample, roc_auc
from yibao.supervision.evaluate import AUC_GOAL, PRECISION_GOAL, evaluate
from yibao.supervision.pack import demo_pack
from yibao.supervision.rules import RULES
from yibao.supervision.screen import screen
from yibao.synth import SynthConfig
from yibao.synth.fraud import PATTERNS, seed_fraud
from yibao.synth.generate import generate


@pytest.fixture(scope="module")
def measured() -> tuple[object, object, object]:
    data = generate(SynthConfig(seed=20250101, year=2025, persons=3000))
    seeded = seed_fraud(data.tables(), 0.03, 11)
    result = screen(
        {k: ibis.memtable(v) for k, v in seeded.tables.items()}, demo_pack(RULES), demo_catalogue()
    )
    prov = result.providers.table
    fraud = set(seeded.fraud_providers.column(0).to_pylist())
    seeded_rules = {k: v for k, v in result.rules.items() if k in PATTERNS}
    ev = evaluate(
        result.hits, seeded.labels, seeded_rules, list(prov.provider_id), list(prov.score), fraud
    )
    return seeded, result, ev


def test_every_pattern_is_seeded_and_labelled(measured: tuple[object, object, object]) -> None:
    seeded, _, _ = measured
    assert set(seeded.labels.column("pattern").to_pylist()) == set(PATTERNS)  # type: ignore[attr-defined]
    assert set(PATTERNS) <= set(RULES)


def test_rule_precision_and_recall_goals(measured: tuple[object, object, object]) -> None:
    _, _, ev = measured
    for m in ev.rules:  # type: ignore[attr-defined]
        assert m.labelled > 0, m.code
        assert m.precision >= PRECISION_GOAL, (m.code, m.precision)
        assert m.recall >= 0.9, (m.code, m.recall)


def test_provider_auc_goal(measured: tuple[object, object, object]) -> None:
    _, result, ev = measured
    assert ev.provider_auc >= AUC_GOAL  # type: ignore[attr-defined]
    top = result.providers.table.sort_values("score", ascending=False).iloc[0]  # type: ignore[attr-defined]
    assert "peer z" in top.explanation


def test_roc_auc_and_review_sample() -> None:
    assert roc_auc([True, False, False], [0.9, 0.1, 0.2]) == 1.0
    assert roc_auc([True, False], [0.5, 0.5]) == 0.5
    ids = [f"H{i}" for i in range(50)]
    drawn = review_sample(ids, [100.0 if i == 7 else 0.0 for i in range(50)], 3, seed=1)
    assert len(set(drawn)) == 3 and "H7" in drawn

"""Measuring the rules and scores on seeded ground truth (:mod:`yibao.synth.fraud`).

For a rule R: precision = hits of R on claims labelled with pattern R ÷ hits of R (strict:
a hit on a claim seeded with another pattern counts as a false positive); recall = labelled
claims of pattern R that R hits ÷ labelled claims of R. Provider-level rules compare
provider ids. The anomaly model is measured by the ROC AUC of the provider score against
the set of fraudulent providers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from yibao.supervision.anomaly import roc_auc
from yibao.supervision.rules import Rule

PRECISION_GOAL = 0.95
AUC_GOAL = 0.9


@dataclass(frozen=True)
class RuleMetric:
    code: str
    hits: int
    labelled: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.hits if self.hits else float("nan")

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else float("nan")


@dataclass(frozen=True)
class Evaluation:
    rules: tuple[RuleMetric, ...]
    provider_auc: float
    providers: int
    fraud_providers: int

    def failures(self) -> list[str]:
        out = [
            f"{m.code}: precision {m.precision:.3f} < {PRECISION_GOAL}"
            for m in self.rules
            if m.hits and m.precision < PRECISION_GOAL
        ]
        out += [f"{m.code}: no labelled cases" for m in self.rules if not m.labelled]
        if not self.provider_auc >= AUC_GOAL:
            out.append(f"provider AUC {self.provider_auc:.3f} < {AUC_GOAL}")
        return out


def evaluate(
    hits: pa.Table,
    labels: pa.Table,
    rules: Mapping[str, Rule],
    provider_ids: list[str],
    provider_scores: list[float],
    fraud_providers: set[str],
) -> Evaluation:
    h = hits.to_pylist()
    lab = labels.to_pylist()
    metrics = []
    for code, rule in rules.items():
        key = "provider_id" if rule.level == "provider" else "claim_id"
        got = {r[key] for r in h if r["rule_code"] == code and r[key] is not None}
        truth = {r[key] for r in lab if r["pattern"] == code and r[key] is not None}
        metrics.append(RuleMetric(code, len(got), len(truth), len(got & truth)))
    auc = roc_auc([p in fraud_providers for p in provider_ids], provider_scores)
    return Evaluation(tuple(metrics), auc, len(provider_ids), len(fraud_providers))

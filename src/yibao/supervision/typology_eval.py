"""Measuring supervision on fraud written from the typologies (:mod:`yibao.synth.typology`).

Claim level: a labelled claim is found when any rule hits it. Per pattern family:
recall = found ÷ labelled; net recall = recall − the hit rate of untouched claims of the same
visit type (what a claim is hit for anyway); precision = hit claims that are labelled ÷ hit
claims. Natural hits: per rule, claims hit on the clean province (no fraud injected).
Provider and person scores: ROC AUC against the fraudulent providers / persons, and the
precision of the top k (k = the number of fraudulent ones), since inspectors open a short list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from yibao.supervision.anomaly import roc_auc

RECALL_GOAL = 0.60
FAMILY_FLOOR = 0.30
PROVIDER_AUC_GOAL = 0.85
NATURAL_GOAL = 0.01
PRECISION_GOAL = 0.50


@dataclass(frozen=True)
class FamilyMetric:
    family: str
    labelled: int
    found: int
    background: float  # hit rate of untouched claims of the family's visit types

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else float("nan")

    @property
    def net_recall(self) -> float:
        return max(0.0, self.recall - self.background)


@dataclass(frozen=True)
class TypologyEvaluation:
    families: tuple[FamilyMetric, ...]
    precision: float  # hit claims that are labelled ÷ hit claims
    hit_claims: int
    natural: dict[str, int]  # rule -> claims hit on the clean province
    clean_claims: int
    clean_hit_claims: int
    provider_auc: float
    provider_top_k: float
    person_auc: float
    person_top_k: float
    k_providers: int
    k_persons: int

    @property
    def macro_recall(self) -> float:
        return sum(m.recall for m in self.families) / len(self.families)

    @property
    def macro_net_recall(self) -> float:
        return sum(m.net_recall for m in self.families) / len(self.families)

    @property
    def natural_share(self) -> float:
        return self.clean_hit_claims / self.clean_claims if self.clean_claims else 0.0

    def failures(self) -> list[str]:
        out = []
        if self.macro_recall < RECALL_GOAL:
            out.append(f"macro recall {self.macro_recall:.3f} < {RECALL_GOAL}")
        out += [
            f"{m.family}: recall {m.recall:.3f} < {FAMILY_FLOOR}"
            for m in self.families
            if m.recall < FAMILY_FLOOR
        ]
        if not self.provider_auc >= PROVIDER_AUC_GOAL:
            out.append(f"provider AUC {self.provider_auc:.3f} < {PROVIDER_AUC_GOAL}")
        if self.natural_share > NATURAL_GOAL:
            out.append(f"natural hits {self.natural_share:.4f} > {NATURAL_GOAL}")
        if self.precision < PRECISION_GOAL:
            out.append(f"hit precision {self.precision:.3f} < {PRECISION_GOAL}")
        return out


def top_k_precision(ids: Sequence[str], scores: Sequence[float], truth: set[str], k: int) -> float:
    """Share of the ``k`` highest-scored ids that are in ``truth``."""
    if k <= 0:
        return float("nan")
    order = sorted(zip(scores, ids, strict=False), key=lambda x: -x[0])[:k]
    return sum(1 for _, i in order if i in truth) / len(order)


def evaluate_typology(
    hits: pa.Table,
    labels: pa.Table,
    claims: pa.Table,
    clean_hits: pa.Table,
    clean_claims: int,
    providers: pd.DataFrame,
    persons: pd.DataFrame,
    fraud_providers: set[str],
    fraud_persons: set[str],
) -> TypologyEvaluation:
    """Figures of :class:`TypologyEvaluation` from the hits on the injected province, its
    labels and claims, the hits on the clean province, and the two score tables."""
    h = hits.to_pandas()
    h = h[h.claim_id.notna()]
    hit_ids = set(h.claim_id)
    lab = labels.to_pandas()
    c = claims.select(["claim_id", "visit_type"]).to_pandas()
    labelled = set(lab.claim_id)
    untouched = c[~c.claim_id.isin(labelled)]
    bg = untouched.assign(hit=untouched.claim_id.isin(hit_ids)).groupby("visit_type").hit.mean()
    vt = c.set_index("claim_id").visit_type
    fams = []
    for fam, g in lab.groupby("pattern", sort=True):
        types = g.claim_id.map(vt).dropna()
        background = float(types.map(bg).fillna(0.0).mean()) if len(types) else 0.0
        fams.append(FamilyMetric(str(fam), len(g), int(g.claim_id.isin(hit_ids).sum()), background))
    precision = len(hit_ids & labelled) / len(hit_ids) if hit_ids else float("nan")
    ch = clean_hits.to_pandas()
    ch = ch[ch.claim_id.notna()]
    natural = {str(k): int(v) for k, v in ch.groupby("rule_code").claim_id.nunique().items()}
    pids, pscores = list(providers.provider_id), list(providers.score)
    qids, qscores = list(persons.person_id), list(persons.score)
    return TypologyEvaluation(
        families=tuple(fams),
        precision=precision,
        hit_claims=len(hit_ids),
        natural=natural,
        clean_claims=clean_claims,
        clean_hit_claims=ch.claim_id.nunique(),
        provider_auc=roc_auc([p in fraud_providers for p in pids], pscores),
        provider_top_k=top_k_precision(pids, pscores, fraud_providers, len(fraud_providers)),
        person_auc=roc_auc([p in fraud_persons for p in qids], qscores),
        person_top_k=top_k_precision(qids, qscores, fraud_persons, len(fraud_persons)),
        k_providers=len(fraud_providers),
        k_persons=len(fraud_persons),
    )

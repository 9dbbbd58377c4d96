"""Anomaly scores (异常评分): providers and persons compared with their peers.

Features are aggregated with Ibis (the same expressions run on DuckDB or Spark) and scored
in memory, where the tables are small (one row per provider or person):

* provider features: cost per case against the case mix (actual ÷ expected, where expected is
  the province mean of the claim's visit type × 3-character main diagnosis), drug share,
  30-day readmission rate, outlier share (claims above the 95th percentile of their case-mix
  cell) and the rate of every rule's hits per claim;
* each feature is turned into a robust z-score within the provider's peer group (kind ×
  level: a township hospital is compared with township hospitals), then an isolation forest
  (scikit-learn) scores the z-scores. A provider's explanation is the features whose
  replacement by the peer median lowers its score most.

Ratios here are statistics for ranking, not money: floats are fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from yibao.supervision.rules.base import Frame

BASE_FEATURES = ("cost_index", "drug_share", "readmission_rate", "outlier_share", "hit_share")


@dataclass(frozen=True)
class Scores:
    """Scores (higher = more unusual), the z-scored features, and explanations."""

    table: pd.DataFrame  # id, peer_group, score, rank, explanation, then the raw features
    features: pd.DataFrame  # the peer z-scores the model saw


def _claim_costs(f: Frame) -> ir.Table:
    c = f.claims.filter(f.claims.n_lines > 0)
    c = c.mutate(total=c.total_fen, drug=c.drug_fen)
    cell = c.visit_type.concat(":", c.main_dx.left(3))
    c = c.mutate(cell=cell)
    stats = c.group_by("cell").aggregate(expected=c.total.mean(), p95=c.total.quantile(0.95))
    return c.join(stats, "cell")


def provider_features(f: Frame, hits: ir.Table, rule_codes: Sequence[str]) -> pd.DataFrame:
    """One row per provider: peer group, claim count and the raw features."""
    c = _claim_costs(f)
    base = c.group_by("provider_id").aggregate(
        n_claims=c.count(),
        cost_index=c.total.sum().cast("float64") / c.expected.sum(),
        drug_share=c.drug.sum().cast("float64") / c.total.sum().nullif(0).cast("float64"),
        outlier_share=(c.total > c.p95).cast("float64").mean(),
    )
    ip = f.claims.filter(f.claims.visit_type == "inpatient")
    nxt = ip.view()
    re = (
        ip.join(
            nxt,
            (ip.person_id == nxt.person_id)
            & (ip.claim_id != nxt.claim_id)
            & (nxt.admit_date >= ip.discharge_date)
            & (nxt.admit_date.delta(ip.discharge_date, unit="day") <= 30),
        )
        .select(claim_id=ip.claim_id)
        .distinct()
        .mutate(re=ibis.literal(1.0))
    )
    ipr = ip.left_join(re, ip.claim_id == re.claim_id)
    rr = ipr.group_by("provider_id").aggregate(readmission_rate=ipr.re.fill_null(0.0).mean())
    h = hits.filter(hits.provider_id.notnull())
    by_rule = h.group_by(["provider_id", "rule_code"]).aggregate(
        n=h.claim_id.nunique() + h.claim_id.isnull().cast("int64").max()
    )
    any_hit = h.group_by("provider_id").aggregate(n_hit=h.claim_id.nunique())
    p = f.providers.select("provider_id", "kind", "level")
    out = (
        p.left_join(base, "provider_id")
        .drop("provider_id_right")
        .left_join(rr, "provider_id")
        .drop("provider_id_right")
        .left_join(any_hit, "provider_id")
        .drop("provider_id_right")
    ).to_pandas()
    wide = by_rule.to_pandas().pivot_table(
        index="provider_id", columns="rule_code", values="n", aggfunc="sum", fill_value=0
    )
    out = out.fillna({"n_claims": 0, "readmission_rate": 0.0, "n_hit": 0})
    n = out.n_claims.clip(lower=1)
    out["hit_share"] = out.n_hit / n
    for code in rule_codes:
        col = wide[code] if code in wide.columns else 0
        out[f"rate_{code}"] = (
            out.provider_id.map(col).fillna(0) / n if code in wide.columns else 0.0
        )
    out["peer_group"] = out.kind + ":" + out.level
    return out.drop(columns=["n_hit"]).fillna(0.0)


def person_features(f: Frame, hits: ir.Table) -> pd.DataFrame:
    """One row per person with claims: volume, spread and rule hits."""
    c = _claim_costs(f)
    per = c.group_by("person_id").aggregate(
        n_claims=c.count(),
        total_fen=c.total.sum(),
        cost_index=c.total.sum().cast("float64") / c.expected.sum(),
        n_providers=c.provider_id.nunique(),
        n_regions=c.provider_region.nunique(),
        n_days=c.admit_date.nunique(),
    )
    h = hits.filter(hits.person_id.notnull())
    hp = h.group_by("person_id").aggregate(n_hits=h.count(), n_rules=h.rule_code.nunique())
    out = per.left_join(hp, "person_id").drop("person_id_right").to_pandas()
    out = out.fillna({"n_hits": 0, "n_rules": 0})
    out["claims_per_day"] = out.n_claims / out.n_days.clip(lower=1)
    out["peer_group"] = "all"
    return out


def _robust_z(frame: pd.DataFrame, cols: Sequence[str], group: str) -> pd.DataFrame:
    z = pd.DataFrame(index=frame.index)
    for col in cols:
        g = frame.groupby(group)[col]
        med = g.transform("median")
        mad = g.transform(lambda v: (v - v.median()).abs().median())
        spread = g.transform("std").fillna(0.0)
        scale = (1.4826 * mad).where(mad > 0, spread).where(lambda s: s > 0, 1e-3)
        z[col] = ((frame[col] - med) / scale).clip(-50, 50).astype(float)
    return z


def score(
    frame: pd.DataFrame,
    id_col: str,
    cols: Sequence[str],
    *,
    seed: int = 0,
    top: int = 3,
    explain: int = 100,
) -> Scores:
    """Isolation-forest scores over peer z-scores, with the features that drove the
    ``explain`` highest scores (the others get an empty explanation)."""
    cols = [c for c in cols if c in frame.columns]
    z = _robust_z(frame, cols, "peer_group")
    x = z.to_numpy()
    if len(frame) == 0:
        return Scores(frame.assign(score=[], rank=[], explanation=[]), z)
    model = IsolationForest(n_estimators=200, random_state=seed).fit(x)
    s = -model.score_samples(x)
    explanations = [""] * len(x)
    for i in np.argsort(-s)[:explain]:
        base = s[i]
        trial = np.repeat(x[i : i + 1], len(cols), axis=0)
        np.fill_diagonal(trial, 0.0)  # each feature in turn at its peer median
        drop = base + model.score_samples(trial)  # how much the score falls
        order = np.argsort(-drop)[:top]
        explanations[i] = "; ".join(
            f"{cols[j]}={frame[cols[j]].iloc[i]:.3g} (peer z {x[i, j]:+.1f})"
            for j in order
            if drop[j] > 0
        )
    out = frame.copy()
    out["score"] = s
    out["rank"] = out.score.rank(ascending=False, method="first").astype(int)
    out["explanation"] = explanations
    lead = [id_col, "peer_group", "score", "rank", "explanation"]
    return Scores(out[lead + [c for c in out.columns if c not in lead]], z)


def provider_scores(f: Frame, hits: ir.Table, rule_codes: Sequence[str], seed: int = 0) -> Scores:
    feats = provider_features(f, hits, rule_codes)
    cols = [*BASE_FEATURES, *(f"rate_{c}" for c in rule_codes)]
    return score(feats, "provider_id", cols, seed=seed)


def person_scores(f: Frame, hits: ir.Table, seed: int = 0) -> Scores:
    feats = person_features(f, hits)
    cols = [
        "n_claims",
        "cost_index",
        "n_providers",
        "n_regions",
        "claims_per_day",
        "n_hits",
        "n_rules",
    ]
    return score(feats, "person_id", cols, seed=seed)


def review_sample(ids: Sequence[str], scores: Sequence[float], n: int, seed: int = 0) -> list[str]:
    """Draw ``n`` ids for manual review without replacement, with probability ∝ score.

    Scores are shifted to be positive so every unit keeps some chance (a sample that only
    ever looks at the top would never learn what it misses).
    """
    if n <= 0 or not ids:
        return []
    w = np.asarray(scores, dtype=float)
    w = w - w.min() + 1e-3
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(ids), size=min(n, len(ids)), replace=False, p=w / w.sum())
    return [ids[i] for i in pick]


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney), ties counted half."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))

"""Fund supervision (基金监管): a rule library, anomaly scores, cases and clawbacks.

Rules are Ibis expressions over the claims tables (DuckDB by default, Spark the same code);
their thresholds come from a strict YAML rule pack (:mod:`yibao.supervision.pack`). Anomaly
scores, the case state machine and the provider credit score are pure Python.
"""

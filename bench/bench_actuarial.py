"""Benchmark of the actuarial Monte Carlo and the adjustment-fund simulation.

10 000 paths × 30 years × 12 prefectures (the shipped demo province, horizon moved to 30 years):
the central and sensitivity projections, the Monte Carlo draws of both funds, the pooling rules
(adjustment fund, the heaviest mode) and the summaries. Run: ``python -m bench.bench_actuarial``.
"""

from __future__ import annotations

import json
import sys
import time
from importlib import resources

from yibao.actuarial.montecarlo import MORTALITY_STEP, simulate
from yibao.actuarial.params import Scenario, overlay, parse_assumptions
from yibao.actuarial.projection import project
from yibao.pooling.adjustment import simulate as pool
from yibao.pooling.adjustment import summarise
from yibao.pooling.run import inputs_from, rules_from

PATHS = 10_000
YEARS = 30
SEED = 20261125


def main(paths: int = PATHS, years: int = YEARS) -> dict[str, object]:
    text = (resources.files("yibao.actuarial") / "assumptions" / "default.yaml").read_text("utf-8")
    base = parse_assumptions(text, "default.yaml")
    start_year = int(base.number("base_year"))
    p = overlay(
        base,
        Scenario(
            "bench", "", "", {"horizon": start_year + years - 1, "pooling.mode": "adjustment"}
        ),
    )
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    central = project(p)
    low = project(p, mortality_factor=MORTALITY_STEP)
    timings["projection_s"] = time.perf_counter() - t0
    rules = rules_from(p)
    t_mc = t_pool = 0.0
    p_dry: dict[str, float] = {}
    for f, fund in enumerate(("employee_pooled", "resident_pooled")):
        t1 = time.perf_counter()
        mc = simulate(p, central, low, f, paths, SEED + f)
        t2 = time.perf_counter()
        x = inputs_from(p, central, mc, f)
        s = summarise(x, pool(x, rules))
        t3 = time.perf_counter()
        t_mc += t2 - t1
        t_pool += t3 - t2
        p_dry[fund] = s.p_any_dry
    total = time.perf_counter() - t0
    return {
        "paths": paths,
        "years": len(central.years),
        "prefectures": len(central.codes),
        "funds": 2,
        "projection_s": round(timings["projection_s"], 3),
        "monte_carlo_s": round(t_mc, 3),
        "pooling_and_summary_s": round(t_pool, 3),
        "total_s": round(total, 3),
        "path_years_per_s": round(paths * len(central.years) * len(central.codes) * 2 / total),
        "p_any_prefecture_dry": p_dry,
        "goal_s": 10.0,
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else PATHS
    print(json.dumps(main(n), indent=2))

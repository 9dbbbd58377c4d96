"""The fund projection a fund manager reads as a fan chart (基金精算预测): the shipped
actuarial assumptions and scenarios (:mod:`yibao.actuarial`, :mod:`yibao.pooling`), a few
hundred Monte Carlo paths, and the province's year-end balance of each fund at the 5th, 25th,
50th, 75th and 95th percentiles. Run once per scenario and kept: the inputs are the shipped
files, so the answer does not change while the process runs.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any

from yibao.actuarial.params import parse_assumptions, parse_scenarios
from yibao.errors import InputError

PATHS = 400
SEED = 20250101
QUANTILES = ("p5", "p25", "p50", "p75", "p95")

_CACHE: dict[str, dict[str, Any]] = {}
_LOCK = threading.Lock()


def _shipped(name: str) -> str:
    return (resources.files("yibao.actuarial") / "assumptions" / name).read_text("utf-8")


def scenarios() -> list[tuple[str, str]]:
    """(name, description) of the shipped scenarios."""
    base = parse_assumptions(_shipped("default.yaml"), "default.yaml")
    return [(s.name, s.description) for s in parse_scenarios(_shipped("scenarios.yaml"), base)]


def fan(scenario: str) -> dict[str, Any]:
    """``{"scenario", "years", "funds": [{"fund", "fan": {p5: [fen …], …}}]}`` for one
    shipped scenario; an unknown name is an :class:`InputError` naming the known ones."""
    from yibao.pooling.run import run_scenario

    with _LOCK:
        if scenario in _CACHE:
            return _CACHE[scenario]
        base = parse_assumptions(_shipped("default.yaml"), "default.yaml")
        known = {s.name: s for s in parse_scenarios(_shipped("scenarios.yaml"), base)}
        if scenario not in known:
            raise InputError(f"scenario: unknown {scenario!r} (known: {', '.join(sorted(known))})")
        r = run_scenario(base, known[scenario], PATHS, SEED)
        out = {
            "scenario": scenario,
            "description": r.description,
            "years": list(r.years),
            "paths": PATHS,
            "funds": [
                {"fund": f.fund, "fan": dict(zip(QUANTILES, f.province_balance_fan, strict=True))}
                for f in r.funds
            ],
        }
        _CACHE[scenario] = out
        return out

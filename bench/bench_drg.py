"""Benchmark of the CHS-DRG 1.1 grouper: cases per second of ``group_many`` in batch.

Cases are synthetic but drawn deterministically from the scheme tables so that they exercise
every rule type: for a random ADRG, a main diagnosis and procedures that fit it, plus random
secondary diagnoses (some MCC / CC). Run: ``python -m bench.bench_drg [N]``.
"""

from __future__ import annotations

import random
import sys
import time
from collections import deque

from yibao.payment.drg import DrgCase, Status, group_many, load_scheme
from yibao.payment.drg.scheme import Adrg, Mdc, Scheme

DEFAULT_N = 200_000
REPEATS = 3
SEED = 20261125


def _pick(rng: random.Random, codes: frozenset[str] | list[str]) -> str:
    pool = codes if isinstance(codes, list) else sorted(codes)
    return pool[rng.randrange(len(pool))]


class _Pools:
    """Sorted code lists, built once so the generator is deterministic and quick."""

    def __init__(self, s: Scheme) -> None:
        self.secondary = sorted(s.mcc) + sorted(s.cc) + sorted(s.dx_names)[:5000]
        self.procedures = sorted(s.proc_names)
        self.sorted: dict[tuple[str, str], list[str]] = {}

    def of(self, key: tuple[str, str], codes: frozenset[str]) -> list[str]:
        if key not in self.sorted:
            self.sorted[key] = sorted(codes)
        return self.sorted[key]


def _case(i: int, rng: random.Random, s: Scheme, mdc: Mdc, adrg: Adrg, pools: _Pools) -> DrgCase:
    if not mdc.main_dx:  # MDCA: any main diagnosis
        main_dx = _pick(rng, pools.secondary)
    elif adrg.main_dx is not None:
        main_dx = _pick(rng, pools.of((adrg.code, "dx"), adrg.main_dx & mdc.main_dx))
    else:
        main_dx = _pick(rng, pools.of((mdc.code, "dx"), mdc.main_dx))
    procs: list[str] = []
    if adrg.main_proc is not None:
        procs.append(_pick(rng, pools.of((adrg.code, "main_proc"), adrg.main_proc)))
    for n, codes in enumerate(adrg.proc_formula[0] if adrg.proc_formula else ()):
        procs.append(_pick(rng, pools.of((adrg.code, f"list{n}"), codes)))
    procs += [_pick(rng, pools.procedures) for _ in range(rng.randrange(3))]
    other = [_pick(rng, pools.secondary) for _ in range(rng.randrange(6))]
    if adrg.any_dx is not None:
        other.append(_pick(rng, pools.of((adrg.code, "any_dx"), adrg.any_dx)))
    if mdc.trauma_site:
        other.append(_pick(rng, pools.of((mdc.code, "trauma"), frozenset(mdc.trauma_site))))
    sex = mdc.sex or rng.choice((1, 2))
    newborn = mdc.age_years == 0
    return DrgCase(
        case_id=str(i),
        sex=sex,
        age_years=0 if newborn else rng.randrange(1, 95),
        age_days=rng.randrange(0, 60) if newborn else None,
        weight_g=rng.randrange(600, 4500) if newborn else None,
        los_days=rng.randrange(1, 30),
        discharge_status="1",
        main_dx=main_dx,
        other_dx=tuple(other),
        procedures=tuple(procs),
    )


def synthetic_cases(n: int, seed: int = SEED) -> list[DrgCase]:
    """``n`` cases, the same for the same seed and scheme."""
    s = load_scheme()
    rng = random.Random(seed)
    pools = _Pools(s)
    pairs = [(m, a) for m in s.mdcs for a in m.adrgs]
    return [_case(i, rng, s, *pairs[rng.randrange(len(pairs))], pools) for i in range(n)]


def _best_of(repeats: int, cases: list[DrgCase], scheme: Scheme) -> tuple[float, float]:
    """Best wall and CPU seconds over a few runs: a shared machine only ever slows a run."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        deque(group_many(cases, scheme), maxlen=0)
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


def main(n: int = DEFAULT_N) -> dict[str, float]:
    s = load_scheme()
    cases = synthetic_cases(n)
    wall, cpu = _best_of(REPEATS, cases, s)
    sample = cases[: max(n // 10, 1)]
    start = time.perf_counter()
    deque(group_many(sample, s, explain=True), maxlen=0)
    explained = time.perf_counter() - start
    grouped = sum(r.status is Status.GROUPED for r in group_many(cases, s))
    report = {
        "drg_cases": float(n),
        "drg_cases_per_second": n / wall,
        "drg_cases_per_cpu_second": n / cpu,
        "drg_explain_cases_per_second": len(sample) / explained,
        "drg_grouped_share": grouped / n,
    }
    print(
        f"drg: {n} cases, best of {REPEATS}: {wall:.3f} s = "
        f"{report['drg_cases_per_second']:,.0f} cases/s "
        f"({report['drg_cases_per_cpu_second']:,.0f} per CPU s; "
        f"with explanations {report['drg_explain_cases_per_second']:,.0f}/s; "
        f"grouped {report['drg_grouped_share']:.1%})"
    )
    return report


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_N)

"""``make bench``: every benchmark in one run, figures printed and written to bench-out/.

``BENCH_ONLY=settle,drg`` runs a subset; ``BENCH_CLAIMS`` sets the batch-settlement size,
``BENCH_REFORM_CLAIMS`` the size of the reform benchmark.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import (
    bench_actuarial,
    bench_audit,
    bench_drg,
    bench_payment,
    bench_reform,
    bench_service,
    bench_settle,
    bench_web,
)

BENCHES: dict[str, Callable[[], Any]] = {
    "settle": lambda: bench_settle.main(int(os.environ.get("BENCH_CLAIMS", "10000000"))),
    "drg": bench_drg.main,
    "payment": bench_payment.main,
    "audit": bench_audit.main,
    "actuarial": bench_actuarial.main,
    "service": bench_service.main,
    "reform": lambda: bench_reform.main(int(os.environ.get("BENCH_REFORM_CLAIMS", "200000"))),
    "web": bench_web.main,
}


def main() -> None:
    only = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n]
    results: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    for name, run in BENCHES.items():
        if not only or name in only:
            print(f"== {name}")
            results[name] = run()
    out = Path("bench-out")
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written to {out / 'results.json'}")


if __name__ == "__main__":
    main()

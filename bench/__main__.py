"""``make bench``: every benchmark in one run, figures printed and written to bench-out/."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime
from pathlib import Path

from bench import bench_drg, bench_settle


def main() -> None:
    n = int(os.environ.get("BENCH_CLAIMS", "10000000"))
    results = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "settle": bench_settle.main(n),
        "drg": bench_drg.main(),
    }
    out = Path("bench-out")
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written to {out / 'results.json'}")


if __name__ == "__main__":
    main()

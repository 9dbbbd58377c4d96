"""``yibao reform``: re-settle a province's year under a policy reform and compare."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yibao.actuarial.history import parse_history
from yibao.actuarial.params import parse_thresholds
from yibao.commands.actuarial_cmd import read_input, shipped_assumptions
from yibao.jobs.reform_year import run_reform, write_outputs
from yibao.money import format_yuan
from yibao.policy.catalogue import demo_catalogue
from yibao.policy.registry import shipped_packs
from yibao.reform.compare import FUNDS
from yibao.reform.overlay import load_reform
from yibao.reform.summary import summary_json

FUND_NAMES = {
    "hifp_pay": "pooled fund 统筹基金",
    "hifob_pay": "large amount 大额",
    "hifmi_pay": "critical illness 大病保险",
    "maf_pay": "medical assistance 医疗救助",
}


def register(app: typer.Typer) -> None:
    @app.command("reform")
    def reform(
        province: Path = typer.Argument(..., help="province directory (the tables of yibao synth)"),
        reform_file: Path = typer.Option(..., "--reform", help="reform file (YAML overlay)"),
        out: Path = typer.Option(..., "--out", help="directory for the outputs"),
        year: int | None = typer.Option(
            None, "--year", help="year to settle (default: the latest discharge year)"
        ),
        history: Path | None = typer.Option(
            None, "--history", help="fund history YAML (default: the demo province's)"
        ),
        thresholds: Path | None = typer.Option(
            None, "--thresholds", help="warning thresholds YAML"
        ),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    ) -> None:
        """Settle the year under the baseline and the reform, and report what changes."""
        parsed = load_reform(reform_file)
        h_path = history or shipped_assumptions("demo-history.yaml")
        t_path = thresholds or shipped_assumptions("warning.yaml")
        rows, _ = parse_history(read_input(h_path), str(h_path) if history else h_path.name)
        limits = parse_thresholds(read_input(t_path), str(t_path) if thresholds else t_path.name)
        registry = shipped_packs()
        console = Console(stderr=as_json)
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("reading", total=4)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(
                    task, description=f"{stage} ({done + 1}/{total})", completed=done, total=total
                )

            run = run_reform(
                province,
                parsed,
                registry,
                demo_catalogue(),
                rows,
                limits,
                year,
                progress,
            )
        codes = {g.key for g in run.summary.groups["prefecture"]} | set(run.summary.regions)
        meta = {
            "regions": {code: registry.by_region(code).name for code in sorted(codes)},
            "run_time": datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
        paths = write_outputs(run, out, meta)
        s = run.summary
        if as_json:
            print(json.dumps(summary_json(s), indent=2, ensure_ascii=False))
            return
        table = Table(title=f"{parsed.name} — {s.claims:,} claims, {s.year}, from {parsed.start}")
        for col in ("payer", "baseline (yuan)", "reform (yuan)", "change (yuan)"):
            table.add_column(col, justify="left" if col == "payer" else "right")
        for f in FUNDS:
            before, after = s.funds[f]
            table.add_row(FUND_NAMES[f], format_yuan(before), format_yuan(after),
                          format_yuan(after - before))  # fmt: skip
        table.add_row(
            "out-of-pocket 个人负担",
            format_yuan(s.oop[0]),
            format_yuan(s.oop[1]),
            format_yuan(s.oop[1] - s.oop[0]),
        )
        console.print(table)
        console.print(
            f"{s.gains.gainers:,} persons pay less, {s.gains.losers:,} pay more; "
            f"catastrophic spending (WHO 40 %): {s.che[-1].base:,} → {s.che[-1].reform:,} persons"
        )
        console.print(
            "settled in "
            + ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items())
            + f"\nreport → {paths['report']}\nper-claim → {paths['claims']}"
            + f"\nper-person → {paths['persons']}"
        )

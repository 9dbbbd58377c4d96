"""``yibao demo``: the main job on the embedded default (DuckDB), no server needed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yibao.errors import InputError
from yibao.jobs.demo import run_demo
from yibao.money import format_yuan
from yibao.policy.registry import shipped_packs
from yibao.synth import SynthConfig


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("demo-out"), "--out", help="directory for the outputs"),
        persons: int = typer.Option(100_000, "--persons", help="insured persons to synthesise"),
        seed: int = typer.Option(20250101, "--seed", help="random seed"),
        year: int = typer.Option(2025, "--year", help="claim year"),
    ) -> None:
        """Synthesise a province, settle its year claim by claim, and write a report."""
        try:
            config = SynthConfig(seed=seed, year=year, persons=persons)
        except ValueError as e:
            raise InputError(f"demo: {e}") from None
        console = Console()
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("synthesising", total=1)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=max(total, 1))

            result = run_demo(out, shipped_packs(), config, progress)
        t = result.summary.totals
        table = Table(
            title=f"{result.year.claims:,} claims of {result.year.persons:,} persons, {year}"
        )
        table.add_column("part")
        table.add_column("yuan", justify="right")
        for label, fen in (
            ("total expense 医疗费总额", t.total),
            ("policy scope 政策范围内", t.scope),
            ("pooled fund 统筹基金", t.pooled_fund),
            ("large amount 大额", t.large_amount),
            ("critical illness 大病保险", t.critical_illness),
            ("medical assistance 医疗救助", t.assistance),
            ("individual account 个人账户", t.account),
            ("cash 个人现金", t.cash),
        ):
            table.add_row(label, format_yuan(fen))
        console.print(table)
        if result.ltc is not None:
            ltc = result.ltc
            console.print(
                f"long-term care (synthetic): {ltc.assessed:,} disabled elderly assessed, "
                f"{ltc.eligible:,} paid, fund {format_yuan(ltc.fund)}, "
                f"financing {format_yuan(sum(ltc.income.values()))}",
                highlight=False,
            )
        console.print(
            f"synthesised in {result.synth_seconds:.1f} s, settled in {result.settle_seconds:.1f} s\n"
            f"report:      {result.report}\nsettlements: {result.settlements}\n"
            "web console: yibao serve --demo  (then http://127.0.0.1:8000/ui/, logins printed)"
        )

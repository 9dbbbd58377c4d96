"""``yibao batch settle``: settle a province's year of claims with the kernel (批量结算)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from yibao.errors import InputError

ENGINES = ("duckdb", "spark")


def register(app: typer.Typer) -> None:
    batch = typer.Typer(help="Settle whole tables of claims.", no_args_is_help=True)
    app.add_typer(batch, name="batch")

    @batch.command("settle")
    def settle(
        province: Path = typer.Argument(..., help="directory of the province tables"),
        out: Path = typer.Option(..., "--out", help="directory for settlements.parquet"),
        engine: str = typer.Option("duckdb", "--engine", help="duckdb | spark (local)"),
        year: int = typer.Option(2025, "--year", help="settle the claims discharged in this year"),
    ) -> None:
        """Settle every claim of a year from persons, providers, claims and claim_lines
        Parquet tables (the columns are listed in docs; `yibao synth` writes them)."""
        from yibao.jobs.settle_year import settle_year, settle_year_spark, write_settlements
        from yibao.policy.catalogue import demo_catalogue
        from yibao.policy.registry import shipped_packs

        if engine not in ENGINES:
            raise InputError(f"--engine: {engine!r} is not one of {', '.join(ENGINES)}")
        if not province.is_dir():
            raise InputError(f"{province}: not a directory of province tables")
        console = Console(stderr=True)
        started = time.perf_counter()
        columns = (TextColumn("settling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("settle", total=None)

            def report(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            run = settle_year if engine == "duckdb" else settle_year_spark
            result = run(province, shipped_packs(), demo_catalogue(), year, progress=report)
        out.mkdir(parents=True, exist_ok=True)
        target = out / "settlements.parquet"
        write_settlements(result.settlements, target)
        seconds = time.perf_counter() - started
        fund = sum(result.settlements.column("fund_pay_sumamt").to_pylist() or [0])
        Console().print(
            f"settled {result.claims:,} claims of {result.persons:,} persons ({year}, {engine}) "
            f"in {seconds:.1f} s; fund pays {fund / 100:,.2f} yuan → {target}",
            highlight=False,
        )

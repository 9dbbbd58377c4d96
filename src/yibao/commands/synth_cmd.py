"""``yibao synth``: generate a synthetic province as Parquet files."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yibao.errors import InputError
from yibao.synth import SynthConfig, generate_to_parquet


def _config(persons: int, seed: int, year: int) -> SynthConfig:
    try:
        return SynthConfig(seed=seed, year=year, persons=persons)
    except ValueError as e:
        raise InputError(f"synth: {e}") from None


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        out: Path = typer.Option(..., "--out", help="directory for the Parquet files"),
        persons: int = typer.Option(30_000, "--persons", help="number of insured persons"),
        seed: int = typer.Option(20250101, "--seed", help="random seed (same seed, same data)"),
        year: int = typer.Option(2025, "--year", help="claim year"),
        fraud: float | None = typer.Option(
            None, "--fraud", help="seed labelled fraud patterns at this rate (labels.parquet)"
        ),
    ) -> None:
        """Generate a synthetic demo province: persons, employers, providers, claims, lines."""
        config = _config(persons, seed, year)
        console = Console()
        started = time.perf_counter()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("persons and providers", total=config.persons)

            def report(stage: str, done: int, total: int) -> None:
                bar.update(task, description=f"{stage} (persons done)", completed=done)

            if fraud is None:
                rows = generate_to_parquet(config, out, report)
            else:
                from yibao.synth.fraud import generate_with_fraud

                rows = generate_with_fraud(config, out, fraud, report)
        elapsed = time.perf_counter() - started
        table = Table(title=f"synthetic province, seed {seed}, year {year} → {out}")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in rows.items():
            table.add_row(f"{name}.parquet", f"{count:,}")
        console.print(table)
        console.print(f"generated in {elapsed:.1f} s (synthetic data: not real persons)")

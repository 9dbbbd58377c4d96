"""``yibao drg``: group discharge records into DRGs (CHS-DRG) and explain one grouping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from yibao.payment.drg import DEFAULT_SCHEME, DrgCase, DrgResult, group, group_many, load_scheme
from yibao.payment.drg.files import parse_case, read_cases, write_results
from yibao.payment.drg.scheme import Scheme


def register(app: typer.Typer) -> None:
    drg = typer.Typer(
        help="DRG grouping (疾病诊断相关分组): group and explain.", no_args_is_help=True
    )

    @drg.command("group")
    def group_cmd(
        input_file: Path = typer.Argument(..., help="cases, .csv or .parquet"),
        output: Path = typer.Option(..., "-o", "--output", help="results, .csv or .parquet"),
        scheme: str = typer.Option(DEFAULT_SCHEME, "--scheme", help="scheme name or directory"),
        explain: bool = typer.Option(False, "--explain", help="add a 'path' column"),
    ) -> None:
        """Group every case of INPUT_FILE; write case_id, mdc, adrg, drg, status, reason."""
        s = load_scheme(scheme)
        total, batches = read_cases(input_file)
        counts: Counter[str] = Counter()
        err = Console(stderr=True)
        with Progress(
            TextColumn("grouping"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task("grouping", total=total)
            results = _grouped(batches, s, explain, counts, lambda n: progress.advance(task, n))
            written = write_results(output, results, explain)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        Console().print(
            f"{written} cases ({summary or 'none'}) -> {output}", highlight=False, soft_wrap=True
        )

    @drg.command("explain")
    def explain_cmd(
        main_dx: str = typer.Option(..., "--main-dx", help="main diagnosis code (主要诊断)"),
        sex: str = typer.Option(..., "--sex", help="1 male, 2 female"),
        age: str = typer.Option(..., "--age", help="age in years"),
        age_days: str = typer.Option("", "--age-days", help="age in days (when age is 0)"),
        weight: str = typer.Option("", "--weight", help="birth weight in grams"),
        other_dx: str = typer.Option("", "--other-dx", help="secondary diagnoses, a|b|c"),
        procedures: str = typer.Option("", "--procedures", help="procedures, main first, p|q"),
        scheme: str = typer.Option(DEFAULT_SCHEME, "--scheme", help="scheme name or directory"),
    ) -> None:
        """Group one case and print each step taken and why."""
        values = ("case", sex, age, age_days, weight, "", "", main_dx, other_dx, procedures)
        case = parse_case(values, "command line")
        _print_explanation(group(case, load_scheme(scheme), explain=True))

    app.add_typer(drg, name="drg")


def _grouped(
    batches: Iterator[list[DrgCase]],
    scheme: Scheme,
    explain: bool,
    counts: Counter[str],
    advance: Callable[[int], object] | None = None,
) -> Iterator[list[DrgResult]]:
    for batch in batches:
        results = list(group_many(batch, scheme, explain=explain))
        counts.update(str(r.status) for r in results)
        if advance is not None:
            advance(len(batch))
        yield results


def _print_explanation(result: DrgResult) -> None:
    out = Console()
    out.print(
        f"{result.status}: MDC {result.mdc}  ADRG {result.adrg}  DRG {result.drg}"
        + (f"  ({result.reason})" if result.reason else ""),
        highlight=False,
        soft_wrap=True,
    )
    for n, step in enumerate(result.path, start=1):
        out.print(f"  {n}. {step}", highlight=False, soft_wrap=True)

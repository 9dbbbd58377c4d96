"""``yibao warn``, ``yibao project`` and ``yibao pool simulate``: budgets, early warning,
projection and provincial pooling. The shell: reads files, calls the pure core, writes reports."""

from __future__ import annotations

import json
import time
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from yibao.actuarial.history import parse_history
from yibao.actuarial.params import (
    Parameters,
    Scenario,
    parse_assumptions,
    parse_scenarios,
    parse_thresholds,
)
from yibao.actuarial.population import Array
from yibao.errors import InputError
from yibao.report.output import write_report

LEVEL_STYLE = {
    "red": "bold white on red",
    "orange": "black on dark_orange",
    "normal": "green",
    "ample": "cyan",
    "excess": "bold blue",
}


def shipped_assumptions(name: str) -> Path:
    """A file shipped in ``yibao/actuarial/assumptions`` (defaults, demo history, thresholds)."""
    return Path(str(resources.files("yibao.actuarial") / "assumptions" / name))


def read_input(path: Path) -> str:
    """A user's input file as text; a missing or unreadable file is a one-line error."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e})") from None


def _write_text(path: Path, text: str) -> None:
    write_report(path, text)


def _write_json(path: Path, data: object) -> None:
    _write_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _write_parquet(path: Path, columns: dict[str, list[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from yibao.io.output import atomic_write

    atomic_write(path, lambda tmp: pq.write_table(pa.table(columns), tmp))


def _load(
    assumptions: Path | None, scenarios: Path | None, only: list[str]
) -> tuple[Parameters, list[Scenario], str, str]:
    a_path = assumptions or shipped_assumptions("default.yaml")
    s_path = scenarios or shipped_assumptions("scenarios.yaml")
    base = parse_assumptions(
        read_input(a_path), a_path.name if assumptions is None else str(a_path)
    )
    scs = list(
        parse_scenarios(read_input(s_path), base, s_path.name if scenarios is None else str(s_path))
    )
    if only:
        known = {s.name for s in scs}
        for name in only:
            if name not in known:
                raise InputError(
                    f"{s_path}: unknown scenario '{name}' (known: {', '.join(sorted(known))})"
                )
        scs = [s for s in scs if s.name in only]
    return base, scs, str(a_path.name), str(s_path.name)


def _curves(
    base: Parameters, data: Path | None, console: Console
) -> tuple[dict[str, Array] | None, str]:
    """Cost curves from a province's persons and settlements (or the assumptions)."""
    if data is None:
        return None, "assumptions"
    import numpy as np
    import pyarrow.parquet as pq

    from yibao.actuarial.projection import cost_curves, estimate_curves

    persons_path = data / "persons.parquet"
    if not persons_path.exists():
        raise InputError(f"{persons_path}: not found (expected `yibao synth` output)")
    year = int(base.number("base_year"))
    settled = data / "settlements.parquet"
    if settled.exists():
        table = pq.read_table(settled, columns=["person_id", "hifp_pay", "settle_date"])
    else:
        from yibao.jobs.settle_year import settle_year
        from yibao.policy.catalogue import demo_catalogue
        from yibao.policy.registry import shipped_packs

        console.print("settling the claims of the year to estimate cost curves …")
        years = pq.read_table(data / "claims.parquet", columns=["discharge_date"]).column(0)
        claim_year = max(d.year for d in years.to_pylist()) if len(years) else year
        table = settle_year(data, shipped_packs(), demo_catalogue(), claim_year).settlements
    persons = pq.read_table(persons_path, columns=["person_id", "sex", "birth_date", "scheme"])
    paid: dict[str, int] = {}
    for pid, fen in zip(
        table.column("person_id").to_pylist(), table.column("hifp_pay").to_pylist(), strict=True
    ):
        paid[pid] = paid.get(pid, 0) + int(fen or 0)
    ids = persons.column("person_id").to_pylist()
    ages = np.array([year - d.year for d in persons.column("birth_date").to_pylist()], dtype=float)
    sexes = np.array(
        [0 if s in ("1", "M", "male") else 1 for s in persons.column("sex").to_pylist()]
    )
    schemes = np.array(
        [0 if "employee" in str(s) else 1 for s in persons.column("scheme").to_pylist()]
    )
    yuan = np.array([paid.get(i, 0) / 100 for i in ids])
    curves, replaced = estimate_curves(
        np.clip(ages, 0, 100), sexes, schemes, yuan, cost_curves(base)
    )
    return curves, f"{data.name}: {replaced} age × sex × scheme cells from settled claims"


def _check_prefecture(base: Parameters, code: str | None) -> None:
    if code is not None and code not in base.prefectures:
        raise InputError(f"unknown prefecture '{code}' (known: {', '.join(base.prefectures)})")


def _run(
    assumptions: Path | None,
    scenarios: Path | None,
    only: list[str],
    paths: int,
    seed: int,
    data: Path | None,
    prefecture: str | None,
    console: Console,
) -> tuple[list[Any], dict[str, str]]:
    from yibao.pooling.run import run_scenario

    if paths < 1:
        raise InputError(f"--paths must be at least 1, got {paths}")
    base, scs, a_name, s_name = _load(assumptions, scenarios, only)
    _check_prefecture(base, prefecture)
    curves, curve_note = _curves(base, data, console)
    results = []
    started = time.perf_counter()
    for s in scs:
        with console.status(f"scenario {s.name}: {paths:,} paths"):
            results.append(run_scenario(base, s, paths, seed, curves))
    meta = {
        "assumptions": a_name,
        "scenarios": s_name,
        "paths": str(paths),
        "seed": str(seed),
        "curves": curve_note,
        "seconds": f"{time.perf_counter() - started:.1f}",
    }
    return results, meta


def _result_json(r: Any, prefecture: str | None) -> dict[str, Any]:
    from yibao.actuarial import MONTE_CARLO_SUMMARY, to_fen

    idx = [i for i, c in enumerate(r.codes) if prefecture in (None, c)]
    funds = []
    for f in r.funds:
        s = f.summary
        funds.append(
            {
                "fund": f.fund,
                "p_any_prefecture_dry": round(s.p_any_dry, 4),
                "benefit_paid_gap": round(s.paid_ratio_gap, 4),
                "exhaustion_year_distribution": {
                    k: round(v, 4) for k, v in f.exhaustion_province.items()
                },
                "province_balance_fan_fen": {
                    q: row
                    for q, row in zip(
                        ("p05", "p25", "p50", "p75", "p95"), f.province_balance_fan, strict=True
                    )
                },
                "prefectures": {
                    r.codes[i]: {
                        "name": r.names[i],
                        "p_dry": round(float(s.p_dry[i]), 4),
                        "median_first_dry_year": f.exhaustion_median[i],
                        "central": {
                            "income_fen": f.central_income[i],
                            "expenditure_fen": f.central_expenditure[i],
                            "balance_fen": f.central_balance[i],
                            "months_payable": f.central_months[i],
                        },
                        "months_payable_fan": {
                            q: [round(float(v), 2) for v in s.months_fan[k, i]]
                            for k, q in enumerate(("p05", "p25", "p50", "p75", "p95"))
                        },
                        "mean_remitted_fen": [
                            to_fen(float(v), MONTE_CARLO_SUMMARY) for v in s.remitted[i]
                        ],
                        "mean_granted_fen": [
                            to_fen(float(v), MONTE_CARLO_SUMMARY) for v in s.granted[i]
                        ],
                        "mean_emergency_fen": [
                            to_fen(float(v), MONTE_CARLO_SUMMARY) for v in s.emergency[i]
                        ],
                        "mean_unpaid_fen": [
                            to_fen(float(v), MONTE_CARLO_SUMMARY) for v in s.unpaid[i]
                        ],
                    }
                    for i in idx
                },
            }
        )
    return {
        "scenario": r.name,
        "description": r.description,
        "pooling": r.mode,
        "years": list(r.years),
        "paths": r.paths,
        "funds": funds,
    }


def _long_table(results: list[Any], prefecture: str | None) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "scenario",
            "fund",
            "prefecture",
            "year",
            "income_fen",
            "expenditure_fen",
            "balance_fen",
            "months_payable",
            "p_dry",
        )
    }
    for r in results:
        for f in r.funds:
            for i, code in enumerate(r.codes):
                if prefecture not in (None, code):
                    continue
                for t, year in enumerate(r.years):
                    cols["scenario"].append(r.name)
                    cols["fund"].append(f.fund)
                    cols["prefecture"].append(code)
                    cols["year"].append(year)
                    cols["income_fen"].append(f.central_income[i][t])
                    cols["expenditure_fen"].append(f.central_expenditure[i][t])
                    cols["balance_fen"].append(f.central_balance[i][t])
                    cols["months_payable"].append(f.central_months[i][t])
                    cols["p_dry"].append(float(f.summary.p_dry[i]))
    return cols


def _summary_table(console: Console, results: list[Any], title: str) -> None:
    table = Table(title=title)
    for col in (
        "scenario",
        "pooling",
        "fund",
        "P(any dry)",
        "never dry",
        "benefit gap",
        "journals (scenario)",
    ):
        table.add_column(col, justify="left" if col in ("scenario", "pooling", "fund") else "right")
    for r in results:
        n_j = len(r.journals)
        for f in r.funds:
            table.add_row(
                r.name,
                r.mode,
                f.fund,
                f"{f.summary.p_any_dry:.1%}",
                f"{f.exhaustion_province.get('never', 0.0):.1%}",
                f"{f.summary.paid_ratio_gap:.1%}",
                str(n_j),
            )
    console.print(table)


def _ledger_actuals() -> tuple[list[Any], list[Any]]:
    """Final accounts of every complete year in the stored ledger, and the latest year so far."""
    from yibao.actuarial.actuals import fund_years, year_to_date
    from yibao.store.db import make_engine
    from yibao.store.repo import load_journals

    engine = make_engine()
    try:
        with engine.connect() as conn:
            journals = load_journals(conn)
    finally:
        engine.dispose()
    if not journals:
        raise InputError("the fund ledger has no journals (run settlements or contributions first)")
    last = max(j.day for j in journals)
    rows = fund_years([j for j in journals if j.day.year < last.year])
    return rows, year_to_date(journals, last.year, last.month)


def register(app: typer.Typer) -> None:
    @app.command("warn")
    def warn(
        history: Path | None = typer.Option(
            None, "--history", help="fund history YAML (default: the demo province)"
        ),
        thresholds: Path | None = typer.Option(
            None, "--thresholds", help="warning thresholds YAML"
        ),
        year: int | None = typer.Option(
            None, "--year", help="budget year (default: the year after the history)"
        ),
        json_out: Path | None = typer.Option(None, "--json", help="write the table as JSON"),
        html_out: Path | None = typer.Option(None, "--html", help="write an HTML report"),
        ledger: bool = typer.Option(
            False,
            "--ledger",
            help="read actuals from the fund ledger (YIBAO_DATABASE_URL) instead of a history file",
        ),
    ) -> None:
        """Budget and early warning (预警): months payable, deficits, growth, dependency ratio."""
        from yibao.actuarial.warning import warn_all
        from yibao.report.actuarial_report import render_warning

        h_path = history or shipped_assumptions("demo-history.yaml")
        t_path = thresholds or shipped_assumptions("warning.yaml")
        if ledger:
            rows, ytd = _ledger_actuals()
            h_path = Path("the fund ledger")
        else:
            rows, ytd = parse_history(read_input(h_path), str(h_path) if history else h_path.name)
        limits = parse_thresholds(read_input(t_path), str(t_path) if thresholds else t_path.name)
        if not rows:
            raise InputError(f"{h_path}: no complete fund years")
        target = year if year is not None else max(r.year for r in rows) + 1
        if target <= min(r.year for r in rows):
            raise InputError(f"--year {target}: the history must have a year before it")
        missing = {r.fund for r in rows} - set(limits)
        if missing:
            raise InputError(f"{t_path}: no thresholds for {', '.join(sorted(missing))}")
        ind = warn_all(rows, ytd, target, limits)
        console = Console()
        table = Table(title=f"fund early warning, budget year {target} (累计结余可支付月数)")
        for col in (
            "region",
            "fund",
            "year",
            "basis",
            "surplus (yuan)",
            "months",
            "level",
            "prepay",
            "notes",
        ):
            table.add_column(
                col, justify="right" if col in ("surplus (yuan)", "months", "year") else "left"
            )
        from yibao.money import format_yuan

        for i in ind:
            table.add_row(
                i.region,
                i.fund,
                str(i.year),
                i.basis,
                format_yuan(i.surplus),
                "–" if i.months is None else str(i.months),
                f"[{LEVEL_STYLE[i.level.value]}]{i.level.value}[/]",
                "yes" if i.prepayment_allowed else "no",
                "; ".join(i.notes),
            )
        console.print(table)
        counts: dict[str, int] = {}
        for i in ind:
            counts[i.level.value] = counts.get(i.level.value, 0) + 1
        console.print("levels: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if json_out:
            _write_json(
                json_out,
                {
                    "year": target,
                    "generated": date.today().isoformat(),
                    "rows": [i.as_json() for i in ind],
                },
            )
            console.print(f"JSON → {json_out}")
        if html_out:
            write_report(
                html_out,
                render_warning(
                    ind, {"history": h_path.name, "thresholds": t_path.name, "year": str(target)}
                ),
            )
            console.print(f"report → {html_out}")

    def _common(
        out: Path,
        assumptions: Path | None,
        scenarios: Path | None,
        scenario: list[str],
        paths: int,
        seed: int,
        data: Path | None,
        prefecture: str | None,
        kind: str,
    ) -> None:
        from yibao.report.actuarial_report import render_pooling, render_projection

        console = Console()
        results, meta = _run(
            assumptions, scenarios, scenario, paths, seed, data, prefecture, console
        )
        out.mkdir(parents=True, exist_ok=True)
        payload = {"meta": meta, "scenarios": [_result_json(r, prefecture) for r in results]}
        if kind == "project":
            _write_json(out / "projection.json", payload)
            _write_parquet(out / "projection.parquet", _long_table(results, prefecture))
            meta["title"] = "Fund projection to the horizon (基金精算预测)"
            write_report(out / "projection.html", render_projection(results, meta))
            _summary_table(console, results, f"projection, {paths:,} paths, {meta['seconds']} s")
            console.print(f"wrote projection.json, projection.parquet, projection.html → {out}")
            return
        transfers: dict[str, list[Any]] = {
            k: [] for k in ("scenario", "year", "prefecture", "fund", "kind", "amount_fen")
        }
        journals_out = []
        for r in results:
            for f in r.funds:
                for t in f.transfers:
                    for k, v in (
                        ("scenario", r.name),
                        ("year", t.year),
                        ("prefecture", t.prefecture),
                        ("fund", t.fund),
                        ("kind", t.kind),
                        ("amount_fen", t.amount),
                    ):
                        transfers[k].append(v)
            for j in r.journals:
                journals_out.append(
                    {
                        "scenario": r.name,
                        "journal_id": j.journal_id,
                        "day": j.day.isoformat(),
                        "kind": j.kind,
                        "ref": j.ref,
                        "memo": j.memo,
                        "balanced": j.is_balanced(),
                        "postings": [
                            {"account": str(p.account), "amount_fen": p.amount} for p in j.postings
                        ],
                    }
                )
        _write_json(out / "pool.json", payload)
        _write_parquet(out / "transfers.parquet", transfers)
        _write_json(out / "journals.json", journals_out)
        meta["note"] = (
            f"{paths:,} Monte Carlo paths, seed {seed}; assumptions {meta['assumptions']}, scenarios "
            f"{meta['scenarios']}. Transfers and journals are the central (deterministic) path, in fen."
        )
        write_report(out / "pool.html", render_pooling(results, meta))
        _summary_table(
            console, results, f"provincial pooling, {paths:,} paths, {meta['seconds']} s"
        )
        console.print(
            f"{len(journals_out)} journals, all balanced: {all(j['balanced'] for j in journals_out)}"
        )
        console.print(f"wrote pool.json, transfers.parquet, journals.json, pool.html → {out}")

    out_opt = typer.Option(..., "--out", help="output directory")
    a_opt = typer.Option(
        None, "--assumptions", help="assumption YAML (default: shipped demo province)"
    )
    s_opt = typer.Option(None, "--scenarios", help="scenario YAML (default: shipped scenarios)")
    sc_opt = typer.Option([], "--scenario", help="run only this scenario (repeatable)")
    p_opt = typer.Option(1000, "--paths", help="Monte Carlo paths")
    seed_opt = typer.Option(20250101, "--seed", help="random seed")
    d_opt = typer.Option(None, "--data", help="province directory (yibao synth) for cost curves")
    pf_opt = typer.Option(None, "--prefecture", help="only this prefecture in the outputs")

    @app.command("project")
    def project_cmd(
        out: Path = out_opt,
        assumptions: Path | None = a_opt,
        scenarios: Path | None = s_opt,
        scenario: list[str] = sc_opt,
        paths: int = p_opt,
        seed: int = seed_opt,
        data: Path | None = d_opt,
        prefecture: str | None = pf_opt,
    ) -> None:
        """Project income, expenditure and balance per fund and prefecture with Monte Carlo fans."""
        _common(out, assumptions, scenarios, scenario, paths, seed, data, prefecture, "project")

    pool_app = typer.Typer(
        help="Provincial pooling and the adjustment fund (省级统筹 / 调剂金).", no_args_is_help=True
    )

    @pool_app.command("simulate")
    def pool_simulate(
        out: Path = out_opt,
        assumptions: Path | None = a_opt,
        scenarios: Path | None = s_opt,
        scenario: list[str] = sc_opt,
        paths: int = p_opt,
        seed: int = seed_opt,
        data: Path | None = d_opt,
        prefecture: str | None = pf_opt,
    ) -> None:
        """Simulate prefecture pooling, the adjustment fund and unified collection and expenditure."""
        _common(out, assumptions, scenarios, scenario, paths, seed, data, prefecture, "pool")

    app.add_typer(pool_app, name="pool")

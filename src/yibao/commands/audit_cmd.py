"""``yibao audit``: screen claims with the supervision rules; measure them on seeded fraud."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError

audit_app = typer.Typer(
    help="Fund supervision (基金监管): rules, anomaly scores, evaluation.", no_args_is_help=True
)

INPUTS = ("claims", "claim_lines", "persons", "providers")


def _pack(path: Path | None) -> Any:
    from yibao.supervision.pack import demo_pack, load_pack
    from yibao.supervision.rules import RULES

    return demo_pack(RULES) if path is None else load_pack(path, RULES)


def _read(directory: Path) -> dict[str, Any]:
    import ibis

    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory of Parquet files")
    con = ibis.duckdb.connect()
    out = {}
    for name in INPUTS:
        path = directory / f"{name}.parquet"
        if not path.is_file():
            raise InputError(f"{path}: missing (audit needs {', '.join(INPUTS)})")
        try:
            out[name] = con.read_parquet(path)
        except Exception as e:
            raise InputError(f"{path}: cannot read as Parquet: {str(e).splitlines()[0]}") from None
    return out


def _write_outputs(out: Path, files: dict[str, Any]) -> None:
    """Write every output into a temporary directory, then move them in: all or nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        for name, value in files.items():
            if isinstance(value, str):
                (tmp / name).write_text(value, encoding="utf-8")
            else:
                table = (
                    value
                    if isinstance(value, pa.Table)
                    else pa.Table.from_pandas(value, preserve_index=False)
                )
                pq.write_table(table, tmp / name)
        out.mkdir(exist_ok=True)
        for name in files:
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@audit_app.command("run")
def run(
    directory: Path = typer.Argument(
        ...,
        help="directory with claims/claim_lines/persons/"
        "providers Parquet (as written by yibao synth)",
    ),
    out: Path = typer.Option(..., "-o", "--out", help="output directory"),
    pack: Path | None = typer.Option(None, "--pack", help="rule pack YAML (default: demo)"),
    sample: int = typer.Option(10, "--sample", help="providers to draw for manual review"),
    seed: int = typer.Option(0, "--seed", help="seed of the model and the review sample"),
) -> None:
    """Screen a year of claims: hits.parquet, provider/person scores and report.html."""
    from yibao.policy.catalogue import demo_catalogue
    from yibao.report.audit_report import render
    from yibao.supervision.anomaly import review_sample
    from yibao.supervision.screen import screen

    console = Console()
    rule_pack = _pack(pack)
    tables = _read(directory)
    started = time.perf_counter()
    with console.status("screening claims with the rule library…"):
        result = screen(tables, rule_pack, demo_catalogue())
    prov = result.providers.table
    drawn = review_sample(list(prov.provider_id), list(prov.score), sample, seed)
    meta = {
        "pack": rule_pack.name,
        "region": rule_pack.region,
        "title": rule_pack.title,
        "claims": result.claims,
        "lines": result.lines,
        "hits": result.hits.num_rows,
    }
    html = render(result.hits, result.rules, prov, result.persons.table, drawn, meta)
    import pyarrow as pa

    _write_outputs(
        out,
        {
            "hits.parquet": result.hits,
            "provider_scores.parquet": prov,
            "person_scores.parquet": result.persons.table,
            "review_sample.parquet": pa.table({"provider_id": pa.array(drawn, pa.string())}),
            "report.html": html,
        },
    )
    elapsed = time.perf_counter() - started
    table = Table(title=f"supervision screening → {out}")
    table.add_column("rule")
    table.add_column("hits", justify="right")
    counts = result.hits.group_by("rule_code").aggregate([("rule_code", "count")]).to_pylist()
    by = {r["rule_code"]: r["rule_code_count"] for r in counts}
    for code in result.rules:
        table.add_row(code, f"{by.get(code, 0):,}")
    console.print(table)
    console.print(
        f"{result.claims:,} claims, {result.lines:,} lines, "
        f"{result.hits.num_rows:,} hits in {elapsed:.1f} s"
    )


@audit_app.command("evaluate")
def evaluate_cmd(
    persons: int = typer.Option(3000, "--persons", help="size of the synthetic province"),
    rate: float = typer.Option(0.03, "--rate", help="rate at which each pattern is seeded"),
    seed: int = typer.Option(20250101, "--seed", help="synthetic province seed"),
    json_out: Path | None = typer.Option(None, "--json", help="also write the metrics as JSON"),
    typology: bool = typer.Option(
        False,
        "--typology",
        help="measure on fraud written from the typologies (synth/typology.py), not the "
        "rule-mirroring patterns: per-family recall, net recall, precision, natural hits, AUCs",
    ),
) -> None:
    """Seed fraud patterns into a synthetic province; per-rule precision/recall, provider AUC."""
    import ibis

    if typology:
        _evaluate_typology(persons, rate, seed, json_out)
        return

    from yibao.policy.catalogue import demo_catalogue
    from yibao.supervision.anomaly import BASE_FEATURES, score
    from yibao.supervision.evaluate import AUC_GOAL, PRECISION_GOAL, evaluate
    from yibao.supervision.screen import screen
    from yibao.synth import SynthConfig
    from yibao.synth.fraud import PATTERNS, seed_fraud
    from yibao.synth.generate import generate

    if not 0 < rate <= 1:
        raise InputError(f"--rate must be in (0, 1], got {rate}")
    console = Console()
    started = time.perf_counter()
    data = generate(SynthConfig(seed=seed, year=2025, persons=persons))
    seeded = seed_fraud(data.tables(), rate, seed)
    rule_pack = _pack(None)
    result = screen(
        {k: ibis.memtable(v) for k, v in seeded.tables.items()}, rule_pack, demo_catalogue()
    )
    prov = result.providers.table
    fraud = set(seeded.fraud_providers.column(0).to_pylist())
    seeded_rules = {k: v for k, v in result.rules.items() if k in PATTERNS}
    ev = evaluate(
        result.hits, seeded.labels, seeded_rules, list(prov.provider_id), list(prov.score), fraud
    )
    base_cols = [c for c in BASE_FEATURES if c != "hit_share"]
    base = score(prov[["provider_id", "peer_group", *base_cols]], "provider_id", base_cols)
    from yibao.supervision.anomaly import roc_auc

    auc_base = roc_auc([p in fraud for p in base.table.provider_id], list(base.table.score))
    table = Table(title=f"rules on seeded fraud ({persons:,} persons, rate {rate})")
    for col in ("rule", "hits", "labelled", "precision", "recall"):
        table.add_column(col, justify="left" if col == "rule" else "right")
    for m in ev.rules:
        table.add_row(m.code, str(m.hits), str(m.labelled), f"{m.precision:.3f}", f"{m.recall:.3f}")
    console.print(table)
    console.print(
        f"provider ROC AUC (all features) {ev.provider_auc:.3f} over "
        f"{ev.providers} providers, {ev.fraud_providers} fraudulent; "
        f"without rule-hit features {auc_base:.3f}"
    )
    console.print(
        f"{result.claims:,} claims in {time.perf_counter() - started:.1f} s; goals: "
        f"precision ≥ {PRECISION_GOAL} per rule, AUC ≥ {AUC_GOAL}"
    )
    failures = ev.failures()
    if json_out is not None:
        json_out.write_text(
            json.dumps(
                {
                    "persons": persons,
                    "rate": rate,
                    "seed": seed,
                    "claims": result.claims,
                    "rules": {
                        m.code: {
                            "hits": m.hits,
                            "labelled": m.labelled,
                            "precision": m.precision,
                            "recall": m.recall,
                        }
                        for m in ev.rules
                    },
                    "provider_auc": ev.provider_auc,
                    "provider_auc_base_features": auc_base,
                    "failures": failures,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    if failures:
        console.print("[bold red]goals missed:[/] " + "; ".join(failures))
        raise typer.Exit(1)
    console.print("all goals met")


def _evaluate_typology(persons: int, rate: float, seed: int, json_out: Path | None) -> None:
    import ibis

    from yibao.policy.catalogue import demo_catalogue
    from yibao.supervision.screen import screen
    from yibao.supervision.typology_eval import evaluate_typology
    from yibao.synth import SynthConfig
    from yibao.synth.generate import generate
    from yibao.synth.typology import SOURCES, inject_typology

    if not 0 < rate <= 1:
        raise InputError(f"--rate must be in (0, 1], got {rate}")
    console = Console()
    started = time.perf_counter()
    data = generate(SynthConfig(seed=seed, year=2025, persons=persons)).tables()
    catalogue, rule_pack = demo_catalogue(), _pack(None)
    clean = screen({k: ibis.memtable(v) for k, v in data.items()}, rule_pack, catalogue)
    inj = inject_typology(data, rate, seed)
    result = screen({k: ibis.memtable(v) for k, v in inj.tables.items()}, rule_pack, catalogue)
    ev = evaluate_typology(
        result.hits,
        inj.labels,
        inj.tables["claims"],
        clean.hits,
        clean.claims,
        result.providers.table,
        result.persons.table,
        set(inj.fraud_providers),
        set(inj.fraud_persons),
    )
    table = Table(title=f"supervision on typology fraud ({persons:,} persons, rate {rate})")
    for col in ("family", "source", "labelled", "found", "recall", "net recall"):
        table.add_column(col, justify="left" if col in ("family", "source") else "right")
    for m in ev.families:
        table.add_row(
            m.family,
            SOURCES[m.family][0],
            str(m.labelled),
            str(m.found),
            f"{m.recall:.3f}",
            f"{m.net_recall:.3f}",
        )
    console.print(table)
    natural = ", ".join(f"{k} {v}" for k, v in sorted(ev.natural.items(), key=lambda x: -x[1]))
    console.print(
        f"macro recall {ev.macro_recall:.3f} (net {ev.macro_net_recall:.3f}); hit precision "
        f"{ev.precision:.3f} over {ev.hit_claims:,} hit claims\n"
        f"clean province: {ev.clean_hit_claims:,} of {ev.clean_claims:,} claims hit "
        f"({ev.natural_share:.2%}): {natural}\n"
        f"provider ROC AUC {ev.provider_auc:.3f}, top-{ev.k_providers} precision "
        f"{ev.provider_top_k:.3f}; person ROC AUC {ev.person_auc:.3f}, top-{ev.k_persons} "
        f"precision {ev.person_top_k:.3f}; {time.perf_counter() - started:.1f} s"
    )
    failures = ev.failures()
    if json_out is not None:
        payload = {
            "persons": persons,
            "rate": rate,
            "seed": seed,
            "families": {
                m.family: {
                    "labelled": m.labelled,
                    "found": m.found,
                    "recall": m.recall,
                    "net_recall": m.net_recall,
                }
                for m in ev.families
            },
            "macro_recall": ev.macro_recall,
            "macro_net_recall": ev.macro_net_recall,
            "precision": ev.precision,
            "natural_hits": ev.natural,
            "natural_share": ev.natural_share,
            "provider_auc": ev.provider_auc,
            "provider_top_k_precision": ev.provider_top_k,
            "person_auc": ev.person_auc,
            "person_top_k_precision": ev.person_top_k,
            "failures": failures,
        }
        json_out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    if failures:
        console.print("[bold red]goals missed:[/] " + "; ".join(failures))
        raise typer.Exit(1)
    console.print("all goals met")


cases_app = typer.Typer(
    help="Supervision cases (稽核案件) in the database (YIBAO_DATABASE_URL).",
    no_args_is_help=True,
)
audit_app.add_typer(cases_app, name="cases")


@cases_app.command("import")
def cases_import(
    hits: Path = typer.Argument(..., help="hits.parquet written by yibao audit run"),
    fund: str = typer.Option("employee_pooled", "--fund", help="the fund a clawback credits"),
    min_amount: str = typer.Option("0", "--min-amount", help="skip providers flagged below (yuan)"),
) -> None:
    """Open one case per (registered) provider from the hits; the same hits again open none."""
    from yibao.io.records import enum_value, money
    from yibao.ledger.model import Fund
    from yibao.service.cases import import_parquet
    from yibao.service.context import Context
    from yibao.store.db import make_engine

    opened = import_parquet(
        Context(make_engine()),
        hits,
        fund=enum_value(fund, "--fund", Fund),
        min_amount_fen=money(min_amount, "--min-amount"),
    )
    Console().print(f"{len(opened)} cases opened")
    for c in opened:
        Console().print(f"  {c['case_id']}  {c['provider_id']}  {c['region']}  {c['flagged']}")


@cases_app.command("list")
def cases_list(
    region: str | None = typer.Option(None, "--region"),
    provider: str | None = typer.Option(None, "--provider"),
    status: str | None = typer.Option(None, "--status", help="open, under_review, …"),
) -> None:
    """The stored cases."""
    from yibao.service.cases import list_cases
    from yibao.service.context import Context
    from yibao.store.db import make_engine

    rows = list_cases(Context(make_engine()), region=region, provider_id=provider, status=status)
    table = Table(title=f"supervision cases ({len(rows)})")
    for col in ("case", "provider", "region", "status", "flagged", "recovered", "rules"):
        table.add_column(
            col, justify="right" if col in ("flagged", "recovered") else "left", no_wrap=True
        )
    for c in rows:
        table.add_row(
            c["case_id"],
            c["provider_id"],
            c["region"],
            c["status"],
            c["flagged"],
            c["recovered"],
            ", ".join(c["rule_codes"]),
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")

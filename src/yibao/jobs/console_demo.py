"""The console's demo database (``yibao serve --demo``): a synthesised province loaded through
the use cases — providers and persons registered, the year's contributions run, claims settled
one by one in real time, the supervision rules screened over them and their cases opened —
and one console login per role.

Names are synthetic (the generator makes none): a family name and a given name drawn from the
index, so the same seed gives the same people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from yibao.errors import InputError
from yibao.ledger.model import Fund
from yibao.service import cases, contributions, logins, providers, registration, settlement
from yibao.service.context import Actor, Context
from yibao.synth import SynthConfig
from yibao.synth.generate import SynthData, generate

DEMO_PASSWORD = "yibao-demo-2025"
SEEDER = Actor("demo-seed", "admin")
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    region: str | None
    person_id: str | None


@dataclass(frozen=True, slots=True)
class ConsoleDemo:
    persons: int
    providers: int
    settled: int
    refused: int  # claims the engine refused (e.g. a visit before enrollment): counted, skipped
    cases: int
    logins: tuple[DemoLogin, ...]


def demo_name(i: int) -> str:
    return FAMILY[i % len(FAMILY)] + GIVEN[(i // len(FAMILY)) % len(GIVEN)]


def _person_body(i: int, row: dict[str, Any]) -> dict[str, Any]:
    enrollment: dict[str, Any] = {
        "scheme": row["scheme"],
        "type": row["person_type"],
        "region": row["insured_region"],
        "from": row["enrolled_from"].isoformat(),
    }
    if row["enrolled_to"] is not None:
        enrollment["to"] = row["enrolled_to"].isoformat()
    if row["employer_id"]:
        enrollment["employer"] = row["employer_id"]
    if row["monthly_wage_fen"] is not None:
        enrollment["wage"] = f"{row['monthly_wage_fen'] / 100:.2f}"
    body: dict[str, Any] = {
        "person_id": row["person_id"],
        "id_number": row["id_number"],
        "name": demo_name(i),
        "region": row["insured_region"],
        "account_balance": f"{row['account_balance_fen'] // 100}.{row['account_balance_fen'] % 100:02d}",
        "enrollment": enrollment,
    }
    if row["assistance_category"]:
        body["assistance"] = {
            "category": row["assistance_category"],
            "from": row["enrolled_from"].isoformat(),
        }
    return body


def _claim_body(claim: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": claim["claim_id"],
        "provider": claim["provider_id"],
        "visit": claim["visit_type"],
        "lines": [
            {
                "code": ln["item_code"],
                "quantity": ln["quantity"],
                "amount": f"{ln['amount_fen'] // 100}.{ln['amount_fen'] % 100:02d}",
            }
            for ln in lines
        ],
    }
    if claim["visit_type"] == "inpatient":
        body["admit_date"] = claim["admit_date"].isoformat()
        body["discharge_date"] = claim["discharge_date"].isoformat()
    else:
        body["date"] = claim["discharge_date"].isoformat()
    if claim["route"] != "local":
        body["route"] = claim["route"]
    return {"person_id": claim["person_id"], "claim": body}


def _screen(data: SynthData, settled: set[str]) -> list[dict[str, object]]:
    """The shipped supervision rules over the claims that were settled."""
    import ibis
    import pyarrow.compute as pc

    from yibao.policy.catalogue import demo_catalogue
    from yibao.supervision.pack import demo_pack
    from yibao.supervision.rules import RULES
    from yibao.supervision.screen import screen

    keep = pc.is_in(data.claims["claim_id"], value_set=_array(settled))
    claims = data.claims.filter(keep)
    lines = data.claim_lines.filter(
        pc.is_in(data.claim_lines["claim_id"], value_set=_array(settled))
    )
    tables = {
        "claims": ibis.memtable(claims),
        "claim_lines": ibis.memtable(lines),
        "persons": ibis.memtable(data.persons),
        "providers": ibis.memtable(data.providers),
    }
    hits = screen(tables, demo_pack(RULES), demo_catalogue(), scores=False).hits
    cols = ("rule_code", "provider_id", "claim_id", "amount_fen")
    return [{k: row[k] for k in cols} for row in hits.select(list(cols)).to_pylist()]


def _array(values: set[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(values), pa.string())


def seed_console_demo(
    ctx: Context,
    persons: int = 300,
    seed: int = 20250101,
    year: int = 2025,
    progress: Progress | None = None,
) -> ConsoleDemo:
    """Load a synthesised province into ``ctx``'s (migrated, empty) database."""
    say = progress or (lambda _: None)
    say("synthesising")
    data = generate(SynthConfig(seed=seed, year=year, persons=persons))
    say("registering providers and persons")
    for p in data.providers.to_pylist():
        providers.register_provider(
            ctx,
            {k: p[k] for k in ("provider_id", "name", "level", "region", "kind")},
            SEEDER,
        )
    people = data.persons.to_pylist()
    for i, row in enumerate(people):
        registration.register_person(ctx, _person_body(i, row), SEEDER)
    say("running the contributions")
    for region in sorted({r["insured_region"] for r in people}):
        for month in range(1, 13):
            contributions.contribution_run(ctx, region, f"{year}-{month:02d}", (), SEEDER)
    say("settling the claims")
    by_claim: dict[str, list[dict[str, Any]]] = {}
    for ln in data.claim_lines.to_pylist():
        by_claim.setdefault(ln["claim_id"], []).append(ln)
    claims = sorted(data.claims.to_pylist(), key=lambda c: (c["discharge_date"], c["claim_id"]))
    settled: set[str] = set()
    refused = 0
    for c in claims:
        try:
            req = settlement.read_settle_request(_claim_body(c, by_claim.get(c["claim_id"], [])))
            settlement.settle_claim(ctx, req, SEEDER)
            settled.add(c["claim_id"])
        except InputError:
            refused += 1
    say("screening for the supervision cases")
    hits = _screen(data, settled) if settled else []
    opened = cases.import_hits(ctx, hits, fund=Fund.EMPLOYEE_POOLED, actor=SEEDER) if hits else []
    say("creating the console logins")
    logins_made = _logins(ctx, people)
    return ConsoleDemo(
        len(people), data.providers.num_rows, len(settled), refused, len(opened), logins_made
    )


def _logins(ctx: Context, people: list[dict[str, Any]]) -> tuple[DemoLogin, ...]:
    """One login per role in the most populous region; two insured persons of it."""
    counts: dict[str, int] = {}
    for p in people:
        counts[p["insured_region"]] = counts.get(p["insured_region"], 0) + 1
    region = max(sorted(counts), key=lambda r: counts[r])
    with_claims = [
        p["person_id"]
        for p in people
        if p["insured_region"] == region and settlement.settlements_of(ctx, p["person_id"])
    ]
    made = [
        DemoLogin("staff", "staff", region, None),
        DemoLogin("supervisor", "supervisor", region, None),
        DemoLogin("fund", "fund_manager", None, None),
        DemoLogin("insured", "insured", None, with_claims[0] if with_claims else None),
        DemoLogin("insured2", "insured", None, with_claims[1] if len(with_claims) > 1 else None),
    ]
    other = next((r for r in sorted(counts) if r != region), None)
    if other:
        made.append(DemoLogin("staff2", "staff", other, None))
    out = []
    for m in made:
        if m.role == "insured" and m.person_id is None:
            continue
        logins.create_user(
            ctx,
            m.username,
            DEMO_PASSWORD,
            m.role,
            display_name=m.username,
            region=m.region,
            person_id=m.person_id,
            actor=SEEDER,
        )
        out.append(m)
    return tuple(out)

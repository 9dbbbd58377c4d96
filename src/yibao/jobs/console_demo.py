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
from datetime import date
from typing import Any

from sqlalchemy import func, select

from yibao.errors import InputError
from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Stage, round_at
from yibao.service import cases, contributions, logins, providers, registration, settlement
from yibao.service.context import Actor, Context
from yibao.store import repo
from yibao.store import tables as t
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
    say("financing the funds")
    for region in sorted({r["insured_region"] for r in people}):
        finance_the_year(ctx, region, year)
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


# What the contribution run does not post, so that the demo funds hold what a real one does.
# Accumulated balance ÷ the year's income, national, from the NHSA statistical bulletins
# (policy-facts.md §10): employee pooled fund 2024, 30,445.50 ÷ 17,342.45 (亿元); resident
# fund 2023, 7,663.70 ÷ 10,569.71.
BROUGHT_FORWARD: dict[Fund, tuple[int, int]] = {
    Fund.EMPLOYEE_POOLED: (3_044_550, 1_734_245),
    Fund.RESIDENT_POOLED: (766_370, 1_056_971),
}
# Critical illness insurance is carved out of the resident fund per resident, no extra
# contribution (发改社会〔2012〕2605号); 95 yuan a head is Heilongjiang's 2023 figure
# (policy-facts.md §2.1, [T]).
CI_PER_RESIDENT = 9_500
# [M] synthetic, the demo's own figures (no source held): the employee large-amount levy per
# employee a year and the fiscal appropriation to medical assistance per insured person.
LARGE_AMOUNT_PER_EMPLOYEE = 15_000
ASSISTANCE_PER_PERSON = 6_000


def finance_the_year(ctx: Context, region: str, year: int) -> list[str]:
    """Post ``region``'s financing that the contribution run leaves out, as journals: the
    balance brought forward (上年结转) of each pooled fund, the treasury paying the residents'
    fiscal subsidy (财政补助到位), the critical illness premium moved out of the resident fund,
    the large-amount levy and the assistance appropriation. Returns the journal ids."""
    jan1 = date(year, 1, 1)
    with ctx.engine.begin() as conn:
        income = _sums(conn, region, Kind.INCOME)
        due = _sums(conn, region, Kind.RECEIVABLE, "subsidy")
        heads: dict[str, int] = dict(
            conn.execute(
                select(t.enrollments.c.scheme, func.count(t.enrollments.c.person_id.distinct()))
                .where(t.enrollments.c.region == region)
                .group_by(t.enrollments.c.scheme)
            ).all()
        )
        residents, employees = heads.get("resident", 0), heads.get("employee", 0)
        made = []
        for j in _financing(region, jan1, income, due, residents, employees):
            if j.postings:
                repo.insert_journal(conn, j)
                made.append(j.journal_id)
        repo.audit(conn, SEEDER.actor_id, SEEDER.role, "demo.financing", region, str(year))
    return made


def _sums(
    conn: Any, region: str, kind: Kind, item: str | None = None
) -> dict[tuple[Fund, str], int]:
    c = t.postings.c
    stmt = select(c.fund, c.sub, func.sum(c.amount)).where(c.region == region, c.kind == kind)
    if item is not None:
        stmt = stmt.where(c.item == item)
    rows = conn.execute(stmt.group_by(c.fund, c.sub)).all()
    return {(Fund(f), sub): int(a) for f, sub, a in rows}


def _financing(
    region: str,
    jan1: date,
    income: dict[tuple[Fund, str], int],
    due: dict[tuple[Fund, str], int],
    residents: int,
    employees: int,
) -> list[Journal]:
    r, y = region, jan1.year
    out = []
    for fund, (num, den) in BROUGHT_FORWARD.items():
        year_income = -sum(a for (f, _), a in income.items() if f is fund)
        amount = round_at(Stage.CONTRIBUTION, year_income * num, den)
        out.append(_in(f"DEMO-BF-{r}-{y}-{fund.value}", jan1, "opening", r, fund, amount))
    for (fund, sub), amount in sorted(due.items()):
        out.append(
            journal(
                f"DEMO-SUB-{r}-{y}-{sub}",
                date(y, 6, 30),
                "financing",
                f"{y}/subsidy/{sub}",
                "fiscal subsidy paid by the treasury",
                [
                    (Account(r, fund, Kind.BANK, "subsidy"), amount),
                    (Account(r, fund, Kind.RECEIVABLE, "subsidy", sub), -amount),
                ],
            )
        )
    premium = CI_PER_RESIDENT * residents
    pool, ci = Fund.RESIDENT_POOLED, Fund.CRITICAL_ILLNESS
    out.append(
        journal(
            f"DEMO-CI-{r}-{y}",
            jan1,
            "transfer",
            f"{y}/critical_illness",
            "critical illness premium out of the resident fund",
            [
                (Account(r, pool, Kind.EXPENDITURE, "critical_illness"), premium),
                (Account(r, pool, Kind.BANK, "transfer"), -premium),
                (Account(r, ci, Kind.BANK, "transfer"), premium),
                (Account(r, ci, Kind.INCOME, "premium"), -premium),
            ],
        )
    )
    levy = LARGE_AMOUNT_PER_EMPLOYEE * employees
    out.append(_in(f"DEMO-LA-{r}-{y}", jan1, "financing", r, Fund.LARGE_AMOUNT, levy, "levy"))
    grant = ASSISTANCE_PER_PERSON * (residents + employees)
    out.append(
        _in(f"DEMO-MA-{r}-{y}", jan1, "financing", r, Fund.MEDICAL_ASSISTANCE, grant, "fiscal")
    )
    return out


def _in(
    jid: str, day: date, kind: str, region: str, fund: Fund, amount: int, item: str = ""
) -> Journal:
    """Money into ``fund``'s bank: brought forward (against its balance) or income."""
    other = (
        Account(region, fund, Kind.BALANCE, "brought_forward")
        if kind == "opening"
        else Account(region, fund, Kind.INCOME, item)
    )
    return journal(
        jid,
        day,
        kind,
        f"{day.year}/{kind}/{fund.value}",
        f"{kind} {fund.value}",
        [(Account(region, fund, Kind.BANK, item or "brought_forward"), amount), (other, -amount)],
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
        DemoLogin("reviewer", "staff", region, None),  # approves what staff records
        DemoLogin("supervisor", "supervisor", region, None),
        DemoLogin("fund", "fund_manager", None, None),
        DemoLogin("admin", "admin", None, None),
        DemoLogin("insured", "insured", None, with_claims[0] if with_claims else None),
        DemoLogin("insured2", "insured", None, with_claims[1] if len(with_claims) > 1 else None),
    ]
    other = next((r for r in sorted(counts) if r != region), None)
    if other:
        made.append(DemoLogin("staff2", "staff", other, None))
    names = {p["person_id"]: demo_name(i) for i, p in enumerate(people)}
    out = []
    for m in made:
        if m.role == "insured" and m.person_id is None:
            continue
        logins.create_user(
            ctx,
            m.username,
            DEMO_PASSWORD,
            m.role,
            display_name=names.get(m.person_id or "", m.username),
            region=m.region,
            person_id=m.person_id,
            actor=SEEDER,
        )
        out.append(m)
    return tuple(out)

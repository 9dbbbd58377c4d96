"""Real-time settlement (实时结算) in one transaction; pre-settlement; reversal and refund.

The person's row is the lock: ``SELECT … FOR UPDATE`` on PostgreSQL, the database write lock
(BEGIN IMMEDIATE) on SQLite. Under it we read the year's accumulators and the individual
account, run the pure engine, and write settlement, trace, journal, accumulators and account
together. The idempotency key (provider, claim number) is checked again under the lock and
is a unique constraint besides: a resent claim returns the stored result and posts nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from yibao.errors import InputError
from yibao.io.records import Obj, read_accumulators, read_claim, settlement_to_data
from yibao.io.request import check_covered
from yibao.ledger.postings import SettlementFacts, reversal, settlement_journal
from yibao.policy.catalogue import demo_catalogue
from yibao.policy.errors import PolicyError
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.settle.engine import Settlement, reverse, settle
from yibao.settle.model import Accumulators, Claim, Person
from yibao.settle.parts import Parts
from yibao.settle.split import ItemLookup
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import AssistanceCategory, PersonType, Route, Scheme, Sex

REQUEST_KEYS = frozenset({"person_id", "claim"})


@dataclass(frozen=True, slots=True)
class SettleRequest:
    person_id: str
    claim: Claim


@dataclass(frozen=True, slots=True)
class SettleOutcome:
    """The stored (or pre-settled) result; ``replayed`` when a resent claim was answered."""

    data: dict[str, Any]
    replayed: bool = False


def read_settle_request(body: object) -> SettleRequest:
    """``{"person_id": …, "claim": {id, provider, level, visit, …}}`` checked strictly."""
    o = Obj(body, "request", REQUEST_KEYS)
    person_id = o.text("person_id")
    raw = o.raw("claim")
    c = Obj(raw, "claim", frozenset(raw) if isinstance(raw, dict) else frozenset())
    for key in ("id", "provider"):
        c.raw(key)  # the idempotency key must be given, never defaulted
    claim = read_claim(raw, "claim")
    if not claim.claim_id.strip() or len(claim.claim_id) > 60:
        raise InputError("claim.id: must be 1 to 60 characters")
    if not claim.provider_id.strip() or len(claim.provider_id) > 40:
        raise InputError("claim.provider: must be 1 to 40 characters")
    return SettleRequest(person_id, claim)


def _catalogue(claim: Claim) -> ItemLookup | None:
    if all(ln.item_class is not None for ln in claim.lines):
        return None
    catalogue = demo_catalogue()
    for i, ln in enumerate(claim.lines, 1):
        if ln.item_class is None and ln.code not in catalogue.items:
            raise InputError(f"claim.lines[{i}].code: unknown catalogue code {ln.code!r}")
    return catalogue


def _person(conn: Connection, row: Any, day: date) -> Person:
    e = repo.enrollment_on(conn, row.person_id, day)
    if e is None:
        raise InputError(f"person_id: person {row.person_id} is not enrolled on {day}")
    category = e.category
    return Person(
        person_id=row.person_id,
        scheme=Scheme(e.scheme),
        person_type=PersonType(e.person_type),
        sex=Sex(row.sex),
        birth_date=row.birth_date,
        insured_region=e.region,
        assistance_category=AssistanceCategory(category) if category else None,
        enrolled_from=e.start_date,
        enrolled_to=e.end_date,
    )


def _stored(row: Any) -> dict[str, Any]:
    data = dict(row.result)
    data.update(
        provider_id=row.provider_id,
        claim_no=row.claim_no,
        status=row.status,
        journal_id=row.journal_id,
        reversal_journal_id=row.reversal_journal_id,
        visit=row.visit,
        insured_region=row.insured_region,
        treatment_region=row.treatment_region,
    )
    return data


def _compute(
    ctx: Context, conn: Connection, row: Any, claim: Claim
) -> tuple[Person, Claim, Settlement, int | None]:
    day = claim.settle_date
    person = _person(conn, row, day)
    insured = ctx.chain(person.insured_region, "person.region")
    region = claim.treatment_region or person.insured_region
    treatment = ctx.chain(region, "claim.region")
    route = claim.route
    if region != person.insured_region and route is Route.LOCAL:
        # 异地就医: filed care follows the local standard, otherwise temporary care
        route = Route.FILED if repo.filing_on(conn, row.person_id, region, day) else Route.UNFILED
    if region == person.insured_region and route is not Route.LOCAL:
        raise InputError(f"claim.route: {route.value!r} but the care is in the insured region")
    claim = replace(claim, treatment_region=region, route=route)
    check_covered(insured, day, "claim.discharge_date")
    stored = repo.get_accumulators(conn, row.person_id, day.year)
    acc, version = stored if stored else (Accumulators(year=day.year), None)
    acc = replace(acc, account_balance=row.account_balance)
    try:
        s = settle(person, claim, acc, insured, treatment, _catalogue(claim))
    except PolicyError as e:
        raise InputError(f"claim: {e}") from None
    return person, claim, s, version


def _facts(person: Person, claim: Claim, s: Settlement) -> SettlementFacts:
    p = s.parts
    return SettlementFacts(
        ref=f"{claim.provider_id}/{claim.claim_id}",
        day=s.settle_date,
        scheme=person.scheme,
        insured_region=person.insured_region,
        treatment_region=claim.treatment_region,
        person_id=person.person_id,
        provider_id=claim.provider_id,
        visit=claim.visit_type.value,
        pooled_fund=p.pooled_fund,
        large_amount=p.large_amount,
        critical_illness=p.critical_illness,
        assistance=p.assistance,
        account=p.account,
    )


def settlement_journal_id(provider_id: str, claim_no: str) -> str:
    return f"S-{provider_id}-{claim_no}"


def settle_claim(ctx: Context, req: SettleRequest, actor: Actor = SYSTEM) -> SettleOutcome:
    """Settle and commit, or return the stored result of the same (provider, claim)."""
    claim = req.claim
    try:
        with ctx.engine.begin() as conn:
            row = repo.get_person(conn, req.person_id, lock=True)
            if row is None:
                raise NotFound(f"person_id: unknown person {req.person_id!r}")
            done = repo.settlement_by_key(conn, claim.provider_id, claim.claim_id)
            if done is not None:
                if done.person_id != req.person_id:
                    raise Conflict(
                        f"claim.id: {claim.claim_id} of {claim.provider_id} was settled for "
                        "another person"
                    )
                repo.audit(
                    conn,
                    actor.actor_id,
                    actor.role,
                    "claim.replay",
                    req.person_id,
                    f"{claim.provider_id}/{claim.claim_id}",
                )
                return SettleOutcome(_stored(done), replayed=True)
            person, claim, s, version = _compute(ctx, conn, row, claim)
            jid = settlement_journal_id(claim.provider_id, claim.claim_id)
            j = settlement_journal(jid, _facts(person, claim, s))
            data = settlement_to_data(s)
            if j.postings:
                repo.insert_journal(conn, j)
            else:  # all cash (class C, below the deductible with no account): nothing to post
                jid = ""
            conn.execute(
                insert(t.settlements).values(
                    provider_id=claim.provider_id,
                    claim_no=claim.claim_id,
                    person_id=person.person_id,
                    scheme=person.scheme.value,
                    insured_region=person.insured_region,
                    treatment_region=claim.treatment_region,
                    visit=claim.visit_type.value,
                    settle_date=s.settle_date,
                    status="settled",
                    parts=asdict(s.parts),
                    result=data,
                    journal_id=jid,
                    created_at=repo.now(),
                )
            )
            repo.save_accumulators(conn, person.person_id, s.after, version)
            repo.set_account_balance(conn, person.person_id, s.after.account_balance, row.version)
            repo.audit(conn, actor.actor_id, actor.role, "claim.settle", person.person_id, j.ref)
            data.update(
                provider_id=claim.provider_id,
                claim_no=claim.claim_id,
                status="settled",
                journal_id=jid,
                reversal_journal_id=None,
                visit=claim.visit_type.value,
                insured_region=person.insured_region,
                treatment_region=claim.treatment_region,
            )
            return SettleOutcome(data)
    except IntegrityError:
        # the same claim for the same person is serialised by the lock; a duplicate key
        # here means a racing request for another person used this claim number
        with ctx.engine.begin() as conn:
            done = repo.settlement_by_key(conn, claim.provider_id, claim.claim_id)
        if done is None or done.person_id != req.person_id:
            raise Conflict(f"claim.id: {claim.claim_id} of {claim.provider_id} is taken") from None
        return SettleOutcome(_stored(done), replayed=True)


def pre_settle(ctx: Context, req: SettleRequest, actor: Actor = SYSTEM) -> SettleOutcome:
    """预结算: the same computation, rolled back; only the audit line is kept."""
    with ctx.engine.connect() as conn:
        row = repo.get_person(conn, req.person_id)
        if row is None:
            conn.rollback()
            raise NotFound(f"person_id: unknown person {req.person_id!r}")
        try:
            _, claim, s, _ = _compute(ctx, conn, row, req.claim)
        finally:
            conn.rollback()
    with ctx.engine.begin() as conn:
        repo.audit(
            conn,
            actor.actor_id,
            actor.role,
            "claim.pre_settle",
            req.person_id,
            f"{claim.provider_id}/{claim.claim_id}",
        )
    data = settlement_to_data(s)
    data.update(
        provider_id=claim.provider_id,
        claim_no=claim.claim_id,
        status="pre-settled",
        visit=claim.visit_type.value,
        treatment_region=claim.treatment_region,
    )
    return SettleOutcome(data)


def get_settlement(
    ctx: Context, provider_id: str, claim_no: str, actor: Actor = SYSTEM
) -> dict[str, Any]:
    with ctx.engine.begin() as conn:
        row = repo.settlement_by_key(conn, provider_id, claim_no)
        if row is None:
            raise NotFound(f"claim: no settlement {provider_id}/{claim_no}")
        repo.audit(
            conn,
            actor.actor_id,
            actor.role,
            "claim.read",
            row.person_id,
            f"{provider_id}/{claim_no}",
        )
        return _stored(row)


def settlement_owner(ctx: Context, provider_id: str, claim_no: str) -> tuple[str, str] | None:
    """(person id, insured region) of a stored settlement, for access checks."""
    with ctx.engine.connect() as conn:
        row = repo.settlement_by_key(conn, provider_id, claim_no)
        conn.rollback()
    return None if row is None else (row.person_id, row.insured_region)


def parts_of(data: dict[str, int]) -> Parts:
    return Parts(**data)


def reverse_claim(
    ctx: Context,
    provider_id: str,
    claim_no: str,
    kind: str = "reversal",
    actor: Actor = SYSTEM,
    day: date | None = None,
) -> dict[str, Any]:
    """冲正 (or 退费): a new opposite journal, the accumulators and account restored."""
    if kind not in ("reversal", "refund"):
        raise InputError(f"kind: expected reversal or refund, got {kind!r}")
    with ctx.engine.begin() as conn:
        found = repo.settlement_by_key(conn, provider_id, claim_no)
        if found is None:
            raise NotFound(f"claim: no settlement {provider_id}/{claim_no}")
        person = repo.get_person(conn, found.person_id, lock=True)
        row = repo.settlement_by_key(conn, provider_id, claim_no)  # re-read under the lock
        if row.status != "settled":
            raise Conflict(f"claim: {provider_id}/{claim_no} is already {row.status}")
        year = row.settle_date.year
        acc, version = repo.get_accumulators(conn, row.person_id, year) or (
            Accumulators(year=year),
            None,
        )
        acc = replace(acc, account_balance=person.account_balance)
        before = read_accumulators(row.result["before"], "stored before")
        after = read_accumulators(row.result["after"], "stored after")
        s = Settlement(
            claim_no, row.person_id, row.settle_date, 0, parts_of(row.parts), before, after, ()
        )
        _, restored = reverse(s, acc)
        rid = ""
        if row.journal_id:
            original = repo.get_journal(conn, row.journal_id)
            assert original is not None
            rid = f"{'R' if kind == 'reversal' else 'F'}-{provider_id}-{claim_no}"
            repo.insert_journal(conn, reversal(rid, original, day or date.today(), kind))
        repo.save_accumulators(conn, row.person_id, restored, version)
        repo.set_account_balance(conn, row.person_id, restored.account_balance, person.version)
        conn.execute(
            update(t.settlements)
            .where(t.settlements.c.settlement_id == row.settlement_id)
            .values(
                status="reversed" if kind == "reversal" else "refunded", reversal_journal_id=rid
            )
        )
        repo.audit(
            conn,
            actor.actor_id,
            actor.role,
            f"claim.{kind}",
            row.person_id,
            f"{provider_id}/{claim_no}",
        )
        return _stored(repo.settlement_by_key(conn, provider_id, claim_no))


def accumulators_of(
    ctx: Context, person_id: str, year: int, actor: Actor = SYSTEM
) -> dict[str, Any]:
    from yibao.io.records import accumulators_to_data

    with ctx.engine.begin() as conn:
        row = repo.get_person(conn, person_id)
        if row is None:
            raise NotFound(f"person_id: unknown person {person_id!r}")
        stored = repo.get_accumulators(conn, person_id, year)
        acc = stored[0] if stored else Accumulators(year=year)
        acc = replace(acc, account_balance=row.account_balance)
        repo.audit(conn, actor.actor_id, actor.role, "accumulators.read", person_id, str(year))
        return accumulators_to_data(acc)


def settlements_of(ctx: Context, person_id: str, actor: Actor = SYSTEM) -> list[dict[str, Any]]:
    with ctx.engine.begin() as conn:
        rows = conn.execute(
            select(t.settlements)
            .where(t.settlements.c.person_id == person_id)
            .order_by(t.settlements.c.settlement_id)
        ).all()
        repo.audit(conn, actor.actor_id, actor.role, "claims.list", person_id)
    return [_stored(r) for r in rows]

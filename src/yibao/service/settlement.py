"""Real-time settlement (实时结算) in one transaction; pre-settlement; reversal and refund.

The person's row is the lock: ``SELECT … FOR UPDATE`` on PostgreSQL, the database write lock
(BEGIN IMMEDIATE) on SQLite. Under it we read the year's accumulators and the individual
account, run the pure engine, and write settlement, trace, journal, accumulators and account
together. The idempotency key (provider, claim number) is checked again under the lock and
is a unique constraint besides: a resent claim returns the stored result and posts nothing.

The provider must be registered (:mod:`yibao.service.providers`): the claim is settled at
the provider's registered level and in its registered region (the treatment region).

Settling is the hot path: its statements are plain SQL on the driver connection
(:mod:`yibao.store.settle_sql`), two round trips on PostgreSQL. Pre-settlement reads the
same way without the lock; reversal and the reads use SQLAlchemy Core.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import select, update

from yibao.errors import InputError
from yibao.io.records import (
    Obj,
    accumulators_to_data,
    read_accumulators,
    read_claim,
    settlement_to_data,
)
from yibao.io.request import check_covered
from yibao.ledger.postings import SettlementFacts, reversal, settlement_journal
from yibao.policy.catalogue_registry import claim_catalogue
from yibao.policy.errors import PolicyError
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.settle.engine import Settlement, reverse, settle
from yibao.settle.model import Accumulators, Claim, Person
from yibao.settle.parts import Parts
from yibao.settle.route import routed
from yibao.store import repo, settle_sql
from yibao.store import tables as t
from yibao.store.settle_sql import NewSettlement, Snapshot
from yibao.types import AssistanceCategory, Level, PersonType, Scheme, Sex

REQUEST_KEYS = frozenset({"person_id", "claim", "id_number"})
_PART_FIELDS = tuple(f.name for f in fields(Parts))


@dataclass(frozen=True, slots=True)
class SettleRequest:
    person_id: str
    claim: Claim
    level_stated: bool = True  # False: the provider's registered level applies
    id_number: str | None = None  # read from the card at admission (a provider's pre-settle)


@dataclass(frozen=True, slots=True)
class SettleOutcome:
    """The stored (or pre-settled) result; ``replayed`` when a resent claim was answered."""

    data: dict[str, Any]
    replayed: bool = False


def read_settle_request(body: object) -> SettleRequest:
    """``{"person_id": …, "claim": {id, provider, visit, …}}`` checked strictly.

    The claim's ``level`` and ``region`` may be left out: they are the provider's, from the
    registry; when given they must agree with it (checked when settling)."""
    o = Obj(body, "request", REQUEST_KEYS)
    person_id = o.text("person_id")
    raw = o.raw("claim")
    c = Obj(raw, "claim", frozenset(raw) if isinstance(raw, dict) else frozenset())
    for key in ("id", "provider"):
        c.raw(key)  # the idempotency key must be given, never defaulted
    level_stated = not isinstance(raw, dict) or "level" in raw
    if not level_stated:
        assert isinstance(raw, dict)
        raw = {**raw, "level": Level.L1.value}  # replaced by the registered level
    claim = read_claim(raw, "claim")
    if not claim.claim_id.strip() or len(claim.claim_id) > 60:
        raise InputError("claim.id: must be 1 to 60 characters")
    if not claim.provider_id.strip() or len(claim.provider_id) > 40:
        raise InputError("claim.provider: must be 1 to 40 characters")
    id_number = o.text("id_number") if o.has("id_number") else None
    return SettleRequest(person_id, claim, level_stated, id_number)


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


def _provider(snap: Snapshot, req: SettleRequest) -> tuple[Level, str]:
    """The provider's registered level and region; the claim must not say otherwise."""
    claim = req.claim
    if snap.provider_level is None or snap.provider_region is None:
        raise NotFound(f"claim.provider: unknown provider {claim.provider_id!r} (not registered)")
    level, region = Level(snap.provider_level), snap.provider_region
    if req.level_stated and claim.level is not level:
        raise InputError(
            f"claim.level: {claim.level.value} but provider {claim.provider_id} is registered "
            f"as {level.value}"
        )
    if claim.treatment_region and claim.treatment_region != region:
        raise InputError(
            f"claim.region: {claim.treatment_region} but provider {claim.provider_id} is in "
            f"region {region}"
        )
    return level, region


def _compute(
    ctx: Context, person_id: str, snap: Snapshot, req: SettleRequest
) -> tuple[Person, Claim, Settlement]:
    level, region = _provider(snap, req)
    claim = req.claim
    day = claim.settle_date
    e = snap.enrollment
    if e is None:
        raise InputError(f"person_id: person {person_id} is not enrolled on {day}")
    person = Person(
        person_id=person_id,
        scheme=Scheme(e.scheme),
        person_type=PersonType(e.person_type),
        sex=Sex(snap.sex),
        birth_date=snap.birth_date,
        insured_region=e.region,
        assistance_category=AssistanceCategory(e.category) if e.category else None,
        enrolled_from=e.start_date,
        enrolled_to=e.end_date,
    )
    insured = ctx.chain(person.insured_region, "person.region")
    treatment = ctx.chain(region, "claim.region")
    claim = routed(replace(claim, level=level, treatment_region=region), e.region, snap.filed)
    check_covered(insured, day, "claim.discharge_date")
    acc = (
        read_accumulators(snap.accumulators, "stored accumulators")
        if snap.accumulators is not None
        else Accumulators(year=day.year)
    )
    acc = replace(acc, account_balance=snap.account_balance)
    try:
        s = settle(person, claim, acc, insured, treatment, claim_catalogue(claim, ctx.catalogues))
    except PolicyError as e:
        raise InputError(f"claim: {e}") from None
    return person, claim, s


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
    """Settle and commit, or return the stored result of the same (provider, claim).

    One transaction: lock the person, read (one statement), compute, write and commit
    (see :mod:`yibao.store.settle_sql`: two round trips on PostgreSQL)."""
    claim = req.claim
    sql = settle_sql.statements(ctx.engine)
    ref = f"{claim.provider_id}/{claim.claim_id}"
    try:
        with settle_sql.transaction(ctx.engine, write=True) as conn:
            snap = sql.read(
                conn, req.person_id, claim.provider_id, claim.claim_id, claim.settle_date, lock=True
            )
            if snap is None:
                raise NotFound(f"person_id: unknown person {req.person_id!r}")
            if snap.done_id is not None:
                if snap.done_person != req.person_id:
                    raise Conflict(
                        f"claim.id: {claim.claim_id} of {claim.provider_id} was settled for "
                        "another person"
                    )
                done = sql.stored(conn, snap.done_id)
                audit = (actor.actor_id, actor.role, "claim.replay", req.person_id, ref)
                sql.audit_and_commit(conn, audit, repo.now())
                return SettleOutcome(done, replayed=True)
            person, claim, s = _compute(ctx, req.person_id, snap, req)
            j = settlement_journal(
                settlement_journal_id(claim.provider_id, claim.claim_id), _facts(person, claim, s)
            )
            jid = j.journal_id if j.postings else ""  # all cash: nothing to post
            data = settlement_to_data(s)
            acc = accumulators_to_data(s.after)
            acc.pop("account_balance", None)  # the account lives on the person row
            sql.write_and_commit(
                conn,
                NewSettlement(
                    person_id=person.person_id,
                    person_version=snap.version,
                    account_balance=s.after.account_balance,
                    accumulators=acc,
                    year=s.after.year,
                    accumulators_version=snap.accumulators_version,
                    journal=j if j.postings else None,
                    settlement={
                        "provider_id": claim.provider_id,
                        "claim_no": claim.claim_id,
                        "person_id": person.person_id,
                        "scheme": person.scheme.value,
                        "insured_region": person.insured_region,
                        "treatment_region": claim.treatment_region,
                        "visit": claim.visit_type.value,
                        "settle_date": s.settle_date,
                        "parts": {f: getattr(s.parts, f) for f in _PART_FIELDS},
                        "result": data,
                        "journal_id": jid,
                    },
                    audit=(actor.actor_id, actor.role, "claim.settle", person.person_id, j.ref),
                ),
                repo.now(),
            )
            answer = dict(data)
            answer.update(
                provider_id=claim.provider_id,
                claim_no=claim.claim_id,
                status="settled",
                journal_id=jid,
                reversal_journal_id=None,
                visit=claim.visit_type.value,
                insured_region=person.insured_region,
                treatment_region=claim.treatment_region,
            )
            return SettleOutcome(answer)
    except sql.integrity_error:
        # the same claim for the same person is serialised by the lock; a duplicate key
        # here means a racing request for another person used this claim number
        with ctx.engine.begin() as c:
            row = repo.settlement_by_key(c, claim.provider_id, claim.claim_id)
        if row is None or row.person_id != req.person_id:
            raise Conflict(f"claim.id: {claim.claim_id} of {claim.provider_id} is taken") from None
        return SettleOutcome(_stored(row), replayed=True)


def pre_settle(ctx: Context, req: SettleRequest, actor: Actor = SYSTEM) -> SettleOutcome:
    """预结算: the same computation, nothing written; only the audit line is kept."""
    claim = req.claim
    sql = settle_sql.statements(ctx.engine)
    with settle_sql.transaction(ctx.engine, write=False) as conn:
        snap = sql.read(
            conn, req.person_id, claim.provider_id, claim.claim_id, claim.settle_date, lock=False
        )
        if snap is None:
            raise NotFound(f"person_id: unknown person {req.person_id!r}")
        _, claim, s = _compute(ctx, req.person_id, snap, req)
    with ctx.engine.begin() as c:
        repo.audit(
            c,
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
    reason: str = "",
) -> dict[str, Any]:
    """冲正 (or 退费): a new opposite journal, the accumulators and account restored.

    ``reason`` (why, as the operator gave it) goes into the audit log with the claim."""
    if kind not in ("reversal", "refund"):
        raise InputError(f"kind: expected reversal or refund, got {kind!r}")
    with ctx.engine.begin() as conn:
        found = repo.settlement_by_key(conn, provider_id, claim_no)
        if found is None:
            raise NotFound(f"claim: no settlement {provider_id}/{claim_no}")
        person = repo.get_person(conn, found.person_id, lock=True)
        row = repo.settlement_by_key(conn, provider_id, claim_no)  # re-read under the lock
        if person is None or row is None:  # a foreign key and an append-only table
            raise RuntimeError(f"settlement {provider_id}/{claim_no} lost its person or row")
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
            f"{provider_id}/{claim_no} {reason}".strip(),
        )
        done = repo.settlement_by_key(conn, provider_id, claim_no)
        assert done is not None  # written above, in this transaction
        return _stored(done)


def accumulators_of(
    ctx: Context, person_id: str, year: int, actor: Actor = SYSTEM
) -> dict[str, Any]:
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

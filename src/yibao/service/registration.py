"""Registering persons, employers, enrollments, assistance categories and filings (参保登记)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from yibao import limits
from yibao.enroll.idcard import mask, parse_identity
from yibao.errors import InputError
from yibao.io.records import Obj, yuan
from yibao.ledger.model import Account, Fund, Kind, journal
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import PERSON_TYPES_BY_SCHEME, AssistanceCategory, PersonType, Scheme

PERSON_KEYS = frozenset(
    {"person_id", "id_number", "name", "region", "account_balance", "enrollment", "assistance"}
)
ENROLL_KEYS = frozenset({"scheme", "type", "region", "employer", "wage", "from", "to"})
ASSIST_KEYS = frozenset({"category", "from", "to"})
FILING_KEYS = frozenset({"treatment_region", "from", "to"})


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name only."""
    return name[:1] + "*" * max(0, len(name) - 1)


def person_view(row: Any) -> dict[str, object]:
    """A person as shown: identity number and name masked."""
    return {
        "person_id": row.person_id,
        "id_number": mask(row.id_number),
        "name": mask_name(row.name),
        "sex": row.sex,
        "birth_date": row.birth_date.isoformat(),
        "region": row.region,
        "account_balance": yuan(row.account_balance),
    }


def enrollment_view(row: Any) -> dict[str, object]:
    return {
        "enrollment_id": row.enrollment_id,
        "person_id": row.person_id,
        "scheme": row.scheme,
        "type": row.person_type,
        "region": row.region,
        "employer": row.employer_id,
        "wage": yuan(row.wage) if row.wage is not None else None,
        "from": row.start_date.isoformat(),
        "to": row.end_date.isoformat() if row.end_date else None,
    }


def _enrollment_values(ctx: Context, data: object, where: str, person_id: str) -> dict[str, Any]:
    o = Obj(data, where, ENROLL_KEYS)
    scheme = o.enum("scheme", Scheme)
    ptype = o.enum("type", PersonType)
    if ptype not in PERSON_TYPES_BY_SCHEME[scheme]:
        raise InputError(f"{o.at('type')}: {ptype.value!r} is not a type of the {scheme} scheme")
    region = o.text("region")
    ctx.chain(region, o.at("region"))
    start, end = o.day("from"), o.opt_day("to")
    if end and end < start:
        raise InputError(f"{o.at('to')}: {end} is before from {start}")
    wage = o.opt_money("wage", limits.WAGE_MAX_FEN)
    employer = o.text("employer") if o.has("employer") else None
    if scheme is Scheme.EMPLOYEE and ptype is PersonType.ACTIVE and (wage is None or not employer):
        raise InputError(f"{where}: an active employee needs employer and wage")
    return {
        "person_id": person_id,
        "scheme": scheme.value,
        "person_type": ptype.value,
        "region": region,
        "employer_id": employer,
        "wage": wage,
        "start_date": start,
        "end_date": end,
    }


def _ensure_employer(conn: Any, employer_id: str | None, region: str) -> None:
    if employer_id is None:
        return
    if conn.execute(select(t.employers).where(t.employers.c.employer_id == employer_id)).first():
        return
    conn.execute(
        insert(t.employers).values(employer_id=employer_id, name=employer_id, region=region)
    )


def _period(o: Obj) -> tuple[date, date | None]:
    start, end = o.day("from"), o.opt_day("to")
    if end and end < start:
        raise InputError(f"{o.at('to')}: {end} is before from {start}")
    return start, end


def register_person(ctx: Context, data: object, actor: Actor = SYSTEM) -> dict[str, object]:
    """A new insured person with their first enrollment (and assistance category)."""
    o = Obj(data, "person", PERSON_KEYS)
    ident = parse_identity(o.text("id_number"), o.at("id_number"))
    name = o.text("name")
    if not name.strip() or len(name) > 100:
        raise InputError(f"{o.at('name')}: must be 1 to 100 characters")
    region = o.text("region")
    ctx.chain(region, o.at("region"))
    person_id = o.text("person_id") if o.has("person_id") else "P" + uuid.uuid4().hex[:15]
    if not person_id.isascii() or not person_id.replace("-", "").isalnum() or len(person_id) > 40:
        raise InputError(f"{o.at('person_id')}: letters, digits and '-' only, at most 40")
    balance = o.money("account_balance", 0, limits.ACCOUNT_MAX_FEN)
    enrollment = _enrollment_values(ctx, o.raw("enrollment"), o.at("enrollment"), person_id)
    assist = None
    if o.has("assistance"):
        a = Obj(o.raw("assistance"), o.at("assistance"), ASSIST_KEYS)
        start, end = _period(a)
        assist = {
            "person_id": person_id,
            "category": a.enum("category", AssistanceCategory).value,
            "start_date": start,
            "end_date": end,
        }
    with ctx.engine.begin() as conn:
        if repo.person_by_id_number(conn, ident.number) or repo.get_person(conn, person_id):
            raise Conflict(f"{o.at('id_number')}: person {ident.masked} is already registered")
        conn.execute(
            insert(t.persons).values(
                person_id=person_id,
                id_number=ident.number,
                name=name,
                sex=ident.sex.value,
                birth_date=ident.birth_date,
                region=region,
                account_balance=balance,
                version=0,
                created_at=repo.now(),
            )
        )
        _ensure_employer(conn, enrollment["employer_id"], region)
        conn.execute(insert(t.enrollments).values(**enrollment))
        if assist:
            conn.execute(insert(t.assistance).values(**assist))
        if balance:  # a balance carried over from an earlier system: an opening journal
            lines = [
                (Account(region, Fund.INDIVIDUAL_ACCOUNTS, Kind.BANK, "opening"), balance),
                (Account(region, Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", person_id), -balance),
            ]
            j = journal(
                f"O-{person_id}",
                enrollment["start_date"],
                "opening",
                person_id,
                "individual account carried over",
                lines,
            )
            repo.insert_journal(conn, j)
        repo.audit(conn, actor.actor_id, actor.role, "person.create", person_id, ident.masked)
        row = repo.get_person(conn, person_id)
    return person_view(row)


def get_person(ctx: Context, person_id: str, actor: Actor = SYSTEM) -> dict[str, object]:
    with ctx.engine.begin() as conn:
        row = repo.get_person(conn, person_id)
        if row is None:
            raise NotFound(f"person_id: unknown person {person_id!r}")
        repo.audit(conn, actor.actor_id, actor.role, "person.read", person_id)
        out = person_view(row)
        out["enrollments"] = [enrollment_view(e) for e in repo.enrollments_of(conn, person_id)]
    return out


def person_region(ctx: Context, person_id: str) -> str | None:
    with ctx.engine.connect() as conn:
        row = repo.get_person(conn, person_id)
        conn.rollback()
    return None if row is None else str(row.region)


def add_enrollment(
    ctx: Context, person_id: str, data: object, actor: Actor = SYSTEM
) -> dict[str, object]:
    values = _enrollment_values(ctx, data, "enrollment", person_id)
    with ctx.engine.begin() as conn:
        if repo.get_person(conn, person_id, lock=True) is None:
            raise NotFound(f"person_id: unknown person {person_id!r}")
        for e in repo.enrollments_of(conn, person_id):
            if (e.end_date is None or e.end_date >= values["start_date"]) and (
                values["end_date"] is None or values["end_date"] >= e.start_date
            ):
                raise Conflict(
                    f"enrollment: from: overlaps enrollment {e.enrollment_id} "
                    f"({e.start_date}..{e.end_date or ''})"
                )
        _ensure_employer(conn, values["employer_id"], values["region"])
        res = conn.execute(insert(t.enrollments).values(**values))
        repo.audit(conn, actor.actor_id, actor.role, "enrollment.create", person_id)
        key = res.inserted_primary_key
        if key is None:  # every supported database returns the new id
            raise RuntimeError("enrollment: the database returned no id")
        row = conn.execute(
            select(t.enrollments).where(t.enrollments.c.enrollment_id == key[0])
        ).one()
    return enrollment_view(row)


def add_filing(
    ctx: Context, person_id: str, data: object, actor: Actor = SYSTEM, *, approved: bool = True
) -> int:
    """A cross-region filing (异地就医备案): care there counts as filed, not temporary.
    ``approved=False`` records it for another officer to approve (:func:`approve_filing`);
    until then care there stays temporary. Returns the filing's id."""
    o = Obj(data, "filing", FILING_KEYS)
    region = o.text("treatment_region")
    ctx.chain(region, o.at("treatment_region"))
    start, end = _period(o)
    with ctx.engine.begin() as conn:
        if repo.get_person(conn, person_id) is None:
            raise NotFound(f"person_id: unknown person {person_id!r}")
        key = conn.execute(
            insert(t.filings).values(
                person_id=person_id,
                treatment_region=region,
                start_date=start,
                end_date=end,
                status="approved" if approved else "recorded",
                recorded_by=actor.actor_id,
            )
        ).inserted_primary_key
        if key is None:  # every supported database returns the new id
            raise RuntimeError("filing: the database returned no id")
        repo.audit(conn, actor.actor_id, actor.role, "filing.create", person_id, region)
    return int(key[0])


def approve_filing(ctx: Context, person_id: str, filing_id: int, actor: Actor = SYSTEM) -> None:
    """Approve a recorded filing (备案审核通过); the officer who recorded it may not."""
    with ctx.engine.begin() as conn:
        row = conn.execute(
            select(t.filings).where(
                t.filings.c.filing_id == filing_id, t.filings.c.person_id == person_id
            )
        ).first()
        if row is None:
            raise NotFound(f"filing_id: no filing {filing_id} of person {person_id}")
        if row.status != "recorded":
            raise Conflict(f"filing_id: filing {filing_id} is {row.status}, not awaiting approval")
        if row.recorded_by == actor.actor_id:
            raise Conflict(
                f"filing_id: filing {filing_id} was recorded by you; another officer approves"
            )
        conn.execute(
            update(t.filings).where(t.filings.c.filing_id == filing_id).values(status="approved")
        )
        repo.audit(conn, actor.actor_id, actor.role, "filing.approve", person_id, str(filing_id))


def as_mapping(data: object) -> Mapping[str, object]:
    return data if isinstance(data, Mapping) else {}


def end_filing(
    ctx: Context, person_id: str, filing_id: int, day: date, actor: Actor = SYSTEM
) -> None:
    """End a cross-region filing (备案终止) on ``day``: care there after it is temporary care."""
    with ctx.engine.begin() as conn:
        row = conn.execute(
            select(t.filings).where(
                t.filings.c.filing_id == filing_id, t.filings.c.person_id == person_id
            )
        ).first()
        if row is None:
            raise NotFound(f"filing_id: no filing {filing_id} of person {person_id}")
        if day < row.start_date:
            raise InputError(f"to: {day} is before the filing's start {row.start_date}")
        if row.end_date is not None and row.end_date <= day:
            raise Conflict(f"filing_id: filing {filing_id} already ended on {row.end_date}")
        conn.execute(
            update(t.filings).where(t.filings.c.filing_id == filing_id).values(end_date=day)
        )
        repo.audit(conn, actor.actor_id, actor.role, "filing.end", person_id, f"{filing_id} {day}")

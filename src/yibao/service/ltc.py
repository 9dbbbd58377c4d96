"""LTC care-bill settlement and monthly financing in the fund ledger (长护险结算与筹资).

The same machinery as claim settlement: one transaction per case, the journal id is the
idempotency key (``LTC-<provider>-<bill>``; a resent bill with the same content is answered
from the ledger and posts nothing, with other content it is a conflict), and a reversal (冲正)
is a new opposite journal ``LTC-R-…``. Every bill of a case is checked before anything is
written: one bad bill and nothing is posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from yibao.errors import InputError
from yibao.ledger.model import Journal
from yibao.ledger.postings import reversal
from yibao.ltc.benefit import CareBill, CareSettlement, Pack, care_journal
from yibao.ltc.care import Case, settle_case
from yibao.ltc.financing import FinancingRule, financing_journal
from yibao.money import Fen
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.store import repo


@dataclass(frozen=True, slots=True)
class CareResult:
    bill: CareBill
    settlement: CareSettlement
    journal_id: str
    replayed: bool


def care_journal_id(bill: CareBill) -> str:
    return f"LTC-{bill.provider_id}-{bill.bill_id}"


def _same(a: Journal, b: Journal) -> bool:
    return (a.day, a.kind, a.ref, sorted(a.postings, key=str)) == (
        b.day,
        b.kind,
        b.ref,
        sorted(b.postings, key=str),
    )


def settle_care(
    ctx: Context, pack: Pack, case: Case, actor: Actor = SYSTEM
) -> tuple[int, list[CareResult]]:
    """Settle a case's bills; returns the level and one result per bill."""
    outcome, settled = settle_case(pack, case)
    results: list[CareResult] = []
    with ctx.engine.begin() as conn:
        for bill, s in settled:
            jid = care_journal_id(bill)
            j = care_journal(jid, pack.ledger_region, bill, s)
            stored = repo.get_journal(conn, jid)
            if stored is not None and not _same(stored, j):
                raise Conflict(f"bill {bill.bill_id}: settled before with other content")
            if stored is None:
                repo.insert_journal(conn, j)
                repo.audit(conn, actor.actor_id, actor.role, "ltc_settle", bill.person_id, jid)
            results.append(CareResult(bill, s, jid, stored is not None))
    return int(outcome.level), results


def reverse_care(
    ctx: Context, provider_id: str, bill_id: str, day: date, actor: Actor = SYSTEM
) -> str:
    """冲正 of a settled care bill: the opposite journal; refused twice."""
    jid = f"LTC-{provider_id}-{bill_id}"
    rid = f"LTC-R-{provider_id}-{bill_id}"
    with ctx.engine.begin() as conn:
        original = repo.get_journal(conn, jid)
        if original is None:
            raise NotFound(f"bill: no LTC settlement {provider_id}/{bill_id}")
        if repo.get_journal(conn, rid) is not None:
            raise Conflict(f"bill: {provider_id}/{bill_id} is already reversed")
        if day < original.day:
            raise InputError(f"day: {day} is before the settlement on {original.day}")
        repo.insert_journal(conn, reversal(rid, original, day))
        repo.audit(conn, actor.actor_id, actor.role, "ltc_reverse", bill_id, rid)
    return rid


def finance_month(
    ctx: Context, region: str, month: date, rule: FinancingRule, bases: dict[str, Fen]
) -> tuple[Journal, bool]:
    """The month's transfers into the LTC fund, once per region and month (idempotent)."""
    jid = f"LTCF-{region}-{month:%Y-%m}"
    j = financing_journal(jid, region, month.replace(day=1), rule, bases)
    with ctx.engine.begin() as conn:
        stored = repo.get_journal(conn, jid)
        if stored is not None:
            if not _same(stored, j):
                raise Conflict(f"financing {region} {month:%Y-%m}: posted before with other bases")
            return stored, True
        repo.insert_journal(conn, j)
    return j, False


def result_data(level: int, results: list[CareResult]) -> dict[str, Any]:
    """The settled bills as JSON-ready data (yuan as text)."""
    from yibao.io.records import yuan

    return {
        "level": level,
        "bills": [
            {
                "bill": r.bill.bill_id,
                "provider": r.bill.provider_id,
                "month": f"{r.bill.month:%Y-%m}",
                "form": r.bill.form,
                "cost": yuan(r.bill.cost),
                "ltc_fund": yuan(r.settlement.fund),
                "personal": yuan(r.settlement.personal),
                "journal_id": r.journal_id,
                "replayed": r.replayed,
                "trace": list(r.settlement.trace),
            }
            for r in results
        ],
    }

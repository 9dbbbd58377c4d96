"""Provider agreements in the service: a claim at a suspended provider is refused and writes
nothing; the provider view shows the agreement's standing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from svc_helpers import claim

from yibao.purchasing.agreements import ClaimRefused, parse_agreements
from yibao.service import providers, settlement
from yibao.service.context import Context
from yibao.store import tables as t

BOOK = parse_agreements(
    "provider_id,event,day,until,scope,reason,document,score\n"
    "H1,sign,2025-01-01,2099-12-31,,,SYN-1,\n"
    "H2,sign,2025-01-01,2099-12-31,,,SYN-2,\n"
    "H2,suspend,2025-06-01,,,overbilling (synthetic),,\n",
    "agreements.csv",
)


def _count(ctx: Context, table: t.Table) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def _req(person: dict[str, object], provider: str) -> settlement.SettleRequest:
    body = claim(provider=provider, claim_no=f"C-{provider}")
    return settlement.read_settle_request({"person_id": person["person_id"], "claim": body})


def test_suspended_provider_is_refused_and_nothing_written(
    ctx: Context, new_person: Callable[..., dict[str, object]]
) -> None:
    ctx = replace(ctx, agreements=BOOK)
    p = new_person()
    before = (_count(ctx, t.settlements), _count(ctx, t.journals))
    with pytest.raises(ClaimRefused, match=r"refused \(不予结算\).*H2 suspended since 2025-06-01"):
        settlement.settle_claim(ctx, _req(p, "H2"))
    assert (_count(ctx, t.settlements), _count(ctx, t.journals)) == before
    out = settlement.settle_claim(ctx, _req(p, "H1"))
    assert out.data["trace"][0]["step"] == "agreement"
    assert providers.get_provider(ctx, "H2")["agreement"]["status"] == "suspended"

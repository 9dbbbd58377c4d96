"""The provider registry in the service, on SQLite and PostgreSQL: a claim needs a registered
provider; its level and region are the registry's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from svc_helpers import claim

from yibao.errors import InputError
from yibao.service import providers, settlement
from yibao.service.context import Conflict, Context, NotFound
from yibao.store import tables as t

Person = Callable[..., dict[str, object]]


def count(ctx: Context, table: t.Table) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def req(person: dict[str, object], **kw: object) -> settlement.SettleRequest:
    body = claim(**kw)
    if body.get("level") is None:
        del body["level"]
    return settlement.read_settle_request({"person_id": person["person_id"], "claim": body})


def test_register_list_and_read(ctx: Context) -> None:
    out = providers.register_provider(
        ctx,
        {"provider_id": "P-7", "name": "社区中心", "level": "1", "region": "990100"},
    )
    assert out == {
        "provider_id": "P-7",
        "name": "社区中心",
        "level": "L1",
        "region": "990100",
        "kind": "hospital",
    }
    assert providers.get_provider(ctx, "P-7") == out
    assert [p["provider_id"] for p in providers.list_providers(ctx, "990100")] == [
        "H1",
        "H2",
        "P-7",
    ]
    assert [p["provider_id"] for p in providers.list_providers(ctx, "990200")] == ["S1"]
    with pytest.raises(Conflict, match="already registered"):
        providers.register_provider(ctx, {**out, "name": "again"})
    with pytest.raises(NotFound, match="provider_id"):
        providers.get_provider(ctx, "nope")
    with pytest.raises(InputError, match="region"):
        providers.register_provider(ctx, {**out, "provider_id": "X1", "region": "123456"})


def test_unknown_provider_writes_nothing(ctx: Context, new_person: Person) -> None:
    p = new_person()
    before = (count(ctx, t.journals), count(ctx, t.audit_log))
    with pytest.raises(NotFound, match=r"claim\.provider: unknown provider 'H404'"):
        settlement.settle_claim(ctx, req(p, provider="H404"))
    with pytest.raises(NotFound, match=r"claim\.provider"):
        settlement.pre_settle(ctx, req(p, provider="H404"))
    assert count(ctx, t.settlements) == 0
    assert (count(ctx, t.journals), count(ctx, t.audit_log)) == before


def test_stated_level_must_match(ctx: Context, new_person: Person) -> None:
    p = new_person()
    with pytest.raises(InputError, match=r"claim\.level: L2 but provider H1 is registered as L3"):
        settlement.settle_claim(ctx, req(p, level="L2"))
    assert count(ctx, t.settlements) == 0
    out = settlement.settle_claim(ctx, req(p, level=None))  # the registry's L3
    assert out.data["parts"]["pooled_fund"]["yuan"] == "15570.00"  # as stated L3


def test_stated_region_must_match(ctx: Context, new_person: Person) -> None:
    p = new_person()
    with pytest.raises(InputError, match=r"claim\.region: 990100 but provider S1 is in region"):
        settlement.settle_claim(ctx, req(p, provider="S1", region="990100"))
    out = settlement.settle_claim(ctx, req(p, provider="S1"))
    assert out.data["treatment_region"] == "990200"  # cross-region, from the registry
    assert count(ctx, t.settlements) == 1

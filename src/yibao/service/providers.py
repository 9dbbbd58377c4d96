"""The provider registry (定点医药机构): who may be paid, at which level, in which region.

A claim is settled only for a registered provider; the provider's level (医院等级) and region
(就医地) come from here, not from what the claim says.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select

from yibao.errors import InputError
from yibao.io.records import Obj
from yibao.purchasing.agreements import standing
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import Level

PROVIDER_KEYS = frozenset({"provider_id", "name", "level", "region", "kind"})


class ProviderKind(StrEnum):
    HOSPITAL = "hospital"  # 医院
    PRIMARY_CARE = "primary_care"  # 基层医疗卫生机构
    COMMUNITY = "community"  # 社区卫生服务中心 (as the synthetic province writes them)
    CLINIC = "clinic"  # 门诊部、诊所
    PHARMACY = "pharmacy"  # 定点零售药店


def provider_view(row: Any) -> dict[str, Any]:
    return {
        "provider_id": row.provider_id,
        "name": row.name,
        "level": row.level,
        "region": row.region,
        "kind": row.kind,
    }


def read_provider(ctx: Context, data: object) -> dict[str, Any]:
    """``{provider_id, name, level, region, kind}`` checked strictly; the region needs a pack."""
    o = Obj(data, "provider", PROVIDER_KEYS)
    provider_id = o.text("provider_id")
    if (
        not provider_id
        or len(provider_id) > 40
        or not provider_id.isascii()
        or not provider_id.replace("-", "").replace("_", "").isalnum()
    ):
        raise InputError(f"{o.at('provider_id')}: letters, digits, '-' and '_' only, 1 to 40")
    name = o.text("name")
    if not name.strip() or len(name) > 200:
        raise InputError(f"{o.at('name')}: must be 1 to 200 characters")
    region = o.text("region")
    ctx.chain(region, o.at("region"))
    return {
        "provider_id": provider_id,
        "name": name,
        "level": o.enum("level", Level).value,
        "region": region,
        "kind": o.enum("kind", ProviderKind, ProviderKind.HOSPITAL).value,
    }


def register_provider(ctx: Context, data: object, actor: Actor = SYSTEM) -> dict[str, Any]:
    """Register a provider; a provider id is registered once (409 after that)."""
    values = read_provider(ctx, data)
    with ctx.engine.begin() as conn:
        found = conn.execute(
            select(t.providers.c.provider_id).where(
                t.providers.c.provider_id == values["provider_id"]
            )
        ).first()
        if found is not None:
            raise Conflict(f"provider.provider_id: {values['provider_id']} is already registered")
        conn.execute(insert(t.providers).values(**values, created_at=repo.now()))
        repo.audit(conn, actor.actor_id, actor.role, "provider.create", values["provider_id"], "")
    return values


def get_provider(ctx: Context, provider_id: str) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(t.providers).where(t.providers.c.provider_id == provider_id)
        ).first()
        conn.rollback()
    if row is None:
        raise NotFound(f"provider_id: unknown provider {provider_id!r}")
    view = provider_view(row)
    if ctx.agreements is not None:
        st = standing(ctx.agreements, provider_id, date.today())
        view["agreement"] = {
            "status": st.status.value,
            "since": st.since.isoformat() if st.since else None,
            "text": st.text(),
        }
    return view


def list_providers(ctx: Context, region: str | None = None) -> list[dict[str, Any]]:
    q = select(t.providers).order_by(t.providers.c.provider_id)
    if region is not None:
        q = q.where(t.providers.c.region == region)
    with ctx.engine.connect() as conn:
        rows = conn.execute(q).all()
        conn.rollback()
    return [provider_view(r) for r in rows]

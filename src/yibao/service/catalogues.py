"""Imported catalogues (医保目录库): store a dated version of a region's catalogue, list them,
and build the registry settlement looks codes up in.

A version is written in one transaction (the version row and every item) or not at all. A
region and first day already imported is a conflict: import the new edition with its own
first day (the registry takes the latest version in force on the claim's date).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, func, insert, select

from yibao.io.records import yuan
from yibao.policy.catalogue import Catalogue, CatalogueItem
from yibao.policy.catalogue_registry import CatalogueRegistry, CatalogueVersion
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import ItemClass, ItemKind, Sex, VisitType


def _item_row(version_id: int, i: CatalogueItem) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "code": i.code,
        "name": i.name,
        "kind": i.kind.value,
        "item_class": i.item_class.value,
        "preself_ratio": None if i.preself_ratio is None else str(i.preself_ratio),
        "price_cap": i.price_cap,
        "sex": None if i.sex is None else i.sex.value,
        "min_age": i.min_age,
        "max_age": i.max_age,
        "visit_types": None
        if i.visit_types is None
        else "|".join(sorted(v.value for v in i.visit_types)),
        "fund_ratio": None if i.fund_ratio is None else str(i.fund_ratio),
        "synthetic": i.synthetic,
    }


def _item(r: Any) -> CatalogueItem:
    return CatalogueItem(
        code=r.code,
        name=r.name,
        kind=ItemKind(r.kind),
        item_class=ItemClass(r.item_class),
        preself_ratio=None if r.preself_ratio is None else Decimal(r.preself_ratio),
        price_cap=r.price_cap,
        sex=None if r.sex is None else Sex(r.sex),
        min_age=r.min_age,
        max_age=r.max_age,
        visit_types=None
        if r.visit_types is None
        else frozenset(VisitType(v) for v in r.visit_types.split("|")),
        fund_ratio=None if r.fund_ratio is None else Decimal(r.fund_ratio),
        synthetic=bool(r.synthetic),
    )


def version_view(r: Any) -> dict[str, Any]:
    return {
        "version_id": r.version_id,
        "region": r.region,
        "valid_from": r.valid_from.isoformat(),
        "name": r.name,
        "source": r.source,
        "items": r.items,
    }


def import_catalogue(
    ctx: Context, catalogue: Catalogue, valid_from: date, actor: Actor = SYSTEM
) -> dict[str, Any]:
    """Store ``catalogue`` as the version of its region from ``valid_from``."""
    ctx.chain(catalogue.region, "--region")  # a region the service knows
    with ctx.engine.begin() as conn:
        v = t.catalogue_versions.c
        taken = conn.execute(
            select(v.version_id).where(v.region == catalogue.region, v.valid_from == valid_from)
        ).first()
        if taken is not None:
            raise Conflict(
                f"--on: region {catalogue.region} already has a catalogue from {valid_from} "
                f"(version {taken.version_id}); import the new edition with its own first day"
            )
        version_id = conn.execute(
            insert(t.catalogue_versions)
            .values(
                region=catalogue.region,
                valid_from=valid_from,
                name=catalogue.name[:100],
                source=catalogue.source[:300],
                items=len(catalogue),
                imported_at=repo.now(),
            )
            .returning(v.version_id)
        ).scalar_one()
        rows = [_item_row(version_id, i) for i in catalogue.items.values()]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(t.catalogue_items), rows[start : start + 5000])
        repo.audit(
            conn, actor.actor_id, actor.role, "catalogue.import", catalogue.region, str(version_id)
        )
        row = conn.execute(select(t.catalogue_versions).where(v.version_id == version_id)).one()
    ctx.forget_catalogues()
    return version_view(row)


def list_catalogues(ctx: Context, region: str | None = None) -> list[dict[str, Any]]:
    """The imported versions (of ``region``), by region and first day."""
    v = t.catalogue_versions.c
    q = select(t.catalogue_versions).order_by(v.region, v.valid_from)
    if region is not None:
        q = q.where(v.region == region)
    with ctx.engine.connect() as conn:
        return [version_view(r) for r in conn.execute(q)]


def _versions(conn: Connection, ids: Iterable[int] | None = None) -> list[CatalogueVersion]:
    q = select(t.catalogue_versions)
    if ids is not None:
        q = q.where(t.catalogue_versions.c.version_id.in_(list(ids)))
    out = []
    for r in conn.execute(q).all():
        items = conn.execute(
            select(t.catalogue_items).where(t.catalogue_items.c.version_id == r.version_id)
        )
        by_code = {i.code: _item(i) for i in items}
        cat = Catalogue(r.region, r.name, r.source, MappingProxyType(by_code))
        out.append(CatalogueVersion(r.region, r.valid_from, cat))
    return out


def latest_version_id(conn: Connection) -> int:
    """The highest imported version id (0 when none): what a cached registry compares."""
    return int(conn.execute(select(func.max(t.catalogue_versions.c.version_id))).scalar() or 0)


def stored_registry(ctx: Context) -> tuple[CatalogueRegistry, int]:
    """The shipped registry with every imported version, and the latest version id."""
    with ctx.engine.connect() as conn:
        latest = latest_version_id(conn)
        versions = _versions(conn) if latest else []
    reg = ctx.catalogues
    for ver in versions:
        reg = reg.with_version(ver)
    return reg, latest


def catalogue_in_force(ctx: Context, region: str, on: date) -> dict[str, Any]:
    """The catalogue claims of ``region`` on ``on`` are checked against, with its items."""
    reg = ctx.catalogue_registry()
    catalogue, label = reg.lookup(region, on)
    found = reg.version(region, on)
    if found is None and reg.default is None:
        raise NotFound(f"--region: no catalogue for region {region} on {on}")
    return {
        "region": region,
        "on": on.isoformat(),
        "catalogue": label,
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind.value,
                "class": i.item_class.value,
                "preself_ratio": None if i.preself_ratio is None else str(i.preself_ratio),
                "price_cap": None if i.price_cap is None else yuan(i.price_cap),
                "synthetic": i.synthetic,
            }
            for i in sorted(catalogue.items.values(), key=lambda x: x.code)
        ],
    }

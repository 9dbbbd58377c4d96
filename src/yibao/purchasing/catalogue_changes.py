"""Catalogue adjustments (医保目录动态调整) as dated changes with their documents.

A change adds an item, removes it, or re-prices it (a new payment standard, 支付标准) in one
region from one day. :func:`apply_changes` turns the changes into dated catalogue versions in
the :class:`~yibao.policy.catalogue_registry.CatalogueRegistry`, so that the one lookup
(:func:`~yibao.policy.catalogue_registry.claim_catalogue`) prices every claim by the
catalogue in force on its date. The changes are pure data: nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from yibao.errors import InputError
from yibao.money import Fen, MoneyError, yuan_to_fen
from yibao.policy.catalogue import Catalogue, CatalogueItem, item_from_cells
from yibao.policy.catalogue_registry import CatalogueRegistry, CatalogueVersion


class Action(StrEnum):
    ADD = "add"  # 调入
    REMOVE = "remove"  # 调出
    REPRICE = "reprice"  # 调整支付标准


@dataclass(frozen=True, slots=True)
class CatalogueChange:
    """One dated change of a region's catalogue, with the document that decided it."""

    region: str
    day: date
    action: Action
    code: str
    document: str
    price_cap: Fen | None = None  # reprice: the new payment standard per unit (fen)
    item: CatalogueItem | None = None  # add: the new entry
    where: str = ""


def _changed(catalogue: Catalogue, changes: Iterable[CatalogueChange]) -> Catalogue:
    items = dict(catalogue.items)
    for c in changes:
        at = c.where or f"{c.action} {c.code} on {c.day}"
        if c.action is Action.ADD:
            assert c.item is not None
            if c.code in items:
                raise InputError(
                    f"{at}: cannot add {c.code}: already in catalogue {catalogue.name}"
                )
            items[c.code] = c.item
            continue
        if c.code not in items:
            raise InputError(
                f"{at}: cannot {c.action} {c.code}: not in catalogue {catalogue.name} on {c.day}"
            )
        if c.action is Action.REMOVE:
            del items[c.code]
        else:
            items[c.code] = replace(items[c.code], price_cap=c.price_cap)
    docs = sorted({c.document for c in changes if c.document})
    name = f"{catalogue.name} + {', '.join(docs)}" if docs else catalogue.name
    return Catalogue(catalogue.region, name, catalogue.source, MappingProxyType(items))


def apply_changes(
    registry: CatalogueRegistry, changes: Iterable[CatalogueChange]
) -> CatalogueRegistry:
    """``registry`` with one new version per (region, day) of ``changes``: the catalogue in
    force that day with that day's changes applied in the order given."""
    by_day: dict[tuple[str, date], list[CatalogueChange]] = {}
    for c in changes:
        by_day.setdefault((c.region, c.day), []).append(c)
    out = registry
    for region, day in sorted(by_day):
        base, _ = out.lookup(region, day)
        out = out.with_version(CatalogueVersion(region, day, _changed(base, by_day[(region, day)])))
    return out


CHANGE_KEYS = frozenset({"region", "day", "action", "code", "document", "price_cap", "item"})


def read_change(data: Mapping[str, object], where: str) -> CatalogueChange:
    """A change from a mapping (YAML); errors name ``where`` and the key.

    ``item`` (add) has the catalogue CSV columns; ``price_cap`` (reprice) is yuan per unit."""
    unknown = sorted(set(data) - CHANGE_KEYS)
    if unknown:
        raise InputError(
            f"{where}.{unknown[0]}: unknown key; allowed: {', '.join(sorted(CHANGE_KEYS))}"
        )

    def text(key: str) -> str:
        value = data.get(key)
        if value is None or str(value).strip() == "":
            raise InputError(f"{where}.{key}: missing (required)")
        return str(value).strip()

    try:
        action = Action(text("action"))
    except ValueError:
        raise InputError(
            f"{where}.action: {data.get('action')!r} is not one of add|remove|reprice"
        ) from None
    raw_day = data.get("day")
    if isinstance(raw_day, date):
        day = raw_day
    else:
        try:
            day = date.fromisoformat(text("day"))
        except ValueError:
            raise InputError(f"{where}.day: {raw_day!r} is not a date YYYY-MM-DD") from None
    code, document, region = text("code"), text("document"), text("region")
    price_cap: Fen | None = None
    item: CatalogueItem | None = None
    if action is Action.REPRICE:
        try:
            price_cap = yuan_to_fen(text("price_cap"))
        except MoneyError as e:
            raise InputError(f"{where}.price_cap: {e}") from None
        if price_cap < 0:
            raise InputError(f"{where}.price_cap: must not be negative")
    if action is Action.ADD:
        raw = data.get("item")
        if not isinstance(raw, Mapping):
            raise InputError(f"{where}.item: an added entry needs its catalogue columns")
        cells = {str(k): "" if v is None else str(v) for k, v in raw.items()}
        cells.setdefault("code", code)
        item = item_from_cells(f"{where}.item", 1, cells)
        if item.code != code:
            raise InputError(f"{where}.item.code: {item.code!r} differs from code {code!r}")
    return CatalogueChange(region, day, action, code, document, price_cap, item, where)

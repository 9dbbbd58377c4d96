"""Policy parameters as people browse them (政策参数): every parameter of a region's chain
in force on a date, with the pack and document it comes from; and the differences between
two (region, date) pairs."""

from __future__ import annotations

from datetime import date
from typing import Any

from yibao.io.records import citation_to_data
from yibao.policy.pack import PolicyChain
from yibao.service.context import Context


def parameters_on(ctx: Context, region: str, day: date, prefix: str = "") -> list[dict[str, Any]]:
    """Every parameter in force on ``day`` in ``region`` (most local pack wins), by path."""
    return chain_parameters(ctx.chain(region, "region"), day, prefix)


def chain_parameters(chain: PolicyChain, day: date, prefix: str = "") -> list[dict[str, Any]]:
    """Every parameter of ``chain`` in force on ``day``, by path."""
    paths = sorted({p for pk in chain.packs for p in pk.leaves if p.startswith(prefix)})
    out = []
    for path in paths:
        c = chain.find(path, day)
        if c is not None:
            data = citation_to_data(c)
            out.append(
                {
                    "path": path,
                    "value": data["value"],
                    "from": c.start.isoformat(),
                    "pack": c.pack,
                    "reference": c.reference.title,
                }
            )
    return out


def parameter_diff(
    ctx: Context, left: tuple[str, date], right: tuple[str, date], prefix: str = ""
) -> list[dict[str, Any]]:
    """Parameters whose value differs between two (region, date) pairs, or that only one has."""
    a = {r["path"]: r for r in parameters_on(ctx, *left, prefix=prefix)}
    b = {r["path"]: r for r in parameters_on(ctx, *right, prefix=prefix)}
    out = []
    for path in sorted(set(a) | set(b)):
        x, y = a.get(path), b.get(path)
        if x is None or y is None or x["value"] != y["value"]:
            out.append({"path": path, "left": x, "right": y})
    return out

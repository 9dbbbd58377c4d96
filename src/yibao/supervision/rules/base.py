"""What a supervision rule (智能监控规则) is, and the shape of its hits.

A rule has a code, names in English and Chinese, a description, the policy basis it cites,
its typed parameters (values come from the rule pack, so thresholds vary by region), the
columns it needs, and a function from a :class:`Frame` to a table of hits with
:data:`HIT_COLUMNS`. Every hit carries a reason text that names the claim lines involved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

# The hits table: one row per claim (or per provider, for peer rules: claim_id null).
HIT_COLUMNS = (
    "rule_code",
    "claim_id",
    "line_nos",
    "person_id",
    "provider_id",
    "amount_fen",
    "reason",
)
HIT_SCHEMA = ibis.schema(
    {
        "rule_code": "string",
        "claim_id": "string",
        "line_nos": "string",
        "person_id": "string",
        "provider_id": "string",
        "amount_fen": "int64",
        "reason": "string",
    }
)

# Parameter kinds a rule may declare; the pack loader checks values against them.
ParamKind = type[int] | type[Decimal] | type[bool] | type[str] | str  # "codes", "code_map"


@dataclass(frozen=True)
class Param:
    """A rule parameter: its kind and its default (used when the pack leaves it out)."""

    kind: ParamKind
    default: Any
    doc: str = ""


@dataclass(frozen=True)
class Frame:
    """The Ibis tables a rule reads, already joined where every rule needs it.

    ``claims``: the claims with the person (sex, age at admission, enrolment dates) and the
    provider (level, kind, region) joined. ``lines``: the claim lines with their claim's
    columns and the catalogue entry (class, price cap, restrictions) left-joined.
    """

    claims: ir.Table
    lines: ir.Table
    providers: ir.Table


RuleFn = Callable[[Frame, Mapping[str, Any]], ir.Table]


@dataclass(frozen=True)
class Rule:
    code: str
    name_en: str
    name_zh: str
    description: str
    basis: str  # the policy document the rule rests on ("[M] verify" where not confirmed)
    params: Mapping[str, Param]
    needs: Mapping[str, tuple[str, ...]]  # input table -> columns the rule reads
    fn: RuleFn
    level: str = "claim"  # "claim" or "provider" (peer rules)
    tags: tuple[str, ...] = field(default=())

    def run(self, frame: Frame, values: Mapping[str, Any]) -> ir.Table:
        hits = self.fn(frame, values)
        return hits.select(
            rule_code=ibis.literal(self.code, "string"),
            claim_id=hits.claim_id.cast("string"),
            line_nos=hits.line_nos.cast("string"),
            person_id=hits.person_id.cast("string"),
            provider_id=hits.provider_id.cast("string"),
            amount_fen=hits.amount_fen.cast("int64"),
            reason=hits.reason.cast("string"),
        )


def first(t: ir.Table, key: str, by: str) -> ir.Table:
    """One row per ``key``: the row with the smallest ``by`` (deterministic on every backend,
    unlike ``distinct(on=...)``, whose pick Spark leaves to chance)."""
    cols = [c for c in t.columns if c != key]
    return t.group_by(key).aggregate(**{c: t[c].argmin(t[by]) for c in cols})


def s(value: ir.Value) -> ir.StringValue:
    """A column as text, for reason strings."""
    return value.cast("string")


def cat(*parts: ir.Value | str | int) -> ir.StringValue:
    """Concatenate text literals and columns into a reason text."""
    out: ir.StringValue = ibis.literal("", "string")
    for p in parts:
        if isinstance(p, ir.Value):
            out = out.concat(s(p).fill_null(""))
        else:
            out = out.concat(ibis.literal(str(p), "string"))
    return out


def yuan(fen: ir.IntegerValue) -> ir.StringValue:
    """Fen as a yuan text with two decimals (integer arithmetic only)."""
    whole = (fen // 100).cast("string")
    cents = (fen % 100).cast("string").lpad(2, "0")
    return whole.concat(".", cents)

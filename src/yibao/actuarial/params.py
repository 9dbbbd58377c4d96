"""Strict assumption and scenario files (精算假设与情景) as a flat table of dotted parameters.

The YAML is read as a node tree (as :mod:`yibao.policy.loader` does) so that every error names
the file, line and key: an unknown parameter, a rate outside its range (a negative rate), an age
table with a missing or extra age group, an unknown prefecture. A file has ``references`` (id →
title, url) and every section may carry ``_ref`` naming one of them, so each value keeps its
source.

After parsing, the assumptions are a flat mapping ``"economy.wage_growth" → value``; a scenario
is an overlay ``{parameter: value}`` checked against the same specification and the known
prefectures, then merged with :func:`overlay`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import yaml

from yibao.errors import InputError
from yibao.policy.nodes import NodeReader

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

AGE_GROUPS: Final = (*(f"{a}-{a + 4}" for a in range(0, 85, 5)), "85+")
"""Five-year age groups 0-4 … 80-84 and the open group 85+."""
FERTILE_GROUPS: Final = tuple(f"{a}-{a + 4}" for a in range(15, 50, 5))
MAX_AGE: Final = 100  # single years 0 … 100 (100 = 100 and over)

Value = Decimal | int | str | tuple[Decimal, ...]
"""A parameter value: a number, a whole number, a name, or an age table (one per group)."""


@dataclass(frozen=True, slots=True)
class Spec:
    """What a parameter may hold: ``kind`` is number, int, text, choice or ages."""

    kind: str
    lo: Decimal = Decimal("-1e18")
    hi: Decimal = Decimal("1e18")
    groups: tuple[str, ...] = AGE_GROUPS
    choices: tuple[str, ...] = ()


def _n(lo: str, hi: str) -> Spec:
    return Spec("number", Decimal(lo), Decimal(hi))


def _ages(lo: str, hi: str, groups: tuple[str, ...] = AGE_GROUPS) -> Spec:
    return Spec("ages", Decimal(lo), Decimal(hi), groups)


RATE = _n("0", "1")
GROWTH = _n("-0.2", "0.5")
YUAN = _n("0", "1e12")
SD = _n("0", "1")

SPEC: Final[Mapping[str, Spec]] = {
    "base_year": Spec("int", Decimal(1990), Decimal(2100)),
    "horizon": Spec("int", Decimal(1990), Decimal(2200)),
    "demography.age_structure.male": _ages("0", "1"),
    "demography.age_structure.female": _ages("0", "1"),
    "demography.fertility": _ages("0", "1", FERTILE_GROUPS),
    "demography.sex_ratio_at_birth": _n("0.9", "1.3"),
    "demography.mortality.male": _ages("0", "1"),
    "demography.mortality.female": _ages("0", "1"),
    "demography.mortality_improvement": _n("0", "0.1"),
    "demography.migration_profile": _ages("0", "10"),
    "demography.employment.male": _ages("0", "1"),
    "demography.employment.female": _ages("0", "1"),
    "demography.retirement_age.male": Spec("int", Decimal(40), Decimal(75)),
    "demography.retirement_age.female": Spec("int", Decimal(40), Decimal(75)),
    "economy.wage_growth": GROWTH,
    "economy.medical_inflation": GROWTH,
    "economy.utilisation_trend": _n("-0.1", "0.2"),
    "economy.interest_rate": _n("0", "0.2"),
    "contributions.employer_rate": _n("0", "0.2"),
    "contributions.employee_rate_to_pool": _n("0", "0.1"),
    "contributions.retiree_contribution_rate": _n("0", "0.2"),
    "contributions.retiree_base_share_of_wage": _n("0", "3"),
    "contributions.retiree_account_yuan_month": YUAN,
    "contributions.resident_individual_yuan": YUAN,
    "contributions.resident_subsidy_yuan": YUAN,
    "contributions.resident_contribution_growth": GROWTH,
    "contributions.critical_illness_share": _n("0", "0.5"),
    "benefits.employee_ratio_factor": _n("0", "2"),
    "benefits.resident_ratio_factor": _n("0", "2"),
    "benefits.deductible_change_yuan": _n("-100000", "100000"),
    "benefits.admissions.employee": _n("0", "5"),
    "benefits.admissions.resident": _n("0", "5"),
    "benefits.ceiling_factor": _n("0.1", "10"),
    "benefits.share_above_ceiling": RATE,
    "costs.employee.male": _ages("0", "1e7"),
    "costs.employee.female": _ages("0", "1e7"),
    "costs.resident.male": _ages("0", "1e7"),
    "costs.resident.female": _ages("0", "1e7"),
    "uncertainty.medical_inflation_sd": SD,
    "uncertainty.utilisation_sd": SD,
    "uncertainty.wage_growth_sd": SD,
    "uncertainty.mortality_sd": SD,
    "uncertainty.local_share": RATE,
    "pooling.mode": Spec("choice", choices=("prefecture", "adjustment", "unified")),
    "pooling.remittance_rate": _n("0", "0.5"),
    "pooling.stop_months": _n("0", "60"),
    "pooling.allocation": Spec("choice", choices=("application", "pre_allocation")),
    "pooling.emergency_share": RATE,
    "pooling.weights.dependency": _n("0", "10"),
    "pooling.weights.income_level": _n("0", "10"),
    "pooling.weights.collection": _n("0", "10"),
    "pooling.weights.cost_control": _n("0", "10"),
    "pooling.weights.supervision": _n("0", "10"),
}

PREFECTURE_SPEC: Final[Mapping[str, Spec]] = {
    "name": Spec("text"),
    "population": Spec("int", Decimal(1), Decimal(10**9)),
    "elderly_factor": _n("0.2", "3"),
    "employment_factor": _n("0", "3"),
    "wage_yuan_month": YUAN,
    "employee_balance_yuan": YUAN,
    "resident_balance_yuan": YUAN,
    "cost_factor": _n("0.1", "10"),
    "excess_cost_growth": _n("-0.1", "0.3"),
    "collection_rate": RATE,
    "supervision_findings": RATE,
    "net_migration": _n("-0.1", "0.1"),
}

_CODE = re.compile(r"^\d{6}$")


def _input_error(message: str, source: str, line: int | None) -> InputError:
    return InputError(f"{source}:{line}: {message}" if line is not None else f"{source}: {message}")


class _Ctx(NodeReader):
    def __init__(self, source: str) -> None:
        super().__init__(source, _input_error)


def _mapping(ctx: _Ctx, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return ctx.mapping(node, what)


def _scalar(ctx: _Ctx, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.value in ("", "~", "null"):
        raise ctx.fail(node, f"{what} must be a single value")
    return str(node.value)


def _number(ctx: _Ctx, node: yaml.Node, what: str, spec: Spec) -> Decimal:
    text = _scalar(ctx, node, what).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ctx.fail(node, f"{what} must be a number, got {text!r}") from None
    if not value.is_finite():
        raise ctx.fail(node, f"{what} must be a finite number, got {text!r}")
    if not spec.lo <= value <= spec.hi:
        sign = "negative" if value < 0 <= spec.lo else "out of range"
        raise ctx.fail(node, f"{what} is {sign}: {text} (allowed {spec.lo} to {spec.hi})")
    return value


def _value(ctx: _Ctx, node: yaml.Node, what: str, spec: Spec) -> Value:
    if spec.kind == "number":
        return _number(ctx, node, what, spec)
    if spec.kind == "int":
        text = _scalar(ctx, node, what).replace("_", "")
        if not re.fullmatch(r"-?\d+", text):
            raise ctx.fail(node, f"{what} must be a whole number, got {text!r}")
        if not spec.lo <= Decimal(text) <= spec.hi:
            raise ctx.fail(node, f"{what} is out of range: {text} ({spec.lo} to {spec.hi})")
        return int(text)
    if spec.kind == "text":
        return _scalar(ctx, node, what)
    if spec.kind == "choice":
        text = _scalar(ctx, node, what)
        if text not in spec.choices:
            raise ctx.fail(node, f"{what} must be one of {', '.join(spec.choices)}; got {text!r}")
        return text
    groups = _mapping(ctx, node, f"age table {what}")
    for name, (k, _) in groups.items():
        if name not in spec.groups:
            raise ctx.fail(
                k, f"{what}: unknown age group '{name}' (groups: {', '.join(spec.groups)})"
            )
    missing = [g for g in spec.groups if g not in groups]
    if missing:
        raise ctx.fail(node, f"{what}: missing age group {', '.join(missing)}")
    return tuple(_number(ctx, groups[g][1], f"{what}[{g}]", spec) for g in spec.groups)


@dataclass(frozen=True, slots=True)
class Parameters:
    """A parsed assumption file: flat values, their source lines and the references."""

    source: str
    name: str
    values: Mapping[str, Value]
    refs: Mapping[str, str]  # parameter → reference id (from the nearest ``_ref``)
    references: Mapping[str, str]  # reference id → "title — url"

    @property
    def prefectures(self) -> tuple[str, ...]:
        return tuple(sorted({k.split(".")[1] for k in self.values if k.startswith("prefectures.")}))

    def number(self, key: str) -> float:
        v = self.values[key]
        assert isinstance(v, (Decimal, int)), key
        return float(v)

    def table(self, key: str) -> tuple[float, ...]:
        v = self.values[key]
        assert isinstance(v, tuple), key
        return tuple(float(x) for x in v)

    def text(self, key: str) -> str:
        v = self.values[key]
        return str(v)

    def pref(self, code: str, field: str) -> float:
        return self.number(f"prefectures.{code}.{field}")


def _spec_for(path: str, prefectures: set[str] | None) -> Spec | None:
    if path.startswith("prefectures."):
        parts = path.split(".")
        if len(parts) != 3:
            return None
        if prefectures is not None and parts[1] not in prefectures:
            raise KeyError(parts[1])
        return PREFECTURE_SPEC.get(parts[2])
    return SPEC.get(path)


def _references(ctx: _Ctx, node: yaml.Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for rid, (_, body) in _mapping(ctx, node, "references").items():
        fields = _mapping(ctx, body, f"reference '{rid}'")
        unknown = set(fields) - {"title", "url", "note"}
        if unknown or "title" not in fields:
            raise ctx.fail(body, f"reference '{rid}' needs a title (and may have url, note)")
        title = _scalar(ctx, fields["title"][1], f"reference '{rid}' title")
        url = _scalar(ctx, fields["url"][1], "url") if "url" in fields else ""
        out[rid] = f"{title} — {url}" if url else title
    return out


def _walk(
    ctx: _Ctx,
    node: yaml.Node,
    prefix: str,
    ref: str,
    refs: Mapping[str, str],
    out: dict[str, Value],
    out_refs: dict[str, str],
) -> None:
    items = _mapping(ctx, node, prefix or "parameters")
    if "_ref" in items:
        k, v = items.pop("_ref")
        ref = _scalar(ctx, v, "_ref")
        if ref not in refs:
            raise ctx.fail(k, f"_ref '{ref}' is not among the references")
    for key, (knode, vnode) in items.items():
        path = f"{prefix}.{key}" if prefix else key
        spec = _spec_for(path, None)
        if spec is None:
            if isinstance(vnode, yaml.MappingNode) and _has_children(path):
                _walk(ctx, vnode, path, ref, refs, out, out_refs)
                continue
            raise ctx.fail(knode, f"unknown parameter '{path}'")
        out[path] = _value(ctx, vnode, path, spec)
        out_refs[path] = ref


def _has_children(path: str) -> bool:
    if path == "prefectures":
        return True
    if path.startswith("prefectures."):
        code = path.split(".")[1]
        return path.count(".") == 1 and bool(_CODE.match(code))
    return any(k.startswith(path + ".") for k in SPEC)


def _compose(ctx: _Ctx, text: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(
            f"{ctx.source}{line}: not valid YAML ({getattr(e, 'problem', e)})"
        ) from None
    if root is None:
        raise InputError(f"{ctx.source}: the file is empty")
    return root


def parse_assumptions(text: str, source: str = "<string>") -> Parameters:
    """Parse an assumption file; every parameter of :data:`SPEC` must be present."""
    ctx = _Ctx(source)
    root = _compose(ctx, text)
    top = _mapping(ctx, root, "the file")
    unknown = set(top) - {"assumptions", "references", "parameters"}
    for key in sorted(unknown):
        raise ctx.fail(top[key][0], f"unknown top-level key '{key}'")
    for key in ("assumptions", "references", "parameters"):
        if key not in top:
            raise ctx.fail(root, f"missing top-level key '{key}'")
    name = _scalar(ctx, top["assumptions"][1], "assumptions")
    refs = _references(ctx, top["references"][1])
    values: dict[str, Value] = {}
    out_refs: dict[str, str] = {}
    _walk(ctx, top["parameters"][1], "", "", refs, values, out_refs)
    missing = [k for k in SPEC if k not in values]
    if missing:
        raise ctx.fail(top["parameters"][1], f"missing parameter {', '.join(missing[:3])}")
    codes = {k.split(".")[1] for k in values if k.startswith("prefectures.")}
    if not codes:
        raise ctx.fail(top["parameters"][1], "no prefectures")
    for code in sorted(codes):
        if not _CODE.match(code):
            raise ctx.fail(top["parameters"][1], f"prefecture code '{code}' is not six digits")
        gaps = [f for f in PREFECTURE_SPEC if f"prefectures.{code}.{f}" not in values]
        if gaps:
            raise ctx.fail(top["parameters"][1], f"prefecture {code} lacks {', '.join(gaps)}")
    if int(values["horizon"]) <= int(values["base_year"]):  # type: ignore[arg-type]
        raise ctx.fail(top["parameters"][1], "horizon must be after base_year")
    return Parameters(source, name, values, out_refs, refs)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One named overlay of parameters (情景) with its description and source."""

    name: str
    description: str
    ref: str
    changes: Mapping[str, Value]


def parse_scenarios(text: str, base: Parameters, source: str = "<string>") -> tuple[Scenario, ...]:
    """Parse a scenario file against ``base``: unknown parameters and prefectures are errors.

    Keys in ``set`` are dotted parameter names (``contributions.employer_rate``,
    ``prefectures.990100.excess_cost_growth``).
    """
    ctx = _Ctx(source)
    root = _compose(ctx, text)
    top = _mapping(ctx, root, "the file")
    for key in top:
        if key not in ("scenarios", "references"):
            raise ctx.fail(top[key][0], f"unknown top-level key '{key}'")
    if "scenarios" not in top:
        raise ctx.fail(root, "missing top-level key 'scenarios'")
    refs = _references(ctx, top["references"][1]) if "references" in top else {}
    known = set(base.prefectures)
    out: list[Scenario] = []
    for name, (knode, body) in _mapping(ctx, top["scenarios"][1], "scenarios").items():
        fields = _mapping(ctx, body, f"scenario '{name}'")
        for f, (fk, _) in fields.items():
            if f not in ("description", "ref", "set"):
                raise ctx.fail(fk, f"scenario '{name}': unknown key '{f}'")
        desc = (
            _scalar(ctx, fields["description"][1], "description") if "description" in fields else ""
        )
        ref = _scalar(ctx, fields["ref"][1], "ref") if "ref" in fields else ""
        if ref and ref not in refs:
            raise ctx.fail(
                fields["ref"][1], f"scenario '{name}': ref '{ref}' is not among the references"
            )
        changes: dict[str, Value] = {}
        if "set" in fields and not (
            isinstance(fields["set"][1], yaml.ScalarNode) and fields["set"][1].value in ("", "{}")
        ):
            for path, (pk, pv) in _mapping(ctx, fields["set"][1], f"scenario '{name}' set").items():
                try:
                    spec = _spec_for(path, known)
                except KeyError as e:
                    raise ctx.fail(
                        pk, f"scenario '{name}': unknown prefecture '{e.args[0]}'"
                    ) from None
                if spec is None:
                    raise ctx.fail(pk, f"scenario '{name}': unknown parameter '{path}'")
                changes[path] = _value(ctx, pv, path, spec)
        out.append(Scenario(str(name), desc, ref, changes))
        del knode
    if not out:
        raise ctx.fail(root, "no scenarios")
    return tuple(out)


def overlay(base: Parameters, scenario: Scenario) -> Parameters:
    """The assumptions with a scenario's changes applied."""
    values = dict(base.values)
    values.update(scenario.changes)
    refs = dict(base.refs)
    refs.update({k: scenario.ref for k in scenario.changes})
    return Parameters(base.source, f"{base.name}+{scenario.name}", values, refs, base.references)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Warning thresholds in months payable (累计结余可支付月数) for one fund."""

    red_below: Decimal
    orange_below: Decimal
    normal_up_to: Decimal
    excess_above: Decimal
    prepay_from: Decimal


def parse_thresholds(text: str, source: str = "<string>") -> dict[str, Thresholds]:
    """Warning thresholds per fund (``employee_pooled``, ``resident_pooled``)."""
    ctx = _Ctx(source)
    root = _compose(ctx, text)
    top = _mapping(ctx, root, "the file")
    for key in top:
        if key not in ("warning", "references", "funds"):
            raise ctx.fail(top[key][0], f"unknown top-level key '{key}'")
    if "funds" not in top:
        raise ctx.fail(root, "missing top-level key 'funds'")
    refs = _references(ctx, top["references"][1]) if "references" in top else {}
    months = _n("0", "120")
    fields = ("red_below", "orange_below", "normal_up_to", "excess_above", "prepay_from")
    out: dict[str, Thresholds] = {}
    for fund, (fk, body) in _mapping(ctx, top["funds"][1], "funds").items():
        if fund not in ("employee_pooled", "resident_pooled"):
            raise ctx.fail(fk, f"unknown fund '{fund}' (employee_pooled, resident_pooled)")
        items = _mapping(ctx, body, f"funds.{fund}")
        if "_ref" in items:
            rk, rv = items.pop("_ref")
            if _scalar(ctx, rv, "_ref") not in refs:
                raise ctx.fail(rk, "_ref is not among the references")
        vals: dict[str, Decimal] = {}
        for key, (kn, vn) in items.items():
            if key not in fields:
                raise ctx.fail(kn, f"unknown parameter 'funds.{fund}.{key}'")
            vals[key] = _number(ctx, vn, f"funds.{fund}.{key}", months)
        missing = [f for f in fields if f not in vals]
        if missing:
            raise ctx.fail(body, f"funds.{fund} lacks {', '.join(missing)}")
        if (
            not vals["red_below"]
            <= vals["orange_below"]
            <= vals["normal_up_to"]
            <= vals["excess_above"]
        ):
            raise ctx.fail(
                body, f"funds.{fund}: thresholds must rise: red ≤ orange ≤ normal ≤ excess"
            )
        out[fund] = Thresholds(**vals)
    return out

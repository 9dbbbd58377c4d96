"""A DRG grouping scheme (分组方案) as versioned data.

A scheme is a directory of CSV tables (layout described in its ``README.md``): the MDCs
(主要诊断大类), the ADRGs (核心疾病诊断相关组) with their diagnosis and procedure lists, the DRGs
with their severity split, the MCC / CC lists (严重 / 一般并发症或合并症) and the CC-exclusion
table (排除表). ``load_scheme("chs-drg-1.1")`` reads a scheme shipped in this package; a
regional variant is another directory with the same layout, so it needs no code change.

Loading turns the tables into immutable lookup structures (frozensets, read-only mappings)
and precomputes the indexes the grouper needs to stay fast: for each main diagnosis the
ordered MDCs it may enter, and per MDC and main diagnosis the ADRGs worth trying.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from yibao.errors import InputError

DEFAULT_SCHEME = "chs-drg-1.1"

_PACKAGE_SCHEMES = "schemes"


class Rule(StrEnum):
    """``adrg.rule_code``: how an ADRG decides membership."""

    MAIN_DX = "MAIN_DX"
    MAIN_PROC = "MAIN_PROC"
    MAIN_DX_AND_MAIN_PROC = "MAIN_DX_AND_MAIN_PROC"
    TWO_PROC_LISTS = "TWO_PROC_LISTS"
    MAIN_DX_AND_TWO_PROC_LISTS = "MAIN_DX_AND_TWO_PROC_LISTS"
    MAIN_DX_AND_PROC_TABLES = "MAIN_DX_AND_PROC_TABLES"
    ANY_DX_NEWBORN_WEIGHT = "ANY_DX_NEWBORN_WEIGHT"
    MAIN_PROC_VALID = "MAIN_PROC_VALID"
    ANY_DX_AND_MAIN_PROC_VALID = "ANY_DX_AND_MAIN_PROC_VALID"
    NO_VALID_PROCEDURE = "NO_VALID_PROCEDURE"
    CATCH_ALL = "CATCH_ALL"
    # Regional rules (drg-regional READMEs): Yantai 2023 ...
    ANY_DX = "ANY_DX"
    ANY_DX_AND_MAIN_PROC = "ANY_DX_AND_MAIN_PROC"
    SECONDARY_DX = "SECONDARY_DX"
    MAIN_PROC_OR_MAIN_DX_AND_ANY_PROC = "MAIN_PROC_OR_MAIN_DX_AND_ANY_PROC"
    AMBIGUOUS_ANY_PROC_VALID = "AMBIGUOUS_ANY_PROC_VALID"
    # ... and Zhejiang 2022.
    MAIN_DX_NO_VALID_MAIN_PROC = "MAIN_DX_NO_VALID_MAIN_PROC"
    MAIN_PROC_AND_MAIN_DX_NOT_IN_LIST = "MAIN_PROC_AND_MAIN_DX_NOT_IN_LIST"


class Entry(IntEnum):
    """``mdc.entry_rule``: how a case enters an MDC."""

    MAIN_PROC_VALID = 1  # main procedure valid (or in the MDC's entry list)
    MAIN_DX = 2
    MAIN_DX_TRAUMA = 3
    ANY_DX = 4  # some diagnosis, main or secondary, in the MDC list (Yantai, Zhejiang MDCY)


# Entered by something other than the main diagnosis: on every route, at their place in order.
ROUTED_EVERYWHERE = (Entry.MAIN_PROC_VALID, Entry.ANY_DX)

_ENTRY_RULES = {
    "MAIN_PROC_IN_VALID_PROCEDURES": Entry.MAIN_PROC_VALID,
    "MAIN_PROC_IN_VALID_PROCEDURES_OR_ENTRY_LIST": Entry.MAIN_PROC_VALID,
    "ANY_DX_IN_LIST": Entry.ANY_DX,
    "MAIN_DX_IN_LIST": Entry.MAIN_DX,
    "MAIN_DX_IN_LIST_AND_2PLUS_TRAUMA_SITES": Entry.MAIN_DX_TRAUMA,
}


class Split(StrEnum):
    """``drg.split_rule``: what a DRG needs among the secondary diagnoses or the record."""

    MCC = "MCC"
    MCC_OR_CC = "MCC_OR_CC"
    NONE = "NONE"
    # Zhejiang 2022: the exact condition is a row of drg_conditions.csv.
    AGE_UNDER_17 = "AGE_UNDER_17"
    PROCS_INCLUDE = "PROCS_INCLUDE"
    DEPT_ICU = "DEPT_ICU"


# Minimum severity level each split needs: 2 = an MCC, 1 = an MCC or a CC, 0 = nothing.
SPLIT_LEVEL = {
    Split.MCC: 2,
    Split.MCC_OR_CC: 1,
    Split.NONE: 0,
    Split.AGE_UNDER_17: 0,
    Split.PROCS_INCLUDE: 0,
    Split.DEPT_ICU: 0,
}
_CONDITIONAL_SPLITS = (Split.AGE_UNDER_17, Split.PROCS_INCLUDE, Split.DEPT_ICU)


@dataclass(frozen=True, slots=True)
class DrgCondition:
    """A record condition of a DRG (``drg_conditions.csv``): ``field operator value``.

    ``age_years lt 17``; ``procedures contains_all {codes}``; ``dept eq ICU``.
    """

    field: str
    operator: str
    value: str
    codes: frozenset[str] = frozenset()  # contains_all: every code must be among procedures


_CONDITION_FORMS = {("age_years", "lt"), ("procedures", "contains_all"), ("dept", "eq")}


@dataclass(frozen=True, slots=True)
class Drg:
    code: str
    name: str
    split: Split
    level: int  # minimum severity level, from SPLIT_LEVEL
    condition: DrgCondition | None = None


# A procedure formula in disjunctive normal form: any one conjunction of lists must be covered,
# each list by some procedure in any position. Labels keep the list numbers for explanations.
ProcFormula = tuple[tuple[frozenset[str], ...], ...]


@dataclass(frozen=True, slots=True)
class Adrg:
    """One ADRG compiled to conjunctive conditions; ``None`` / empty means "no condition"."""

    code: str
    name: str
    mdc: str
    order_in_mdc: int
    rule: Rule
    main_dx: frozenset[str] | None  # main diagnosis (主要诊断) must be in it
    any_dx: frozenset[str] | None  # main or a secondary diagnosis must be in it
    secondary_dx: frozenset[str] | None  # some secondary diagnosis must be in it
    main_dx_not: frozenset[str] | None  # the main diagnosis must not be in it
    main_proc: frozenset[str] | None  # main procedure (主要手术) must be in it
    proc_formula: ProcFormula  # procedures in any position must cover it
    proc_formula_labels: tuple[tuple[str, ...], ...]
    no_valid_proc: bool  # no procedure may be a valid (operating-room) procedure
    no_valid_main_proc: bool  # the main procedure, if any, may not be a valid procedure
    ambiguous: bool  # an ambiguous group (歧义组, "QY"): a match ends grouping as AMBIGUOUS
    newborn_only: bool  # age_days <= 28
    weight_min_g: int | None  # inclusive
    weight_max_g: int | None  # exclusive
    drgs: tuple[Drg, ...]  # in order_in_adrg
    splits: bool  # some DRG needs the severity of the secondary diagnoses

    @property
    def needs_procedure(self) -> bool:
        return self.main_proc is not None or bool(self.proc_formula)


@dataclass(frozen=True, slots=True)
class Mdc:
    code: str
    name: str
    entry: Entry
    sex: int | None  # required sex, 1 male / 2 female
    age_years: int | None  # required age in years (0 for the newborn MDCP)
    main_dx: frozenset[str]
    trauma_site: Mapping[str, str]  # MDCZ: diagnosis -> body region (创伤部位)
    adrgs: tuple[Adrg, ...]  # in order_in_mdc
    # Indexes of the ADRGs worth trying (positions in ``adrgs``, ascending), so a case tries
    # two or three ADRGs instead of all of its MDC. ADRGs with a main-procedure condition are
    # found by the main procedure; the others by the main diagnosis (those with no main-dx
    # condition are under every key). Per dx: (for a case with procedures, without any).
    by_main_dx: Mapping[str, tuple[tuple[int, ...], tuple[int, ...]]]
    by_other_dx: tuple[tuple[int, ...], tuple[int, ...]]
    by_main_proc: Mapping[str, tuple[int, ...]]
    # Entry needs more than the main dx being routed here (procedure, sex, age, trauma); a
    # field, not a property, because it is read for every MDC a case tries.
    gated: bool
    entry_procs: frozenset[str]  # MAIN_PROC_VALID entry: valid procedures + its entry list


# An MDC with the positions of its candidate ADRGs for one main dx: (with procedures, without).
Route = tuple[Mdc, tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Scheme:
    name: str
    mdcs: tuple[Mdc, ...]  # in eval_order
    # One lookup per case instead of one per MDC tried (the tables are too big for the CPU
    # cache, so lookups, not logic, dominate): main dx -> the MDCs it may enter, in order, each
    # with its ADRG candidates; main procedure -> MDC code -> ADRGs found by that procedure.
    routes: Mapping[str, tuple[Route, ...]]
    default_routes: tuple[Route, ...]  # main dx in no MDC list: proc-entered MDCs (MDCA)
    proc_routes: Mapping[str, Mapping[str, tuple[int, ...]]]
    mcc: Mapping[str, int]  # dx -> exclusion table number
    cc: Mapping[str, int]
    exclusion_table: Mapping[str, int]  # main dx -> exclusion table number
    valid_procedures: frozenset[str]
    known_dx: frozenset[str]
    dx_names: Mapping[str, str]
    proc_names: Mapping[str, str]
    adrg_by_code: Mapping[str, Adrg]
    drg_names: Mapping[str, str]
    # scheme_rules.csv: an ungroupable record with 2+ procedures is grouped again with each
    # later procedure alone (Zhejiang 2022, RETRY_UNGROUPABLE_WITH_EACH_LATER_PROCEDURE).
    retry_later_procedures: bool = False
    title: str = ""


MANIFEST = "scheme.yaml"
_MANIFEST_KEYS = ("scheme", "title", "region", "year", "derives_from", "names_from", "source")


@dataclass(frozen=True, slots=True)
class Manifest:
    """``scheme.yaml`` beside the tables: what the scheme is and where it comes from.

    ``names_from`` names the shipped scheme whose ICD name tables this one uses (the regional
    packages share the national ones). A directory without a manifest is a scheme too.
    """

    scheme: str = ""
    title: str = ""
    region: str = ""
    year: int | None = None
    derives_from: str = ""
    names_from: str = ""
    source: str = ""


def read_manifest(root: Traversable) -> Manifest:
    """The scheme's manifest, or an empty one when the directory has none."""
    import yaml

    file = root / MANIFEST
    if not file.is_file():
        return Manifest()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(f"DRG scheme {MANIFEST}: not YAML: {e}") from None
    if not isinstance(data, dict):
        raise InputError(
            f"DRG scheme {MANIFEST}: expected a mapping of {', '.join(_MANIFEST_KEYS)}"
        )
    unknown = sorted(str(k) for k in data if k not in _MANIFEST_KEYS)
    if unknown:
        raise InputError(f"DRG scheme {MANIFEST}: unknown key(s) {', '.join(unknown)}")
    year = data.get("year")
    if year is not None and not isinstance(year, int):
        raise InputError(f"DRG scheme {MANIFEST}: year {year!r} is not a whole number")
    text = {k: str(data.get(k) or "") for k in _MANIFEST_KEYS if k != "year"}
    return Manifest(year=year, **text)


def scheme_names() -> tuple[str, ...]:
    """Schemes shipped in this package."""
    root = resources.files("yibao.payment.drg") / _PACKAGE_SCHEMES
    return tuple(sorted(p.name for p in root.iterdir() if p.is_dir()))


@lru_cache(maxsize=8)
def load_scheme(name: str = DEFAULT_SCHEME) -> Scheme:
    """Load a shipped scheme by name, or a scheme directory by path; built once, cached."""
    root = _scheme_root(name)
    manifest = read_manifest(root)
    return _build(root.name, root, manifest)


def _scheme_root(name: str) -> Traversable:
    packaged = resources.files("yibao.payment.drg") / _PACKAGE_SCHEMES / name
    if packaged.is_dir():
        return packaged
    path = Path(name)
    if path.is_dir() and (path / "adrg.csv").is_file():
        return path
    raise InputError(
        f"unknown DRG scheme {name!r}: not one of {', '.join(scheme_names())} "
        "and not a directory holding adrg.csv"
    )


def _rows(root: Traversable, file: str, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    table = root / file
    if not table.is_file():
        raise InputError(f"DRG scheme table {file} is missing")
    # Binary plus TextIOWrapper: csv needs newline="", which Traversable.open does not take.
    with io.TextIOWrapper(table.open("rb"), encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"DRG scheme table {file}: missing column(s) {', '.join(missing)}")
        yield from reader


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


def _build(name: str, root: Traversable, manifest: Manifest) -> Scheme:
    valid = frozenset(r["proc_code"] for r in _rows(root, "valid_procedures.csv", ("proc_code",)))
    clauses = _load_adrgs(root, valid)
    mdcs = _load_mdcs(root, clauses, valid)
    mcc = _exclusion_numbers(root, "mcc.csv", "dx_code")
    cc = _exclusion_numbers(root, "cc.csv", "dx_code")
    exclusion = _exclusion_numbers(root, "cc_exclusion.csv", "main_dx_code")
    names_root = _scheme_root(manifest.names_from) if manifest.names_from else root
    dx_names = _names(names_root, "icd10_dx_names.csv", "dx_code", "dx_name")
    proc_names = _names(names_root, "icd9cm3_proc_names.csv", "proc_code", "proc_name")
    grouping_dx = {dx for m in mdcs for dx in m.main_dx}
    for a in (c for cs in clauses.values() for c in cs):
        for codes in (a.main_dx, a.any_dx, a.secondary_dx, a.main_dx_not):
            grouping_dx |= codes or frozenset()
    known = frozenset(dx_names) | grouping_dx | mcc.keys() | cc.keys() | exclusion.keys()
    adrgs = {code: cs[0] for code, cs in clauses.items()}
    drg_names = {d.code: d.name for a in adrgs.values() for d in a.drgs}
    return Scheme(
        name=name,
        mdcs=mdcs,
        routes=_routes(mdcs),
        default_routes=tuple(_route(m, None) for m in mdcs if m.entry in ROUTED_EVERYWHERE),
        proc_routes=_proc_routes(mdcs),
        mcc=mcc,
        cc=cc,
        exclusion_table=exclusion,
        valid_procedures=valid,
        known_dx=known,
        dx_names=dx_names,
        proc_names=proc_names,
        adrg_by_code=adrgs,
        drg_names=drg_names,
        retry_later_procedures=_scheme_rules(root).get(_RETRY_RULE) == "Y",
        title=manifest.title,
    )


_RETRY_RULE = "RETRY_UNGROUPABLE_WITH_EACH_LATER_PROCEDURE"
_KNOWN_SCHEME_RULES = (_RETRY_RULE,)


def _scheme_rules(root: Traversable) -> dict[str, str]:
    """Scheme-level rules (``scheme_rules.csv``, optional): rule -> value."""
    if not (root / "scheme_rules.csv").is_file():
        return {}
    out: dict[str, str] = {}
    for n, r in enumerate(_rows(root, "scheme_rules.csv", ("rule", "value")), start=2):
        if r["rule"] not in _KNOWN_SCHEME_RULES:
            raise InputError(
                f"DRG scheme table scheme_rules.csv line {n}: unknown rule {r['rule']!r}"
            )
        if r["value"] not in ("Y", "N"):
            raise InputError(f"DRG scheme table scheme_rules.csv line {n}: value must be Y or N")
        out[r["rule"]] = r["value"]
    return out


def _routes(mdcs: tuple[Mdc, ...]) -> dict[str, tuple[Route, ...]]:
    """Main dx -> the MDCs it may enter, in evaluation order, with their ADRG candidates.

    MDCs entered by the main procedure (MDCA) or by any diagnosis (a regional MDCY) are on
    every route, at their place in the order; their entry is checked per case.
    """
    by_dx: defaultdict[str, list[Route]] = defaultdict(list)
    for m in mdcs:  # already in eval_order, so each route comes out ordered
        if m.entry in ROUTED_EVERYWHERE:
            for dx, routes in by_dx.items():
                routes.append(_route(m, dx))
            continue
        for dx in m.main_dx:
            if dx not in by_dx:
                by_dx[dx] = [_route(p, dx) for p in _routed_everywhere_before(mdcs, m)]
            by_dx[dx].append(_route(m, dx))
    return {dx: tuple(routes) for dx, routes in by_dx.items()}


def _routed_everywhere_before(mdcs: tuple[Mdc, ...], mdc: Mdc) -> list[Mdc]:
    before = mdcs[: mdcs.index(mdc)]
    return [m for m in before if m.entry in ROUTED_EVERYWHERE]


def _route(mdc: Mdc, main_dx: str | None) -> Route:
    with_proc, without_proc = mdc.by_main_dx.get(main_dx or "", mdc.by_other_dx)
    return mdc, with_proc, without_proc


def _proc_routes(mdcs: tuple[Mdc, ...]) -> dict[str, dict[str, tuple[int, ...]]]:
    out: defaultdict[str, dict[str, tuple[int, ...]]] = defaultdict(dict)
    for m in mdcs:
        for proc, positions in m.by_main_proc.items():
            out[proc][m.code] = positions
    return dict(out)


def _exclusion_numbers(root: Traversable, file: str, key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in _rows(root, file, (key, "exclusion_table")):
        try:
            out[r[key]] = int(r["exclusion_table"])
        except ValueError:
            raise InputError(
                f"DRG scheme table {file}: exclusion_table {r['exclusion_table']!r} "
                f"of {r[key]} is not a number"
            ) from None
    return out


def _names(root: Traversable, file: str, key: str, value: str) -> dict[str, str]:
    if not (root / file).is_file():  # names are optional: they only enrich explanations
        return {}
    return {r[key]: r[value] for r in _rows(root, file, (key, value))}


def _load_drgs(root: Traversable) -> dict[str, tuple[Drg, ...]]:
    cols = ("drg_code", "drg_name", "adrg_code", "split_rule", "order_in_adrg")
    conditions = _drg_conditions(root)
    by_adrg: defaultdict[str, list[tuple[int, Drg]]] = defaultdict(list)
    for r in _rows(root, "drg.csv", cols):
        split = _enum(Split, r["split_rule"], "drg.csv", "split_rule")
        condition = conditions.get(r["drg_code"])
        if (split in _CONDITIONAL_SPLITS) != (condition is not None):
            raise InputError(
                f"DRG scheme table drg.csv: {r['drg_code']} split_rule {split} "
                + (
                    "needs a row in drg_conditions.csv"
                    if condition is None
                    else "takes no condition"
                )
            )
        drg = Drg(r["drg_code"], r["drg_name"], split, SPLIT_LEVEL[split], condition)
        by_adrg[r["adrg_code"]].append((int(r["order_in_adrg"]), drg))
    return {a: tuple(d for _, d in sorted(ds, key=lambda t: t[0])) for a, ds in by_adrg.items()}


def _drg_conditions(root: Traversable) -> dict[str, DrgCondition]:
    """``drg_conditions.csv`` (optional): the record condition of each conditional DRG."""
    if not (root / "drg_conditions.csv").is_file():
        return {}
    out: dict[str, DrgCondition] = {}
    cols = ("drg_code", "field", "operator", "value")
    for n, r in enumerate(_rows(root, "drg_conditions.csv", cols), start=2):
        form = (r["field"], r["operator"])
        if form not in _CONDITION_FORMS:
            raise InputError(
                f"DRG scheme table drg_conditions.csv line {n}: unknown condition "
                f"{r['field']} {r['operator']}"
            )
        if r["field"] == "age_years" and not r["value"].isdigit():
            raise InputError(f"DRG scheme table drg_conditions.csv line {n}: age is not a number")
        codes = frozenset(r["value"].split("|")) if r["field"] == "procedures" else frozenset()
        out[r["drg_code"]] = DrgCondition(r["field"], r["operator"], r["value"], codes)
    return out


_E = TypeVar("_E", bound=StrEnum)


def _enum(kind: type[_E], value: str, file: str, column: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        raise InputError(f"DRG scheme table {file}: unknown {column} {value!r}") from None


def _load_lists(
    root: Traversable,
) -> tuple[dict[str, dict[str, set[str]]], dict[str, dict[str, set[str]]]]:
    dx: defaultdict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(root, "adrg_dx.csv", ("adrg_code", "dx_code", "dx_position")):
        dx[r["adrg_code"]][r["dx_position"]].add(r["dx_code"])
    proc: defaultdict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(root, "adrg_proc.csv", ("adrg_code", "proc_list", "proc_code")):
        proc[r["adrg_code"]][r["proc_list"]].add(r["proc_code"])
    return dx, proc


_TABLES_RE = re.compile(r"cover tables (.+)$")


def _proc_formula_labels(rule: Rule, rule_text: str, code: str) -> tuple[tuple[str, ...], ...]:
    """Which procedure lists must be covered, any position: (list AND list) OR ..."""
    if rule in (Rule.TWO_PROC_LISTS, Rule.MAIN_DX_AND_TWO_PROC_LISTS):
        return (("1", "2"),)
    if rule is not Rule.MAIN_DX_AND_PROC_TABLES:
        return ()
    # The table formula is data (rule_text, e.g. "T1 OR (T2 AND T3)") so that a regional
    # scheme with another combination needs no code change.
    found = _TABLES_RE.search(rule_text)
    if found is None:
        raise InputError(f"DRG scheme table adrg.csv: {code} rule_text has no 'cover tables'")
    terms = []
    for term in found.group(1).split(" OR "):
        tables = tuple(t.strip(" ()")[1:] for t in term.split(" AND "))
        terms.append(tables)
    return tuple(terms)


def _load_adrgs(root: Traversable, valid: frozenset[str]) -> dict[str, tuple[Adrg, ...]]:
    """Each ADRG as its clauses: conjunctive conditions tried in order, any one suffices."""
    drgs = _load_drgs(root)
    dx_lists, proc_lists = _load_lists(root)
    cols: tuple[str, ...] = ("adrg_code", "adrg_name", "mdc_code", "order_in_mdc", "rule_code")
    cols += ("rule_text",)
    cols += ("newborn_only", "weight_min_g", "weight_max_g")
    out: dict[str, tuple[Adrg, ...]] = {}
    for r in _rows(root, "adrg.csv", cols):
        code = r["adrg_code"]
        if code not in drgs:
            raise InputError(f"DRG scheme table drg.csv: ADRG {code} has no DRG")
        out[code] = _compile_adrg(r, drgs[code], dx_lists[code], proc_lists[code], valid)
    return out


@dataclass(frozen=True, slots=True)
class _Clause:
    """One conjunction of an ADRG rule, naming its lists (D = the dx list, P1/P2 = procs)."""

    main_dx: bool = False
    any_dx: bool = False
    secondary_dx: bool = False
    main_dx_not: bool = False
    main_proc: str | None = None  # "1", "2" or "valid"
    no_valid_proc: bool = False
    no_valid_main_proc: bool = False
    any_valid_proc: bool = False


# The rule vocabulary of the national and regional tables: rule_code -> clauses, any one
# suffices. A region's different rule is a different rule_code in its adrg.csv, not code.
_RULE_CLAUSES: dict[Rule, tuple[_Clause, ...]] = {
    Rule.MAIN_DX: (_Clause(main_dx=True),),
    Rule.MAIN_PROC: (_Clause(main_proc="1"),),
    Rule.MAIN_DX_AND_MAIN_PROC: (_Clause(main_dx=True, main_proc="1"),),
    Rule.TWO_PROC_LISTS: (_Clause(),),
    Rule.MAIN_DX_AND_TWO_PROC_LISTS: (_Clause(main_dx=True),),
    Rule.MAIN_DX_AND_PROC_TABLES: (_Clause(main_dx=True),),
    Rule.ANY_DX_NEWBORN_WEIGHT: (_Clause(any_dx=True),),
    Rule.MAIN_PROC_VALID: (_Clause(main_proc="valid"),),
    Rule.ANY_DX_AND_MAIN_PROC_VALID: (_Clause(any_dx=True, main_proc="valid"),),
    Rule.NO_VALID_PROCEDURE: (_Clause(no_valid_proc=True),),
    Rule.CATCH_ALL: (_Clause(),),
    Rule.ANY_DX: (_Clause(any_dx=True),),
    Rule.ANY_DX_AND_MAIN_PROC: (_Clause(any_dx=True, main_proc="1"),),
    Rule.SECONDARY_DX: (_Clause(secondary_dx=True),),
    # Yantai IB1: main procedure in list 2, or main dx and some procedure in list 1.
    Rule.MAIN_PROC_OR_MAIN_DX_AND_ANY_PROC: (
        _Clause(main_proc="2"),
        _Clause(main_dx=True),
    ),
    Rule.AMBIGUOUS_ANY_PROC_VALID: (_Clause(any_valid_proc=True),),
    Rule.MAIN_DX_NO_VALID_MAIN_PROC: (_Clause(main_dx=True, no_valid_main_proc=True),),
    Rule.MAIN_PROC_AND_MAIN_DX_NOT_IN_LIST: (_Clause(main_dx_not=True, main_proc="1"),),
}


def _compile_adrg(
    r: dict[str, str],
    drgs: tuple[Drg, ...],
    dx: dict[str, set[str]],
    proc: dict[str, set[str]],
    valid: frozenset[str],
) -> tuple[Adrg, ...]:
    rule = _enum(Rule, r["rule_code"], "adrg.csv", "rule_code")
    dx_list = frozenset(set().union(*dx.values())) if dx else frozenset()
    clauses = _RULE_CLAUSES[rule]
    out = []
    for n, clause in enumerate(clauses):
        labels = _clause_formula_labels(rule, n, r["rule_text"], r["adrg_code"])
        formula = tuple(tuple(frozenset(proc.get(t, ())) for t in term) for term in labels)
        if clause.any_valid_proc:
            labels, formula = (("valid",),), ((valid,),)
        main_proc: frozenset[str] | None = None
        if clause.main_proc == "valid":
            main_proc = valid
        elif clause.main_proc is not None:
            main_proc = frozenset(proc.get(clause.main_proc, ()))
        out.append(
            Adrg(
                code=r["adrg_code"],
                name=r["adrg_name"],
                mdc=r["mdc_code"],
                order_in_mdc=int(r["order_in_mdc"]),
                rule=rule,
                main_dx=dx_list if clause.main_dx else None,
                any_dx=dx_list if clause.any_dx else None,
                secondary_dx=dx_list if clause.secondary_dx else None,
                main_dx_not=dx_list if clause.main_dx_not else None,
                main_proc=main_proc,
                proc_formula=formula,
                proc_formula_labels=labels,
                no_valid_proc=clause.no_valid_proc,
                no_valid_main_proc=clause.no_valid_main_proc,
                ambiguous=rule is Rule.AMBIGUOUS_ANY_PROC_VALID,
                newborn_only=r["newborn_only"] == "Y",
                weight_min_g=_int_or_none(r["weight_min_g"]),
                weight_max_g=_int_or_none(r["weight_max_g"]),
                drgs=drgs,
                splits=any(d.level > 0 for d in drgs),
            )
        )
    return tuple(out)


def _clause_formula_labels(
    rule: Rule, clause: int, rule_text: str, code: str
) -> tuple[tuple[str, ...], ...]:
    if rule is Rule.MAIN_PROC_OR_MAIN_DX_AND_ANY_PROC:
        return (("1",),) if clause == 1 else ()
    return _proc_formula_labels(rule, rule_text, code)


def _load_mdcs(
    root: Traversable, clauses: Mapping[str, tuple[Adrg, ...]], valid: frozenset[str]
) -> tuple[Mdc, ...]:
    lists: defaultdict[str, set[str]] = defaultdict(set)
    sites: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for r in _rows(root, "mdc_main_dx.csv", ("mdc_code", "dx_code", "mdcz_trauma_site")):
        lists[r["mdc_code"]].add(r["dx_code"])
        if r["mdcz_trauma_site"]:
            sites[r["mdc_code"]][r["dx_code"]] = r["mdcz_trauma_site"]
    entry_lists = _entry_procedures(root)
    cols: tuple[str, ...] = ("mdc_code", "mdc_name", "eval_order", "entry_rule")
    cols += ("gender_required",)
    cols += ("age_condition",)
    ordered: list[tuple[int, Mdc]] = []
    for r in _rows(root, "mdc.csv", cols):
        code = r["mdc_code"]
        own = sorted(
            (c for cs in clauses.values() for c in cs if c.mdc == code),
            key=lambda a: a.order_in_mdc,  # stable: an ADRG's clauses stay in their order
        )
        procs = valid | entry_lists.get(code, frozenset())
        ordered.append(
            (int(r["eval_order"]), _compile_mdc(r, lists[code], sites[code], own, procs))
        )
    return tuple(m for _, m in sorted(ordered, key=lambda t: t[0]))


def _entry_procedures(root: Traversable) -> dict[str, frozenset[str]]:
    """``mdc_entry_procedures.csv`` (optional): procedures that open an MDC besides valid ones."""
    if not (root / "mdc_entry_procedures.csv").is_file():
        return {}
    out: defaultdict[str, set[str]] = defaultdict(set)
    for r in _rows(root, "mdc_entry_procedures.csv", ("mdc_code", "proc_code")):
        out[r["mdc_code"]].add(r["proc_code"])
    return {mdc: frozenset(codes) for mdc, codes in out.items()}


_AGE_RE = re.compile(r"^age_years==(\d+)$")


def _compile_mdc(
    r: dict[str, str],
    main_dx: set[str],
    sites: dict[str, str],
    adrgs: list[Adrg],
    entry_procs: frozenset[str],
) -> Mdc:
    entry = _ENTRY_RULES.get(r["entry_rule"])
    if entry is None:
        raise InputError(f"DRG scheme table mdc.csv: unknown entry_rule {r['entry_rule']!r}")
    age = _AGE_RE.match(r["age_condition"].replace(" ", ""))
    if r["age_condition"].strip() and age is None:
        raise InputError(f"DRG scheme table mdc.csv: unknown age_condition {r['age_condition']!r}")
    by_dx = [(i, a) for i, a in enumerate(adrgs) if a.main_proc is None]
    keys = {dx for _, a in by_dx if a.main_dx is not None for dx in a.main_dx}
    return Mdc(
        code=r["mdc_code"],
        name=r["mdc_name"],
        entry=entry,
        sex=_int_or_none(r["gender_required"]),
        age_years=int(age.group(1)) if age else None,
        main_dx=frozenset(main_dx),
        trauma_site=sites,
        adrgs=tuple(adrgs),
        by_main_dx={dx: _dx_candidates(by_dx, dx) for dx in keys},
        by_other_dx=_dx_candidates(by_dx, None),
        by_main_proc=_proc_candidates(adrgs),
        gated=entry is not Entry.MAIN_DX or bool(r["gender_required"].strip()) or age is not None,
        entry_procs=entry_procs,
    )


def _dx_candidates(
    adrgs: list[tuple[int, Adrg]], main_dx: str | None
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Positions of ADRGs a case with this main dx can match: (with procedures, without)."""
    fit = [(i, a) for i, a in adrgs if a.main_dx is None or main_dx in a.main_dx]
    return tuple(i for i, _ in fit), tuple(i for i, a in fit if not a.needs_procedure)


def _proc_candidates(adrgs: list[Adrg]) -> dict[str, tuple[int, ...]]:
    out: defaultdict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(adrgs):
        for proc in a.main_proc or ():
            out[proc].append(i)
    return {proc: tuple(ps) for proc, ps in out.items()}

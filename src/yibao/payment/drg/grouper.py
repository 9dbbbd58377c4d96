"""The DRG grouper (分组器): a pure function from a discharge record to its DRG.

Steps, as the scheme's README specifies them: enter the first MDC (主要诊断大类) whose entry rule
holds, then the first ADRG (核心疾病诊断相关组) of that MDC whose rule holds (none → next MDC), then
the first DRG of the ADRG whose severity need is met by the secondary diagnoses: an MCC
(严重并发症或合并症) or a CC (一般并发症或合并症) not excluded by the main diagnosis's exclusion
table (排除表).

The fast path builds no strings; with ``explain=True`` the same code records each step in
``DrgResult.path``. Invalid input never raises: it gives a ``CHECK_FAILED`` result whose
reason names the field and value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

from yibao.payment.drg.scheme import Adrg, Drg, Entry, Mdc, Scheme, load_scheme

NOT_GROUPED_MDC = "0000"
NOT_GROUPED_ADRG = "00"
NOT_GROUPED_DRG = "0000"
AMBIGUOUS_ADRG = "QY"  # reported ADRG of an ambiguous group (歧义组), the DRG is e.g. BQY

# Plausibility bounds of the record; outside them the data is wrong rather than rare.
MAX_AGE_YEARS = 150
MAX_AGE_DAYS_IN_FIRST_YEAR = 365
NEWBORN_MAX_AGE_DAYS = 28
MAX_BIRTH_WEIGHT_G = 10_000

MCC_LEVEL = 2
CC_LEVEL = 1


class Status(StrEnum):
    GROUPED = "GROUPED"
    AMBIGUOUS = "AMBIGUOUS"  # 歧义病案: a valid procedure unrelated to the main diagnosis
    UNGROUPABLE = "UNGROUPABLE"
    CHECK_FAILED = "CHECK_FAILED"


@dataclass(frozen=True, slots=True)
class DrgCase:
    """One discharge record (病案首页) as the grouper reads it.

    ``procedures`` are in record order: the first is the main procedure (主要手术或操作).
    ``los_days`` and ``discharge_status`` are carried but not used by CHS-DRG 1.1; ``dept``
    (discharge department) only by conditional DRGs of a regional scheme (Zhejiang ICU groups).
    """

    case_id: str
    sex: int | None  # 1 male, 2 female
    age_years: int | None
    age_days: int | None  # age in days, required when age_years == 0
    weight_g: int | None  # birth weight (新生儿出生体重), needed by the newborn weight rules
    los_days: int | None
    discharge_status: str | None
    main_dx: str  # main diagnosis (主要诊断)
    other_dx: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    dept: str | None = None


class DrgResult(NamedTuple):
    """The grouping of one case; a NamedTuple because a batch creates millions of them."""

    case_id: str
    mdc: str
    adrg: str
    drg: str
    status: Status
    reason: str
    path: tuple[str, ...] = ()


class _CheckFailed(Exception):
    """A field needed only by the rule being tried (birth weight) is missing or absurd."""


Trace = list[str] | None


def group(case: DrgCase, scheme: Scheme | str | None = None, *, explain: bool = False) -> DrgResult:
    """Group one case. ``scheme`` is a loaded scheme or a scheme name (default CHS-DRG 1.1)."""
    return _group(case, _resolve(scheme), explain)


def _group(case: DrgCase, s: Scheme, explain: bool) -> DrgResult:
    problem = check_case(case, s)
    if problem is not None:
        return _not_grouped(case, Status.CHECK_FAILED, problem, explain)
    trace: Trace = [] if explain else None
    try:
        found = _find_adrg(case, s, trace)
        if found is None and s.retry_later_procedures:
            found = _retry_later_procedures(case, s, trace)
    except _CheckFailed as e:
        result = _not_grouped(case, Status.CHECK_FAILED, str(e), explain)
        return result._replace(path=(*trace, *result.path)) if trace else result
    if found is None:
        return _ungroupable(case, s, explain)
    mdc, adrg, grouped = found
    path = tuple(trace) if trace is not None else ()
    if adrg.ambiguous:
        return DrgResult(
            case.case_id, mdc.code, AMBIGUOUS_ADRG, adrg.code, Status.AMBIGUOUS, "", path
        )
    drg = _pick_drg(grouped, s, adrg, trace)
    if drg is None:  # only a malformed scheme has an ADRG without an unsplit last DRG
        reason = f"ADRG {adrg.code}: no DRG matched the severity"
        return _not_grouped(case, Status.UNGROUPABLE, reason, explain)
    path = tuple(trace) if trace is not None else ()
    return DrgResult(case.case_id, mdc.code, adrg.code, drg.code, Status.GROUPED, "", path)


def _retry_later_procedures(
    case: DrgCase, s: Scheme, trace: Trace
) -> tuple[Mdc, Adrg, DrgCase] | None:
    """Group again with each later procedure alone; the first grouping found is kept."""
    for n, proc in enumerate(case.procedures[1:], start=2):
        if trace is not None:
            trace.append(f"ungroupable: retry with procedure {n} ({_proc(proc, s)}) alone")
        found = _find_adrg(replace(case, procedures=(proc,)), s, trace)
        if found is not None:
            return found
    return None


def group_many(
    cases: Iterable[DrgCase], scheme: Scheme | str | None = None, *, explain: bool = False
) -> Iterator[DrgResult]:
    """Group a batch lazily, in input order; the scheme is resolved once."""
    s = _resolve(scheme)
    for case in cases:
        yield _group(case, s, explain)


def _resolve(scheme: Scheme | str | None) -> Scheme:
    if isinstance(scheme, Scheme):
        return scheme
    return load_scheme() if scheme is None else load_scheme(scheme)


# --- input checks -------------------------------------------------------------------------


def check_case(case: DrgCase, scheme: Scheme) -> str | None:
    """The first problem that makes the record ungroupable as data, or None."""
    if case.sex is None:
        return "sex missing: must be 1 (male) or 2 (female)"
    if case.sex not in (1, 2):
        return f"sex={case.sex}: must be 1 (male) or 2 (female)"
    age = _check_age(case)
    if age is not None:
        return age
    if case.weight_g is not None and case.weight_g < 0:
        return f"weight_g={case.weight_g}: negative birth weight"
    if case.los_days is not None and case.los_days < 0:
        return f"los_days={case.los_days}: negative length of stay"
    if not case.main_dx:
        return "main_dx missing"
    if case.main_dx not in scheme.known_dx:
        return (
            f"main_dx={case.main_dx!r}: unknown diagnosis code "
            f"(not in the {scheme.name} ICD-10 names or grouping tables)"
        )
    return None


def _check_age(case: DrgCase) -> str | None:
    years, days = case.age_years, case.age_days
    if years is None:
        return "age_years missing"
    if not 0 <= years <= MAX_AGE_YEARS:
        return f"age_years={years}: outside 0..{MAX_AGE_YEARS}"
    if days is not None and days < 0:
        return f"age_days={days}: negative"
    if years == 0:
        # The newborn MDC and its ADRGs decide on age in days; a first-year record must have it.
        if days is None:
            return "age_days missing: required when age_years=0"
        if days > MAX_AGE_DAYS_IN_FIRST_YEAR:
            return f"age_days={days}: more than {MAX_AGE_DAYS_IN_FIRST_YEAR} with age_years=0"
    return None


def _require_weight(case: DrgCase, adrg: Adrg) -> int:
    w = case.weight_g
    if w is None or w == 0:
        dx = _any_dx_in(adrg.any_dx, case) if adrg.any_dx is not None else None
        because = f", diagnosis {dx} in its list" if dx else ""
        raise _CheckFailed(
            f"weight_g missing: birth weight needed by newborn ADRG {adrg.code} "
            f"(age_days={case.age_days}{because})"
        )
    if w > MAX_BIRTH_WEIGHT_G:
        raise _CheckFailed(f"weight_g={w}: implausible birth weight (> {MAX_BIRTH_WEIGHT_G} g)")
    return w


# --- MDC and ADRG -------------------------------------------------------------------------


def _find_adrg(case: DrgCase, s: Scheme, trace: Trace) -> tuple[Mdc, Adrg, DrgCase] | None:
    main_proc = case.procedures[0] if case.procedures else None
    by_proc = s.proc_routes.get(main_proc) if main_proc is not None else None
    for mdc, with_proc, without_proc in s.routes.get(case.main_dx, s.default_routes):
        if mdc.gated and not _enters(mdc, case, main_proc, s):
            if trace is not None:
                trace.append(_entry_note(mdc, case, main_proc, s, entered=False))
            continue
        if trace is not None:
            trace.append(_entry_note(mdc, case, main_proc, s, entered=True))
        if main_proc is None:
            candidates = without_proc
        else:
            found = by_proc.get(mdc.code) if by_proc is not None else None
            # Both are ascending positions; merged they keep the order_in_mdc.
            candidates = tuple(sorted(with_proc + found)) if found else with_proc
        adrg = _match_adrg(mdc, candidates, case, main_proc, s, trace)
        if adrg is not None:
            return mdc, adrg, case
    return None


def _enters(mdc: Mdc, case: DrgCase, main_proc: str | None, s: Scheme) -> bool:
    # MDCs entered by main dx are only routed (s.routes) when the dx is in their list.
    if mdc.entry is Entry.MAIN_PROC_VALID:
        return main_proc in mdc.entry_procs
    if mdc.entry is Entry.ANY_DX:
        return _any_dx_in(mdc.main_dx, case) is not None
    if mdc.sex is not None and case.sex != mdc.sex:
        return False
    if mdc.age_years is not None and case.age_years != mdc.age_years:
        return False
    return mdc.entry is not Entry.MAIN_DX_TRAUMA or len(_trauma_sites(mdc, case)) >= 2


def _trauma_sites(mdc: Mdc, case: DrgCase) -> dict[str, str]:
    """Body regions (创伤部位) covered by the record's diagnoses in the MDC list: site -> dx."""
    sites: dict[str, str] = {}
    for dx in (case.main_dx, *case.other_dx):
        site = mdc.trauma_site.get(dx)
        if site is not None and site not in sites:
            sites[site] = dx
    return sites


def _match_adrg(
    mdc: Mdc,
    candidates: tuple[int, ...],
    case: DrgCase,
    main_proc: str | None,
    s: Scheme,
    trace: Trace,
) -> Adrg | None:
    adrgs = mdc.adrgs
    for i in candidates:
        adrg = adrgs[i]
        if _adrg_holds(adrg, case, main_proc, s):
            if trace is not None:
                trace.append(_adrg_note(adrg, case, main_proc, s))
            return adrg
    if trace is not None:
        trace.append(f"{mdc.code}: none of {len(candidates)} candidate ADRGs matched, next MDC")
    return None


def _adrg_holds(adrg: Adrg, case: DrgCase, main_proc: str | None, s: Scheme) -> bool:
    if adrg.main_dx is not None and case.main_dx not in adrg.main_dx:
        return False
    if adrg.main_proc is not None and main_proc not in adrg.main_proc:
        return False
    if adrg.proc_formula and not _covers(adrg, case.procedures):
        return False
    if adrg.no_valid_proc and any(p in s.valid_procedures for p in case.procedures):
        return False
    if adrg.any_dx is not None and _any_dx_in(adrg.any_dx, case) is None:
        return False
    if adrg.secondary_dx is not None and adrg.secondary_dx.isdisjoint(case.other_dx):
        return False
    if adrg.main_dx_not is not None and case.main_dx in adrg.main_dx_not:
        return False
    if adrg.no_valid_main_proc and main_proc in s.valid_procedures:
        return False
    if adrg.newborn_only and (case.age_days is None or case.age_days > NEWBORN_MAX_AGE_DAYS):
        return False
    if adrg.weight_min_g is None and adrg.weight_max_g is None:
        return True
    # Checked last: the birth weight is required only when everything else already holds.
    w = _require_weight(case, adrg)
    lo, hi = adrg.weight_min_g, adrg.weight_max_g
    return (lo is None or w >= lo) and (hi is None or w < hi)


def _any_dx_in(codes: frozenset[str], case: DrgCase) -> str | None:
    if case.main_dx in codes:
        return case.main_dx
    return next((dx for dx in case.other_dx if dx in codes), None)


def _covers(adrg: Adrg, procedures: tuple[str, ...]) -> bool:
    # Plain loops and C-level isdisjoint: the fast path needs the answer, not the witnesses.
    for term in adrg.proc_formula:
        for codes in term:
            if codes.isdisjoint(procedures):
                break
        else:
            return True
    return False


def _covered_term(adrg: Adrg, procedures: tuple[str, ...]) -> tuple[int, tuple[str, ...]] | None:
    """The first (list AND list ...) term the procedures cover: its index, one code per list."""
    for i, term in enumerate(adrg.proc_formula):
        witnesses = []
        for codes in term:
            hit = next((p for p in procedures if p in codes), None)
            if hit is None:
                break
            witnesses.append(hit)
        else:
            return i, tuple(witnesses)
    return None


# --- DRG and severity ---------------------------------------------------------------------


def _pick_drg(case: DrgCase, s: Scheme, adrg: Adrg, trace: Trace) -> Drg | None:
    level, decider = _severity(case, s) if adrg.splits else (0, None)
    for drg in adrg.drgs:
        if level >= drg.level and (drg.condition is None or _condition_holds(drg, case)):
            if trace is not None:
                trace.append(_drg_note(adrg, drg, case, s, decider))
            return drg
    return None


def _condition_holds(drg: Drg, case: DrgCase) -> bool:
    c = drg.condition
    assert c is not None
    if c.field == "age_years":
        return case.age_years is not None and case.age_years < int(c.value)
    if c.field == "procedures":
        return c.codes.issubset(case.procedures)
    return case.dept == c.value


def _severity(case: DrgCase, s: Scheme) -> tuple[int, str | None]:
    """Highest severity among secondary diagnoses, with the first dx that gives it.

    A secondary dx does not count when its exclusion table is the main dx's one: it is then a
    part of the main disease, not a complication (排除表 rule)."""
    excluded = s.exclusion_table.get(case.main_dx)
    level, decider = 0, None
    for dx in case.other_dx:
        table = s.mcc.get(dx)
        if table is not None:
            if table != excluded:
                return MCC_LEVEL, dx
            continue
        if level == 0:
            table = s.cc.get(dx)
            if table is not None and table != excluded:
                level, decider = CC_LEVEL, dx
    return level, decider


# --- results and explanations ---------------------------------------------------------------


def _not_grouped(case: DrgCase, status: Status, reason: str, explain: bool) -> DrgResult:
    path = (f"{status}: {reason}",) if explain else ()
    return DrgResult(
        case.case_id, NOT_GROUPED_MDC, NOT_GROUPED_ADRG, NOT_GROUPED_DRG, status, reason, path
    )


def _ungroupable(case: DrgCase, s: Scheme, explain: bool) -> DrgResult:
    # Rare, so the reason is rebuilt by a traced second pass instead of slowing the fast path.
    trace: list[str] = []
    _find_adrg(case, s, trace)
    if s.retry_later_procedures:
        _retry_later_procedures(case, s, trace)
    parts = list(trace)
    if case.main_dx not in s.routes:
        parts.insert(0, f"main_dx {_dx(case.main_dx, s)} is a main diagnosis of no MDC")
    reason = "no MDC and ADRG matched: " + "; ".join(parts)
    result = _not_grouped(case, Status.UNGROUPABLE, reason, explain=False)
    return result._replace(path=(*trace, f"{Status.UNGROUPABLE}: {reason}")) if explain else result


def _dx(code: str, s: Scheme) -> str:
    name = s.dx_names.get(code)
    return f"{code} {name}" if name else code


def _proc(code: str, s: Scheme) -> str:
    name = s.proc_names.get(code)
    return f"{code} {name}" if name else code


def _entry_note(mdc: Mdc, case: DrgCase, main_proc: str | None, s: Scheme, entered: bool) -> str:
    head = f"{mdc.code} {mdc.name}: {'entered' if entered else 'not entered'}"
    if mdc.entry is Entry.MAIN_PROC_VALID:
        if main_proc is None:
            return f"{head}, no procedure"
        verb = "is" if entered else "is not"
        return f"{head}, main procedure {_proc(main_proc, s)} {verb} a valid (OR) procedure"
    if mdc.entry is Entry.ANY_DX:
        hit = _any_dx_in(mdc.main_dx, case)
        if hit is None:
            return f"{head}, no diagnosis (main or secondary) is in its list"
        return f"{head}, diagnosis {_dx(hit, s)} is in its list (any diagnosis enters)"
    if mdc.sex is not None and case.sex != mdc.sex:
        return f"{head}, needs sex={mdc.sex}, record has sex={case.sex}"
    if mdc.age_years is not None and case.age_years != mdc.age_years:
        return f"{head}, needs age_years={mdc.age_years}, record has {case.age_years}"
    why = f"main_dx {_dx(case.main_dx, s)} is in its main-diagnosis list"
    if mdc.entry is Entry.MAIN_DX_TRAUMA:
        sites = _trauma_sites(mdc, case)
        listed = ", ".join(f"{site} ({dx})" for site, dx in sites.items())
        verb = "" if entered else "only "
        why += f"; trauma sites {verb}{len(sites)}: {listed} (needs 2 or more)"
    return f"{head}, {why}"


def _adrg_note(adrg: Adrg, case: DrgCase, main_proc: str | None, s: Scheme) -> str:
    reasons = []
    if adrg.main_dx is not None:
        reasons.append(f"main_dx {_dx(case.main_dx, s)} in its diagnosis list")
    if adrg.main_proc is not None and main_proc is not None:
        where = "valid (OR) procedures" if adrg.main_proc is s.valid_procedures else "its list"
        reasons.append(f"main procedure {_proc(main_proc, s)} in {where}")
    if adrg.ambiguous:
        hit = next(p for p in case.procedures if p in s.valid_procedures)
        return (
            f"ADRG {adrg.code} {adrg.name} (ambiguous group 歧义组): procedure {_proc(hit, s)} "
            f"is a valid (OR) procedure no surgical ADRG of {adrg.mdc} takes"
        )
    if adrg.proc_formula:
        i, codes = _covered_term(adrg, case.procedures) or (0, ())
        labels = adrg.proc_formula_labels[i]
        reasons += [
            f"procedure {_proc(p, s)} in list {n}" for p, n in zip(codes, labels, strict=True)
        ]
    if adrg.no_valid_proc:
        reasons.append("no procedure is a valid (OR) procedure")
    if adrg.any_dx is not None:
        reasons.append(f"diagnosis {_dx(_any_dx_in(adrg.any_dx, case) or '', s)} in its list")
    if adrg.secondary_dx is not None:
        hit = next(dx for dx in case.other_dx if dx in adrg.secondary_dx)
        reasons.append(f"secondary diagnosis {_dx(hit, s)} in its list")
    if adrg.main_dx_not is not None:
        reasons.append(f"main_dx {case.main_dx} not in its exclusion list")
    if adrg.no_valid_main_proc:
        reasons.append("main procedure, if any, is not a valid (OR) procedure")
    if adrg.newborn_only:
        reasons.append(f"newborn: age_days={case.age_days} <= {NEWBORN_MAX_AGE_DAYS}")
    if adrg.weight_min_g is not None or adrg.weight_max_g is not None:
        lo, hi = adrg.weight_min_g or 0, adrg.weight_max_g
        reasons.append(f"weight_g={case.weight_g} in [{lo}, {hi if hi else '∞'})")
    if not reasons:
        reasons.append(f"catch-all of {adrg.mdc}")
    return f"ADRG {adrg.code} {adrg.name}: " + "; ".join(reasons)


def _drg_note(adrg: Adrg, drg: Drg, case: DrgCase, s: Scheme, decider: str | None) -> str:
    head = f"DRG {drg.code} {drg.name}"
    if drg.condition is not None:
        c = drg.condition
        return f"{head}: {c.field} {c.operator} {c.value} holds"
    if not adrg.splits:
        return f"{head}: ADRG {adrg.code} is not split by severity"
    if decider is None:
        return f"{head}: no MCC/CC{_excluded_note(case, s)}"
    kind, table = ("MCC", s.mcc[decider]) if decider in s.mcc else ("CC", s.cc[decider])
    found = f"{kind} {_dx(decider, s)} (exclusion table {table})"
    if drg.level == 0:
        return f"{head}: no MCC; {found} does not split ADRG {adrg.code}"
    return f"{head}: {found}"


def _excluded_note(case: DrgCase, s: Scheme) -> str:
    """Why the secondary diagnoses gave no MCC/CC: those excluded with the main dx's table."""
    table = s.exclusion_table.get(case.main_dx)
    excluded = [
        dx for dx in case.other_dx if table is not None and s.mcc.get(dx, s.cc.get(dx)) == table
    ]
    if not excluded:
        return f" among {len(case.other_dx)} secondary diagnoses"
    return f" (excluded by table {table} of main_dx {case.main_dx}: {', '.join(excluded)})"

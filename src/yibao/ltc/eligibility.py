"""Who may draw LTC benefits (待遇享受条件): enrolment, waiting period, disability, assessment.

LTC enrolment rides on basic insurance (80号 / 医保发〔2020〕37号: employees first, cities may add
residents). A benefit needs (policy-facts-2 §1.2): the person's scheme covered by the pilot;
continuous enrolment for the waiting period where the city sets one (Tangshan: 2 years); a
disability lasting at least the minimum duration (typically 6 months after standard treatment);
an assessment valid in the billed month at a level the city pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yibao.errors import InputError
from yibao.ltc.assess import Assessment, Level
from yibao.ltc.schema import LEAVES
from yibao.policy.errors import PolicyError
from yibao.types import Scheme


@dataclass(frozen=True, slots=True)
class Eligibility:
    """A pilot's benefit conditions; ``synthetic`` when a value is not in the facts."""

    schemes: frozenset[Scheme]
    waiting_months: int
    min_disability_months: int
    source: str
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A person's basic insurance scheme and the start of their continuous enrolment."""

    person_id: str
    scheme: Scheme
    enrolled_since: date


ELIGIBILITY_KEYS = frozenset(
    path.split(".")[1] for path in LEAVES if path.startswith("eligibility.")
)


def parse_eligibility(raw: object, where: str) -> Eligibility:
    """The ``eligibility`` block of an LTC pack, strictly."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: eligibility must be a mapping")
    unknown = sorted(set(raw) - ELIGIBILITY_KEYS)
    if unknown:
        raise PolicyError(f"{where}: eligibility: unknown key '{unknown[0]}'")
    if not raw.get("source"):
        raise PolicyError(f"{where}: eligibility needs a source")
    try:
        schemes = frozenset(Scheme(str(s)) for s in raw.get("schemes") or ())
    except ValueError:
        raise PolicyError(f"{where}: eligibility.schemes: expected employee or resident") from None
    if not schemes:
        raise PolicyError(f"{where}: eligibility.schemes must name at least one scheme")
    months = {k: raw.get(k, 0) for k in ("waiting_months", "min_disability_months")}
    for k, v in months.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise PolicyError(f"{where}: eligibility.{k} must be a whole number ≥ 0, got {v!r}")
    return Eligibility(
        schemes,
        months["waiting_months"],
        months["min_disability_months"],
        str(raw["source"]),
        bool(raw.get("synthetic", False)),
    )


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def check(
    rule: Eligibility,
    min_level: Level,
    who: Enrolment,
    a: Assessment,
    level: Level,
    month: date,
    bill_id: str,
) -> None:
    """Refuse a care bill the person may not draw, with one line naming the failed condition."""
    if who.person_id != a.person_id:
        raise InputError(f"bill {bill_id}: the assessment is of {a.person_id}, not {who.person_id}")
    if who.scheme not in rule.schemes:
        covered = ", ".join(sorted(s.value for s in rule.schemes))
        raise InputError(f"bill {bill_id}: {who.scheme.value} insureds are not covered ({covered})")
    waited = add_months(who.enrolled_since, rule.waiting_months)
    if month < waited:
        raise InputError(
            f"bill {bill_id}: in the waiting period of {rule.waiting_months} months "
            f"(enrolled {who.enrolled_since}, benefits from {waited})"
        )
    if not (a.assessed_on <= _month_end(month) and a.valid_until >= month):
        raise InputError(
            f"bill {bill_id}: no valid assessment for {month:%Y-%m} "
            f"(assessed {a.assessed_on}, valid until {a.valid_until})"
        )
    lasting = add_months(a.disabled_since, rule.min_disability_months)
    if a.assessed_on < lasting:
        raise InputError(
            f"bill {bill_id}: disability since {a.disabled_since} is shorter than "
            f"{rule.min_disability_months} months at the assessment on {a.assessed_on}"
        )
    if level < min_level:
        raise InputError(f"bill {bill_id}: level {int(level)} is below {int(min_level)}")


def _month_end(month: date) -> date:
    return date.fromordinal(add_months(month.replace(day=1), 1).toordinal() - 1)

"""The settlement request (结算请求): one :class:`SettleRequest` for the API, the web console,
the CLI and the scenario runner.

A request is a person and a claim. The API and the console name a stored person
(:func:`read_settle_request`); ``yibao settle`` and scenario files give the person's data, the
earlier claims of the year and the totals so far (:func:`read_request`, a :class:`FileRequest`
around the same :class:`SettleRequest`). Both read plain data with the strict readers of
:mod:`yibao.io.records`, and both settle across regions the same way: the treatment region's
catalogue and policy, the insured region's policy, the route from
:func:`yibao.settle.route.routed`. Every problem is a one-line
:class:`~yibao.errors.InputError` naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from yibao.errors import InputError
from yibao.io.records import Obj, PersonInput, read_accumulators, read_claim, read_person
from yibao.policy.catalogue_registry import (
    CatalogueRegistry,
    claim_catalogue,
    shipped_catalogues,
)
from yibao.policy.errors import PolicyError
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import PackRegistry, shipped_packs
from yibao.purchasing.agreements import AgreementBook
from yibao.settle.engine import Settlement, settle
from yibao.settle.model import Accumulators, Claim, Person
from yibao.settle.route import routed
from yibao.types import Level

HISTORY_KEYS = frozenset({"accumulators", "claims"})


REQUEST_KEYS = frozenset({"person_id", "claim", "id_number"})


@dataclass(frozen=True, slots=True)
class SettleRequest:
    """A claim of a person: what every entry point settles."""

    person_id: str
    claim: Claim
    level_stated: bool = True  # False: the provider's registered level applies
    id_number: str | None = None  # read from the card at admission (a provider's pre-settle)


def read_settle_request(body: object) -> SettleRequest:
    """``{"person_id": …, "claim": {id, provider, visit, …}}`` checked strictly.

    The claim's ``level`` and ``region`` may be left out: they are the provider's, from the
    registry; when given they must agree with it (checked when settling)."""
    o = Obj(body, "request", REQUEST_KEYS)
    person_id = o.text("person_id")
    raw = o.raw("claim")
    c = Obj(raw, "claim", frozenset(raw) if isinstance(raw, dict) else frozenset())
    for key in ("id", "provider"):
        c.raw(key)  # the idempotency key must be given, never defaulted
    level_stated = not isinstance(raw, dict) or "level" in raw
    if not level_stated:
        assert isinstance(raw, dict)
        raw = {**raw, "level": Level.L1.value}  # replaced by the registered level
    claim = read_claim(raw, "claim")
    if not claim.claim_id.strip() or len(claim.claim_id) > 60:
        raise InputError("claim.id: must be 1 to 60 characters")
    if not claim.provider_id.strip() or len(claim.provider_id) > 40:
        raise InputError("claim.provider: must be 1 to 40 characters")
    id_number = o.text("id_number") if o.has("id_number") else None
    return SettleRequest(person_id, claim, level_stated, id_number)


@dataclass(frozen=True, slots=True)
class FileRequest:
    """A request from files: the person's data, earlier claims of the year, the totals."""

    person: Person
    request: SettleRequest
    history: tuple[Claim, ...]
    start: Accumulators
    labels: Mapping[str, str]  # claim id → where it came from, for error messages
    person_where: str = "person"

    @property
    def claim(self) -> Claim:
        return self.request.claim


def _as_mapping(data: object) -> Mapping[str, object]:
    return data if isinstance(data, Mapping) else {}


def read_request(
    person_data: object,
    claim_data: object,
    history_data: object | None = None,
    *,
    person_where: str = "person",
    claim_where: str = "claim",
    history_where: str = "history",
    region: str = "",
) -> FileRequest:
    """Parse the three inputs. ``history_data`` is a list of earlier claims, or a mapping
    with ``accumulators`` (the totals so far) and/or ``claims``."""
    claim = read_claim(claim_data, claim_where)
    day = claim.settle_date
    given: PersonInput = read_person(person_data, person_where, on=day)
    person = given.person
    if not person.insured_region:
        person = replace(person, insured_region=region)
    if not claim.treatment_region:
        claim = replace(claim, treatment_region=person.insured_region)
    start = Accumulators(year=day.year)
    history: list[Claim] = []
    labels = {claim.claim_id: claim_where}
    if history_data is not None:
        if isinstance(history_data, list):
            history_data = {"claims": history_data}
        if not isinstance(history_data, Mapping):
            raise InputError(f"{history_where}: expected a list of claims or a mapping")
        unknown = sorted(str(k) for k in history_data if k not in HISTORY_KEYS)
        if unknown:
            raise InputError(
                f"{history_where}: unknown field {unknown[0]!r}; allowed: accumulators, claims"
            )
        if history_data.get("accumulators") is not None:
            start = read_accumulators(
                history_data["accumulators"], f"{history_where}: accumulators", day.year
            )
            if given.account_balance is not None and "account_balance" in _as_mapping(
                history_data["accumulators"]
            ):
                raise InputError(
                    f"{person_where}: account_balance: also given in {history_where}; give it once"
                )
        raw_claims = history_data.get("claims") or []
        if not isinstance(raw_claims, list):
            raise InputError(f"{history_where}: claims: expected a list of claims")
        for i, raw in enumerate(raw_claims, 1):
            where = f"{history_where}: claims[{i}]"
            c = read_claim(raw, where, default_id=f"H{i}", default_region=person.insured_region)
            if c.settle_date.year != day.year:
                raise InputError(
                    f"{where}: settled on {c.settle_date}, not in the claim's year {day.year}"
                )
            if c.settle_date > day:
                raise InputError(f"{where}: settled on {c.settle_date}, after the claim ({day})")
            if c.claim_id in labels:
                raise InputError(f"{where}: claim id {c.claim_id!r} is used twice")
            labels[c.claim_id] = where
            history.append(c)
    if given.account_balance is not None:
        start = replace(start, account_balance=given.account_balance)
    request = SettleRequest(person.person_id, claim)
    return FileRequest(person, request, tuple(history), start, labels, person_where)


def _first_day(chain: PolicyChain) -> date | None:
    starts = [v.start for p in chain.packs for vs in p.leaves.values() for v in vs]
    return min(starts) if starts else None


def check_covered(chain: PolicyChain, day: date, where: str) -> None:
    """Refuse a date on which the policy chain has no version in force."""
    if not chain.covers(day):
        first = _first_day(chain)
        since = f" (it starts on {first})" if first else ""
        raise InputError(f"{where}: {day} is outside every version of policy {chain.id}{since}")


def _check_enrolled(req: FileRequest, claim: Claim, where: str) -> None:
    p, day = req.person, claim.settle_date
    if (p.enrolled_from and day < p.enrolled_from) or (p.enrolled_to and day > p.enrolled_to):
        raise InputError(
            f"{where}: discharge_date: {day} is outside the enrollment of person {p.person_id} "
            f"({req.person_where}: enrolled_from {p.enrolled_from or '-'}, "
            f"enrolled_to {p.enrolled_to or '-'})"
        )


def _treatment_chain(claim: Claim, insured: PolicyChain, packs: PackRegistry) -> PolicyChain:
    """The treatment region's policy chain (就医地), the insured one for local care."""
    if claim.treatment_region in ("", insured.region):
        return insured
    try:
        return packs.chain(packs.by_region(claim.treatment_region).id)
    except PolicyError:
        raise InputError(
            f"region: no policy pack for treatment region {claim.treatment_region!r}"
        ) from None


def settle_request(
    req: FileRequest,
    chain: PolicyChain,
    packs: PackRegistry | None = None,
    catalogues: CatalogueRegistry | None = None,
    agreements: AgreementBook | None = None,
) -> Settlement:
    """Settle the history in order, then the claim; the claim's settlement.

    With ``agreements``, each claim's provider must hold an agreement in force on its date.

    As in the service: the insured region's policy (``chain``), the treatment region's
    policy and catalogue from ``packs`` and ``catalogues`` (default: the shipped ones), the
    route from :func:`~yibao.settle.route.routed`. Files carry no filings (备案), so care
    away with no route stated is settled as unfiled; a claim states ``route: filed`` for
    filed care."""
    packs = packs or shipped_packs()
    catalogues = catalogues or shipped_catalogues()
    acc = req.start
    for c in (*req.history, req.claim):
        where = req.labels[c.claim_id]
        check_covered(chain, c.settle_date, f"{where}: discharge_date")
        _check_enrolled(req, c, where)
        try:
            c = routed(c, req.person.insured_region, filed=False)
            treatment = _treatment_chain(c, chain, packs)
            catalogue = claim_catalogue(c, catalogues, "claim")
            s = settle(req.person, c, acc, chain, treatment, catalogue, agreements)
        except InputError as e:
            raise InputError(f"{where}: {e}") from None
        except PolicyError as e:
            raise PolicyError(f"{where}: {e}") from None
        acc = s.after
    return s

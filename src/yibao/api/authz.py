"""The authorisation table (权限): who may read or write what, for the API and the web pages.

Each check raises :class:`Denied` (HTTP 403) or :class:`NotFound` (404) and returns nothing
when the principal may act. The API's routers and the web console both call these, so a page
a role may not see answers the same way the endpoint does.

Scope rules:

* a write is in scope when *every* region it touches is: the person's, each enrollment's,
  the provider's (:func:`write_regions` collects them from a request body);
* a person or stored claim outside the caller's scope answers exactly as an unknown one
  (404, the same message), so a caller cannot enumerate what exists elsewhere; a role that
  may never read the thing gets 403 whether or not it exists;
* a provider pre-settles (预结算) only for a person it has in care: one with a settlement
  at this provider, a cross-region filing (异地就医备案) for the provider's region on the
  claim's date, or whose identity number the request carries (read from the card at
  admission). Anyone else is answered as an unknown person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from sqlalchemy import select

from yibao.api.auth import Principal, Role
from yibao.io.request import SettleRequest
from yibao.service import registration, settlement
from yibao.service.context import Context, NotFound
from yibao.store import repo
from yibao.store import tables as t


class Denied(Exception):
    """The principal may not do this (HTTP 403)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not allowed: {what}")


def unknown_person(person_id: str) -> NotFound:
    """The one answer for a person that does not exist or is outside the caller's scope."""
    return NotFound(f"person_id: unknown person {person_id!r}")


def unknown_claim(provider_id: str, claim_no: str) -> NotFound:
    """The one answer for a claim that does not exist or is outside the caller's scope."""
    return NotFound(f"claim: no settlement {provider_id}/{claim_no}")


def may_read_person(ctx: Context, p: Principal, person_id: str) -> None:
    if p.role in (Role.ADMIN, Role.AUDITOR):
        return
    if p.role is Role.INSURED:
        if p.person_id == person_id:
            return
        raise unknown_person(person_id)
    if p.role is Role.STAFF:
        if registration.person_region(ctx, person_id) == p.region:
            return
        raise unknown_person(person_id)
    raise Denied(f"person {person_id}")


def may_write_person(ctx: Context, p: Principal, person_id: str) -> str:
    """The person's region, when ``p`` may write in it (else as unknown to staff)."""
    if p.role not in (Role.ADMIN, Role.STAFF):
        raise Denied(f"writes on person {person_id}")
    region = registration.person_region(ctx, person_id)
    if region is None or (p.role is Role.STAFF and region != p.region):
        raise unknown_person(person_id)
    return region


def may_write_region(p: Principal, region: str) -> None:
    if p.role is Role.ADMIN or (p.role is Role.STAFF and p.region == region):
        return
    raise Denied(f"writes in region {region}")


def may_write_regions(p: Principal, regions: Iterable[str]) -> None:
    """Every region a write touches must be in scope (the first outside it is named)."""
    for region in regions:
        may_write_region(p, region)


def write_regions(body: object, *paths: tuple[str, ...]) -> list[str]:
    """The region codes a request body names at ``paths`` (``("enrollment", "region")``).

    Values that are not text are left to the body's own reader, which refuses them (400)."""
    found: list[str] = []
    for path in paths:
        node: object = body
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, str):
            found.append(node)
    return found


def may_register_person(p: Principal, body: object) -> None:
    """A new person: the person's region and the first enrollment's must be in scope."""
    may_write_regions(p, write_regions(body, ("region",), ("enrollment", "region")))


def may_add_enrollment(ctx: Context, p: Principal, person_id: str, body: object) -> None:
    """A new enrollment: the person's region and the enrollment's region must be in scope."""
    may_write_person(ctx, p, person_id)
    may_write_regions(p, write_regions(body, ("region",)))


def may_read_region(p: Principal, region: str) -> None:
    if p.role in (Role.ADMIN, Role.AUDITOR) or (p.role is Role.STAFF and p.region == region):
        return
    raise Denied(f"region {region}")


def authorise_claim(ctx: Context, p: Principal, req: SettleRequest) -> SettleRequest:
    """The request as ``p`` may settle it (a provider's claims are in its own region)."""
    if p.role is Role.PROVIDER:
        c = req.claim
        if c.provider_id != p.provider_id:
            raise Denied(f"claims of provider {c.provider_id}")
        if c.treatment_region and c.treatment_region != p.region:
            raise Denied(f"claims in region {c.treatment_region}")
        return replace(req, claim=replace(c, treatment_region=p.region or ""))
    if p.role is Role.STAFF:
        if registration.person_region(ctx, req.person_id) != p.region:
            raise unknown_person(req.person_id)
        return req
    if p.role is Role.ADMIN:
        return req
    raise Denied("settling claims")


def may_pre_settle(ctx: Context, p: Principal, req: SettleRequest, id_number: str | None) -> None:
    """A provider pre-settles only for a person in its care (see the module's rules)."""
    if p.role is not Role.PROVIDER:
        return
    c = req.claim
    with ctx.engine.connect() as conn:
        person = repo.get_person(conn, req.person_id)
        in_care = person is not None and (
            (id_number is not None and id_number == person.id_number)
            or conn.execute(
                select(t.settlements.c.settlement_id).where(
                    t.settlements.c.person_id == req.person_id,
                    t.settlements.c.provider_id == c.provider_id,
                )
            ).first()
            is not None
            or repo.filing_on(conn, req.person_id, p.region or "", c.settle_date)
        )
        conn.rollback()
    if not in_care:
        raise unknown_person(req.person_id)


def authorise_stored_claim(
    ctx: Context, p: Principal, provider_id: str, claim_no: str, write: bool
) -> None:
    owner = settlement.settlement_owner(ctx, provider_id, claim_no)
    if owner is None:
        raise unknown_claim(provider_id, claim_no)
    person_id, region = owner
    if p.role is Role.ADMIN or (p.role is Role.AUDITOR and not write):
        return
    if p.role is Role.PROVIDER and p.provider_id == provider_id:
        return
    if p.role is Role.STAFF and p.region == region:
        return
    if p.role is Role.INSURED and p.person_id == person_id:
        if not write:
            return
        raise Denied(f"claim {provider_id}/{claim_no}")  # theirs, but read-only
    if p.role is Role.AUDITOR:
        raise Denied(f"claim {provider_id}/{claim_no}")  # reads everything, writes nothing
    raise unknown_claim(provider_id, claim_no)


def may_read_case(p: Principal, region: str, provider_id: str) -> None:
    if p.role in (Role.ADMIN, Role.AUDITOR):
        return
    if p.role is Role.STAFF and p.region == region:
        return
    if p.role is Role.PROVIDER and p.provider_id == provider_id:
        return
    raise Denied("supervision cases")


def may_decide_case(p: Principal, region: str) -> None:
    if p.role is Role.ADMIN or (p.role is Role.STAFF and p.region == region):
        return
    raise Denied(f"decisions on cases of region {region}")


def case_scope(
    p: Principal, region: str | None, provider_id: str | None
) -> tuple[str | None, str | None]:
    """The (region, provider) filter of a case listing ``p`` may see."""
    if p.role is Role.STAFF:
        region = region or p.region
        if region != p.region:
            raise Denied(f"cases of region {region}")
    elif p.role is Role.PROVIDER:
        if provider_id not in (None, p.provider_id):
            raise Denied(f"cases of provider {provider_id}")
        provider_id = p.provider_id
    elif p.role not in (Role.ADMIN, Role.AUDITOR):
        raise Denied("supervision cases")
    return region, provider_id


# the console's roles on the API's: a supervisor decides cases of their region as its staff
# do; a fund manager reads every region and writes nothing, as an auditor
WEB_ROLES: dict[str, Role] = {
    "staff": Role.STAFF,
    "supervisor": Role.STAFF,
    "fund_manager": Role.AUDITOR,
    "insured": Role.INSURED,
    "admin": Role.ADMIN,
}


def web_principal(
    username: str, web_role: str, region: str | None, person_id: str | None
) -> Principal:
    """The principal a console login acts as (``web:<username>`` in the audit log)."""
    return Principal(f"web:{username}", WEB_ROLES[web_role], region, person_id)


def may_open_page(web_role: str, allowed: tuple[str, ...]) -> None:
    """A console page is for some roles only; the others get 403 as from the API."""
    if web_role not in allowed:
        raise Denied(f"page for {', '.join(allowed)}")

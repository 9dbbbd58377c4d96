"""The authorisation table (权限): who may read or write what, for the API and the web pages.

Each check raises :class:`Denied` (HTTP 403) or :class:`NotFound` (404) and returns nothing
when the principal may act. The API's routers and the web console both call these, so a page
a role may not see answers the same way the endpoint does.
"""

from __future__ import annotations

from dataclasses import replace

from yibao.api.auth import Principal, Role
from yibao.service import registration, settlement
from yibao.service.context import Context, NotFound


class Denied(Exception):
    """The principal may not do this (HTTP 403)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not allowed: {what}")


def may_read_person(ctx: Context, p: Principal, person_id: str) -> None:
    if p.role in (Role.ADMIN, Role.AUDITOR):
        return
    if p.role is Role.INSURED and p.person_id == person_id:
        return
    if p.role is Role.STAFF:
        region = registration.person_region(ctx, person_id)
        if region is None:
            raise NotFound(f"person_id: unknown person {person_id!r}")
        if region == p.region:
            return
    raise Denied(f"person {person_id}")


def may_write_person(ctx: Context, p: Principal, person_id: str) -> str:
    """The person's region, when ``p`` may write in it."""
    region = registration.person_region(ctx, person_id)
    if region is None:
        raise NotFound(f"person_id: unknown person {person_id!r}")
    may_write_region(p, region)
    return region


def may_write_region(p: Principal, region: str) -> None:
    if p.role is Role.ADMIN or (p.role is Role.STAFF and p.region == region):
        return
    raise Denied(f"writes in region {region}")


def may_read_region(p: Principal, region: str) -> None:
    if p.role in (Role.ADMIN, Role.AUDITOR) or (p.role is Role.STAFF and p.region == region):
        return
    raise Denied(f"region {region}")


def authorise_claim(
    ctx: Context, p: Principal, req: settlement.SettleRequest
) -> settlement.SettleRequest:
    """The request as ``p`` may settle it (a provider's claims are in its own region)."""
    if p.role is Role.PROVIDER:
        c = req.claim
        if c.provider_id != p.provider_id:
            raise Denied(f"claims of provider {c.provider_id}")
        if c.treatment_region and c.treatment_region != p.region:
            raise Denied(f"claims in region {c.treatment_region}")
        return replace(req, claim=replace(c, treatment_region=p.region or ""))
    if p.role is Role.STAFF:
        region = registration.person_region(ctx, req.person_id)
        if region is None:
            raise NotFound(f"person_id: unknown person {req.person_id!r}")
        if region != p.region:
            raise Denied(f"person {req.person_id} of region {region}")
        return req
    if p.role is Role.ADMIN:
        return req
    raise Denied("settling claims")


def authorise_stored_claim(
    ctx: Context, p: Principal, provider_id: str, claim_no: str, write: bool
) -> None:
    owner = settlement.settlement_owner(ctx, provider_id, claim_no)
    if owner is None:
        raise NotFound(f"claim: no settlement {provider_id}/{claim_no}")
    person_id, region = owner
    if p.role is Role.ADMIN or (p.role is Role.AUDITOR and not write):
        return
    if p.role is Role.PROVIDER and p.provider_id == provider_id:
        return
    if p.role is Role.STAFF and p.region == region:
        return
    if p.role is Role.INSURED and p.person_id == person_id and not write:
        return
    raise Denied(f"claim {provider_id}/{claim_no}")


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

"""Supervision cases (稽核案件) through the API.

* ``POST /cases/import`` — open cases from rule hits: ``{"hits": [rows of hits.parquet],
  "fund"?, "day"?, "min_amount"?}`` (admin; staff for providers of their region), or
  ``{"path": "<server-side hits.parquet>"}`` (admin only).
* ``GET /cases`` — staff: their region; auditor, admin: all (``region``, ``provider_id``,
  ``status`` filters); a provider: its own cases; insured: 403.
* ``GET /cases/{id}`` — the case with its events, to the same readers.
* ``POST /cases/{id}/review`` | ``/confirm`` | ``/dismiss`` — ``{reviewer, reason, day?}``
  (``recovered`` in yuan on confirm, default the flagged amount); staff of the case's region
  or admin. Confirmation posts the clawback journal in the same transaction.
* ``GET /providers/{id}/credit`` — the credit score from the stored cases; readers as for
  the provider itself.
"""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from yibao.api import authz
from yibao.api.auth import Principal, Role
from yibao.api.schemas import CaseImportIn, CaseOut, CasesOpenedOut, CreditOut, DecisionIn
from yibao.errors import InputError
from yibao.io.records import Obj
from yibao.ledger.model import Fund
from yibao.service import cases, providers
from yibao.service.context import Actor, Context

IMPORT_KEYS = frozenset({"hits", "path", "fund", "day", "min_amount"})


def _deny(what: str) -> HTTPException:
    return HTTPException(403, f"not allowed: {what}")


def router(ctx: Context, principal: Callable[..., Coroutine[Any, Any, Principal]]) -> APIRouter:
    """The case endpoints over ``ctx``, authenticated by the app's ``principal``."""
    api = APIRouter(tags=["supervision"])
    Auth = Annotated[Principal, Depends(principal)]

    def actor(p: Principal) -> Actor:
        return Actor(p.key_id, p.role.value)

    may_read_case = authz.may_read_case
    may_decide = authz.may_decide_case

    @api.post("/cases/import", status_code=201, response_model=CasesOpenedOut)
    def import_cases(body: CaseImportIn, p: Auth) -> dict[str, Any]:
        """Open one case per provider from rule hits (the rows of ``hits.parquet``)."""
        if p.role not in (Role.ADMIN, Role.STAFF):
            raise _deny("importing cases")
        o = Obj(body.data(), "import", IMPORT_KEYS)
        if o.has("path") == o.has("hits"):
            raise InputError("import: give exactly one of hits and path")
        kw: dict[str, Any] = {
            "fund": o.enum("fund", Fund, Fund.EMPLOYEE_POOLED),
            "day": o.opt_day("day"),
            "min_amount_fen": o.money("min_amount", 0),
            "actor": actor(p),
        }
        if p.role is Role.STAFF and p.region:
            kw["regions"] = frozenset({p.region})
        try:
            if o.has("path"):
                if p.role is not Role.ADMIN:
                    raise _deny("importing cases from a server-side path")
                opened = cases.import_parquet(ctx, Path(o.text("path")), **kw)
            else:
                opened = cases.import_hits(ctx, cases.read_hits(o.raw("hits"), "hits"), **kw)
        except PermissionError as e:
            raise _deny(str(e)) from None
        return {"opened": opened}

    @api.get("/cases", response_model=list[CaseOut])
    def list_cases(
        p: Auth,
        region: str | None = None,
        provider_id: str | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        region, provider_id = authz.case_scope(p, region, provider_id)
        return cases.list_cases(ctx, region=region, provider_id=provider_id, status=status)

    @api.get("/cases/{case_id}", response_model=CaseOut)
    def read_case(case_id: str, p: Auth) -> dict[str, Any]:
        if p.role is Role.INSURED:
            raise _deny("supervision cases")
        may_read_case(p, *cases.case_region(ctx, case_id))
        return cases.get_case(ctx, case_id)

    def decide(case_id: str, action: str, body: object, p: Principal) -> dict[str, Any]:
        if p.role not in (Role.ADMIN, Role.STAFF):
            raise _deny("decisions on cases")
        region, _ = cases.case_region(ctx, case_id)
        may_decide(p, region)
        return cases.transition(ctx, case_id, action, body, actor(p))

    @api.post("/cases/{case_id}/review", response_model=CaseOut)
    def review_case(case_id: str, body: DecisionIn, p: Auth) -> dict[str, Any]:
        """open → under_review."""
        return decide(case_id, "review", body.data(), p)

    @api.post("/cases/{case_id}/confirm", response_model=CaseOut)
    def confirm_case(case_id: str, body: DecisionIn, p: Auth) -> dict[str, Any]:
        """under_review → confirmed, with the clawback journal; again: the stored case."""
        return decide(case_id, "confirm", body.data(), p)

    @api.post("/cases/{case_id}/dismiss", response_model=CaseOut)
    def dismiss_case(case_id: str, body: DecisionIn, p: Auth) -> dict[str, Any]:
        """open or under_review → dismissed."""
        return decide(case_id, "dismiss", body.data(), p)

    @api.get("/providers/{provider_id}/credit", response_model=CreditOut)
    def provider_credit(provider_id: str, p: Auth) -> dict[str, Any]:
        """The provider's credit score (信用评价) from its closed cases."""
        if p.role is Role.INSURED or (p.role is Role.PROVIDER and p.provider_id != provider_id):
            raise _deny(f"provider {provider_id}")
        found = providers.get_provider(ctx, provider_id)
        if p.role is Role.STAFF and found["region"] != p.region:
            raise _deny(f"region {found['region']}")
        return cases.provider_credit(ctx, provider_id)

    return api

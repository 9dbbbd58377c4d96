"""Contributions and the fund ledger: runs, trial balance, statements, clearing, checks."""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from yibao.api import authz
from yibao.api.auth import Principal, Role
from yibao.api.routers.common import PrincipalDep, actor, deny
from yibao.api.schemas import (
    BalanceOut,
    ClearingOut,
    ContributionRunIn,
    ContributionRunOut,
    LedgerCheckOut,
    StatementOut,
)
from yibao.service import contributions
from yibao.service import ledger as ledger_svc
from yibao.service.context import Context


def router(ctx: Context, principal: PrincipalDep) -> APIRouter:
    api = APIRouter(tags=["funds"])
    Auth = Annotated[Principal, Depends(principal)]

    @api.post("/contributions/runs", tags=["contributions"], response_model=ContributionRunOut)
    def run_contributions(body: ContributionRunIn, p: Auth) -> dict[str, Any]:
        """The monthly contribution run of a region (a month run again posts nothing)."""
        authz.may_write_region(p, body.region)
        return contributions.contribution_run(
            ctx, body.region, body.month, body.unpaid_employers, actor(p)
        )

    @api.get("/funds/{region}/trial-balance", response_model=list[BalanceOut])
    def trial_balance(region: str, p: Auth) -> list[dict[str, Any]]:
        """Balance per fund × account kind × item (fen, debit positive)."""
        authz.may_read_region(p, region)
        return ledger_svc.trial_balance(ctx, region)

    @api.get("/funds/{region}/{fund}/statements/{month}", response_model=StatementOut)
    def statement(region: str, fund: str, month: str, p: Auth) -> dict[str, Any]:
        """The fund's monthly statement 收支表."""
        authz.may_read_region(p, region)
        return ledger_svc.statement(ctx, region, fund, month)

    @api.get("/clearing/{month}", response_model=list[ClearingOut])
    def clearing(month: str, p: Auth) -> list[dict[str, Any]]:
        """Cross-region clearing; staff see the rows of their own region only."""
        if p.role not in (Role.ADMIN, Role.AUDITOR, Role.STAFF):
            raise deny("clearing statements")
        rows = ledger_svc.clearing_statement(ctx, month)
        if p.role is Role.STAFF:
            rows = [r for r in rows if p.region in (r["insured_region"], r["treatment_region"])]
        return rows

    @api.get("/ledger/check", response_model=LedgerCheckOut)
    def ledger_check(p: Auth) -> dict[str, Any]:
        """The ledger's invariants; an empty list when every one holds."""
        if p.role not in (Role.ADMIN, Role.AUDITOR):
            raise deny("ledger checks")
        vs = ledger_svc.check_ledger(ctx)
        return {
            "violations": [
                {"check": v.check, "subject": v.subject, "message": v.message} for v in vs
            ]
        }

    return api

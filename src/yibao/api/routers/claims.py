"""Claims (结算): settle, pre-settle, read, reverse or refund."""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from yibao.api import authz
from yibao.api.auth import Principal
from yibao.api.routers.common import PrincipalDep, actor
from yibao.api.schemas import ReverseIn, SettleIn, SettlementOut
from yibao.io.request import SettleRequest, read_settle_request
from yibao.service import settlement
from yibao.service.context import Context

REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"model": SettlementOut, "description": "a resent claim: the stored result"}
}


def router(ctx: Context, principal: PrincipalDep) -> APIRouter:
    api = APIRouter(tags=["claims"])
    Auth = Annotated[Principal, Depends(principal)]

    def request(p: Principal, body: SettleIn) -> SettleRequest:
        return authz.authorise_claim(ctx, p, read_settle_request(body.data()))

    @api.post("/claims/settle", status_code=201, response_model=SettlementOut, responses=REPLAYED)
    def settle_claim(body: SettleIn, p: Auth) -> JSONResponse:
        """Settle in real time 实时结算 (201); a resent (provider, claim number) answers the
        stored result (200)."""
        out = settlement.settle_claim(ctx, request(p, body), actor(p))
        return JSONResponse(out.data, status_code=200 if out.replayed else 201)

    @api.post("/claims/pre-settle", response_model=SettlementOut)
    def pre_settle_claim(body: SettleIn, p: Auth) -> dict[str, Any]:
        """预结算: what the claim would pay now; nothing is stored."""
        req = request(p, body)
        authz.may_pre_settle(ctx, p, req, req.id_number)
        return settlement.pre_settle(ctx, req, actor(p)).data

    @api.get("/claims/{provider_id}/{claim_no}", response_model=SettlementOut)
    def read_claim(provider_id: str, claim_no: str, p: Auth) -> dict[str, Any]:
        """The stored settlement of (provider, claim number)."""
        authz.authorise_stored_claim(ctx, p, provider_id, claim_no, write=False)
        return settlement.get_settlement(ctx, provider_id, claim_no, actor(p))

    @api.post("/claims/{provider_id}/{claim_no}/reverse", response_model=SettlementOut)
    def reverse_claim(
        provider_id: str, claim_no: str, p: Auth, body: ReverseIn | None = None
    ) -> dict[str, Any]:
        """冲正 (``{"kind": "reversal"}``, the default) or 退费 (``{"kind": "refund"}``)."""
        authz.authorise_stored_claim(ctx, p, provider_id, claim_no, write=True)
        kind = body.kind if body is not None else "reversal"
        return settlement.reverse_claim(ctx, provider_id, claim_no, kind, actor(p))

    return api

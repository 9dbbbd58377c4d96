"""Providers (定点医药机构): registration and reads."""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from yibao.api import authz
from yibao.api.auth import Principal, Role
from yibao.api.routers.common import PrincipalDep, actor, deny
from yibao.api.schemas import ProviderIn, ProviderOut
from yibao.service import providers
from yibao.service.context import Context


def router(ctx: Context, principal: PrincipalDep) -> APIRouter:
    api = APIRouter(tags=["providers"])
    Auth = Annotated[Principal, Depends(principal)]

    @api.post("/providers", status_code=201, response_model=ProviderOut)
    def create_provider(body: ProviderIn, p: Auth) -> dict[str, Any]:
        """Register a provider (admin; staff of the provider's region). Claims are settled
        for registered providers only, at their registered level and region."""
        authz.may_write_region(p, body.region)
        return providers.register_provider(ctx, body.data(), actor(p))

    @api.get("/providers", response_model=list[ProviderOut])
    def list_providers(p: Auth, region: str | None = None) -> list[dict[str, Any]]:
        """The registered providers (of ``region``); staff see their own region's."""
        if p.role is Role.STAFF:
            region = region or p.region
        if region is None:
            if p.role not in (Role.ADMIN, Role.AUDITOR):
                raise deny("providers")
        else:
            authz.may_read_region(p, region)
        return providers.list_providers(ctx, region)

    @api.get("/providers/{provider_id}", response_model=ProviderOut)
    def read_provider(provider_id: str, p: Auth) -> dict[str, Any]:
        """One provider (not to the insured; a provider sees only itself)."""
        if p.role is Role.INSURED or (p.role is Role.PROVIDER and p.provider_id != provider_id):
            raise deny(f"provider {provider_id}")
        found = providers.get_provider(ctx, provider_id)
        if p.role is Role.STAFF:
            authz.may_read_region(p, found["region"])
        return found

    return api

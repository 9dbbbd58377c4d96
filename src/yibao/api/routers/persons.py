"""Persons (参保人): registration, enrollments, filings, accumulators, settlements."""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from yibao.api import authz
from yibao.api.auth import Principal
from yibao.api.routers.common import PrincipalDep, actor
from yibao.api.schemas import (
    AccumulatorsOut,
    EnrollmentIn,
    EnrollmentOut,
    FiledOut,
    FilingIn,
    PersonIn,
    PersonOut,
    PersonRecordOut,
    SettlementOut,
)
from yibao.errors import InputError
from yibao.service import registration, settlement
from yibao.service.context import Context


def router(ctx: Context, principal: PrincipalDep) -> APIRouter:
    api = APIRouter(tags=["persons"])
    Auth = Annotated[Principal, Depends(principal)]

    @api.post("/persons", status_code=201, response_model=PersonOut)
    def create_person(body: PersonIn, p: Auth) -> dict[str, Any]:
        """Register an insured person with their first enrollment (staff, admin)."""
        authz.may_register_person(p, body.data())
        return registration.register_person(ctx, body.data(), actor(p))

    @api.get("/persons/{person_id}", response_model=PersonRecordOut)
    def read_person(person_id: str, p: Auth) -> dict[str, Any]:
        """The person (masked) with their enrollments."""
        authz.may_read_person(ctx, p, person_id)
        return registration.get_person(ctx, person_id, actor(p))

    @api.post("/persons/{person_id}/enrollments", status_code=201, response_model=EnrollmentOut)
    def create_enrollment(person_id: str, body: EnrollmentIn, p: Auth) -> dict[str, Any]:
        """A further enrollment of the person (staff of the person's region, admin)."""
        authz.may_add_enrollment(ctx, p, person_id, body.data())
        return registration.add_enrollment(ctx, person_id, body.data(), actor(p))

    @api.post("/persons/{person_id}/filings", status_code=201, response_model=FiledOut)
    def create_filing(person_id: str, body: FilingIn, p: Auth) -> dict[str, str]:
        """A cross-region filing 异地就医备案: care there is settled at the local standard."""
        authz.may_write_person(ctx, p, person_id)
        registration.add_filing(ctx, person_id, body.data(), actor(p))
        return {"status": "filed"}

    @api.get(
        "/persons/{person_id}/accumulators/{year}",
        tags=["accounts"],
        response_model=AccumulatorsOut,
    )
    def read_accumulators(person_id: str, year: int, p: Auth) -> dict[str, Any]:
        """The person's year so far 年度累计."""
        authz.may_read_person(ctx, p, person_id)
        if not 1900 <= year <= 2200:
            raise InputError(f"year: out of range: {year}")
        return settlement.accumulators_of(ctx, person_id, year, actor(p))

    @api.get(
        "/persons/{person_id}/settlements",
        tags=["claims"],
        response_model=list[SettlementOut],
    )
    def read_settlements(person_id: str, p: Auth) -> list[dict[str, Any]]:
        """The person's settlements, oldest first."""
        authz.may_read_person(ctx, p, person_id)
        return settlement.settlements_of(ctx, person_id, actor(p))

    return api

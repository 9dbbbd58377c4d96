"""The HL7 FHIR R4B facade's endpoints (the resources themselves: :mod:`yibao.api.fhir`)."""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from yibao.api import authz
from yibao.api import fhir as res
from yibao.api.auth import Principal
from yibao.api.routers.common import PrincipalDep, actor
from yibao.api.schemas import FhirClaimIn, FhirResource
from yibao.io.request import read_settle_request
from yibao.service import registration, settlement
from yibao.service.context import Context, NotFound

REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"model": FhirResource, "description": "a resent claim: the stored result"}
}


def router(ctx: Context, principal: PrincipalDep) -> APIRouter:
    api = APIRouter(tags=["fhir"])
    Auth = Annotated[Principal, Depends(principal)]

    @api.post("/fhir/Claim", status_code=201, response_model=FhirResource, responses=REPLAYED)
    def fhir_claim(body: FhirClaimIn, p: Auth) -> JSONResponse:
        """Submit a FHIR Claim; the answer is a ClaimResponse with adjudication per part."""
        raw = res.read_fhir_claim(body.model_dump(mode="json", exclude_unset=True))
        req = authz.authorise_claim(ctx, p, read_settle_request(raw))
        out = settlement.settle_claim(ctx, req, actor(p))
        return JSONResponse(
            res.claim_response(out.data, out.data["insured_region"]),
            status_code=200 if out.replayed else 201,
        )

    @api.get("/fhir/ExplanationOfBenefit/{provider_id}/{claim_no}", response_model=FhirResource)
    def fhir_eob(provider_id: str, claim_no: str, p: Auth) -> dict[str, Any]:
        """The ExplanationOfBenefit of a stored settlement."""
        authz.authorise_stored_claim(ctx, p, provider_id, claim_no, write=False)
        s = settlement.get_settlement(ctx, provider_id, claim_no, actor(p))
        return res.explanation_of_benefit(s, s["insured_region"])

    @api.get("/fhir/Coverage/{person_id}", response_model=FhirResource)
    def fhir_coverage(person_id: str, p: Auth) -> dict[str, Any]:
        """The person's latest enrollment as a Coverage."""
        authz.may_read_person(ctx, p, person_id)
        person = registration.get_person(ctx, person_id, actor(p))
        enrollments: list[dict[str, Any]] = person["enrollments"]  # type: ignore[assignment]
        if not enrollments:
            raise NotFound(f"person_id: {person_id} has no enrollment")
        return res.coverage(person, enrollments[-1], date.today())

    return api

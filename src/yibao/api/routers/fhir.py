"""The HL7 FHIR R4B facade's endpoints (the resources themselves: :mod:`yibao.api.fhir`).

Standard interactions: ``POST /fhir/Claim`` (create → ClaimResponse), read of ClaimResponse,
ExplanationOfBenefit and Coverage by id, search of ClaimResponse and ExplanationOfBenefit by
``patient``, and ``GET /fhir/metadata``. Errors are OperationOutcome
(:func:`yibao.api.contract.install_errors`).
"""

# no ``from __future__ import annotations``: FastAPI must see the local ``Auth`` alias
from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from yibao import __version__
from yibao.api import authz
from yibao.api import fhir as res
from yibao.api.auth import Principal
from yibao.api.contract import FHIR_ERRORS
from yibao.api.routers.common import PrincipalDep, actor
from yibao.api.schemas import FhirBundle, FhirClaimIn, FhirResource
from yibao.errors import InputError
from yibao.io.request import read_settle_request
from yibao.service import registration, settlement
from yibao.service.context import Context, NotFound

FHIR_JSON = "application/fhir+json"
REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"model": FhirResource, "description": "a resent claim: the stored result"}
}
Render = Callable[[Mapping[str, Any], str, str | None], dict[str, Any]]


def _number(resource_id: str, kind: str) -> int:
    if not resource_id.isdigit() or len(resource_id) > 18:
        raise NotFound(f"id: no {kind} {resource_id!r}")
    return int(resource_id)


def _patient(patient: str) -> str:
    """``Patient/P1`` or ``P1``: the person id."""
    person_id = patient.removeprefix("Patient/")
    if not person_id:
        raise InputError("patient: expected Patient/<id>")
    return person_id


def router(ctx: Context, principal: PrincipalDep) -> APIRouter:
    api = APIRouter(tags=["fhir"], responses=FHIR_ERRORS)
    Auth = Annotated[Principal, Depends(principal)]

    def stored(p: Principal, provider_id: str, claim_no: str, render: Render) -> dict[str, Any]:
        authz.authorise_stored_claim(ctx, p, provider_id, claim_no, write=False)
        s = settlement.get_settlement(ctx, provider_id, claim_no, actor(p))
        number = settlement.settlement_number(ctx, provider_id, claim_no)
        return render(s, s["insured_region"], str(number))

    def read(resource_id: str, kind: str, p: Principal, render: Render) -> JSONResponse:
        key = settlement.settlement_key(ctx, _number(resource_id, kind))
        if key is None:
            raise NotFound(f"id: no {kind} {resource_id!r}")
        return JSONResponse(stored(p, *key, render), media_type=FHIR_JSON)

    def search(patient: str, kind: str, p: Principal, render: Render) -> JSONResponse:
        person_id = _patient(patient)
        authz.may_read_person(ctx, p, person_id)
        found = [stored(p, *k, render) for k in settlement.settlement_keys_of(ctx, person_id)]
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [
                {"fullUrl": f"{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                for r in found
            ],
        }
        return JSONResponse(bundle, media_type=FHIR_JSON)

    @api.get("/fhir/metadata", response_model=FhirResource)
    def metadata(p: Auth) -> JSONResponse:
        """The CapabilityStatement: resources, interactions and searches served."""
        return JSONResponse(
            res.capability_statement(__version__, date.today()), media_type=FHIR_JSON
        )

    @api.post("/fhir/Claim", status_code=201, response_model=FhirResource, responses=REPLAYED)
    def fhir_claim(body: FhirClaimIn, p: Auth) -> JSONResponse:
        """Submit a FHIR Claim; the answer is a ClaimResponse with adjudication per part and
        per line, its id the settlement number."""
        raw = res.read_fhir_claim(body.model_dump(mode="json", exclude_unset=True))
        req = authz.authorise_claim(ctx, p, read_settle_request(raw))
        out = settlement.settle_claim(ctx, req, actor(p))
        claim = req.claim
        number = settlement.settlement_number(ctx, claim.provider_id, claim.claim_id)
        answer = res.claim_response(out.data, out.data["insured_region"], str(number))
        return JSONResponse(
            answer,
            status_code=200 if out.replayed else 201,
            media_type=FHIR_JSON,
            headers={"Location": f"/fhir/ClaimResponse/{number}"},
        )

    @api.get("/fhir/ClaimResponse/{resource_id}", response_model=FhirResource)
    def read_claim_response(resource_id: str, p: Auth) -> JSONResponse:
        """Read a ClaimResponse by id."""
        return read(resource_id, "ClaimResponse", p, res.claim_response)

    @api.get("/fhir/ClaimResponse", response_model=FhirBundle)
    def search_claim_responses(
        p: Auth, patient: Annotated[str, Query(examples=["Patient/P-0001"])]
    ) -> JSONResponse:
        """Search ClaimResponses by ``patient``: a searchset Bundle."""
        return search(patient, "ClaimResponse", p, res.claim_response)

    @api.get("/fhir/ExplanationOfBenefit/{resource_id}", response_model=FhirResource)
    def read_eob(resource_id: str, p: Auth) -> JSONResponse:
        """Read an ExplanationOfBenefit by id (the same id as the ClaimResponse)."""
        return read(resource_id, "ExplanationOfBenefit", p, res.explanation_of_benefit)

    @api.get("/fhir/ExplanationOfBenefit", response_model=FhirBundle)
    def search_eobs(
        p: Auth, patient: Annotated[str, Query(examples=["Patient/P-0001"])]
    ) -> JSONResponse:
        """Search ExplanationOfBenefits by ``patient``: a searchset Bundle."""
        return search(patient, "ExplanationOfBenefit", p, res.explanation_of_benefit)

    @api.get("/fhir/Coverage/{person_id}", response_model=FhirResource)
    def fhir_coverage(person_id: str, p: Auth) -> JSONResponse:
        """The person's latest enrollment as a Coverage (its id the person id)."""
        authz.may_read_person(ctx, p, person_id)
        person = registration.get_person(ctx, person_id, actor(p))
        enrollments: list[dict[str, Any]] = person["enrollments"]  # type: ignore[assignment]
        if not enrollments:
            raise NotFound(f"person_id: {person_id} has no enrollment")
        cov = res.coverage(person, enrollments[-1], date.today())
        return JSONResponse(cov, media_type=FHIR_JSON)

    return api

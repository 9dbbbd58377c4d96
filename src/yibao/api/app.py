"""The FastAPI app: every endpoint authenticated and authorised by role and region; every
read or write of personal data audited (in the service layer); identity numbers masked.

Errors: bad input 400 (the message names the field), unknown thing 404, a contradiction
with what is stored 409, no or bad key 401, not allowed 403. Nothing is written on error:
each use case is one transaction.
"""

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Engine

from yibao.api import authz, fhir
from yibao.api import cases as cases_api
from yibao.api.auth import KeyCache, Principal, Role
from yibao.api.contract import (
    ERROR_RESPONSES,
    api_key_header,
    bearer,
    install_docs,
    install_errors,
    install_openapi,
)
from yibao.errors import InputError
from yibao.service import contributions, providers, registration, settlement
from yibao.service import ledger as ledger_svc
from yibao.service.context import Actor, Context, NotFound

log = logging.getLogger("yibao.api")

JSONBody = Annotated[dict[str, Any], Body(...)]


def create_app(engine: Engine | None = None) -> FastAPI:
    """The app over ``engine`` (default: ``YIBAO_DATABASE_URL``)."""
    if engine is None:
        from yibao.store.db import make_engine

        engine = make_engine()
    ctx = Context(engine)
    app = FastAPI(
        title="yibao",
        version="0.1",
        description="Social medical insurance: enrollment, contributions, real-time settlement, "
        "the fund ledger; REST and an HL7 FHIR R4B facade. Every error is an ErrorBody "
        "{code, field, message}; authenticate with an API key (Authorize).",
        docs_url=None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    install_errors(app)
    install_docs(app)
    install_openapi(app)

    keys = KeyCache(engine)

    async def principal(
        authorization: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
        x_api_key: Annotated[str | None, Depends(api_key_header)] = None,
    ) -> Principal:
        # async: a remembered key costs no thread hop; a lookup runs in the thread pool
        token = x_api_key or (authorization.credentials if authorization else None)
        p = None
        if token:
            p = keys.cached(token) or await run_in_threadpool(keys.authenticate, token)
        if p is None:
            raise HTTPException(401, "missing or invalid API key", {"WWW-Authenticate": "Bearer"})
        return p

    Auth = Annotated[Principal, Depends(principal)]

    def actor(p: Principal) -> Actor:
        return Actor(p.key_id, p.role.value)

    def deny(what: str) -> HTTPException:
        return HTTPException(403, f"not allowed: {what}")

    def may_read_person(p: Principal, person_id: str) -> None:
        authz.may_read_person(ctx, p, person_id)

    may_write_region = authz.may_write_region
    may_read_region = authz.may_read_region

    # ------------------------------------------------------------------ persons
    @app.post("/persons", status_code=201, tags=["persons"])
    def create_person(body: JSONBody, p: Auth) -> dict[str, Any]:
        """Register an insured person with their first enrollment (staff, admin)."""
        if not isinstance(body.get("region"), str):
            raise InputError("person: region: missing (required)")
        authz.may_register_person(p, body)
        return registration.register_person(ctx, body, actor(p))

    @app.get("/persons/{person_id}", tags=["persons"])
    def read_person(person_id: str, p: Auth) -> dict[str, Any]:
        may_read_person(p, person_id)
        return registration.get_person(ctx, person_id, actor(p))

    @app.post("/persons/{person_id}/enrollments", status_code=201, tags=["persons"])
    def create_enrollment(person_id: str, body: JSONBody, p: Auth) -> dict[str, Any]:
        authz.may_add_enrollment(ctx, p, person_id, body)
        return registration.add_enrollment(ctx, person_id, body, actor(p))

    @app.post("/persons/{person_id}/filings", status_code=201, tags=["persons"])
    def create_filing(person_id: str, body: JSONBody, p: Auth) -> dict[str, str]:
        authz.may_write_person(ctx, p, person_id)
        registration.add_filing(ctx, person_id, body, actor(p))
        return {"status": "filed"}

    @app.get("/persons/{person_id}/accumulators/{year}", tags=["accounts"])
    def read_accumulators(person_id: str, year: int, p: Auth) -> dict[str, Any]:
        may_read_person(p, person_id)
        if not 1900 <= year <= 2200:
            raise InputError(f"year: out of range: {year}")
        return settlement.accumulators_of(ctx, person_id, year, actor(p))

    @app.get("/persons/{person_id}/settlements", tags=["claims"])
    def read_settlements(person_id: str, p: Auth) -> list[dict[str, Any]]:
        may_read_person(p, person_id)
        return settlement.settlements_of(ctx, person_id, actor(p))

    # ------------------------------------------------------------------ providers
    @app.post("/providers", status_code=201, tags=["providers"])
    def create_provider(body: JSONBody, p: Auth) -> dict[str, Any]:
        """Register a provider (定点医药机构): ``{provider_id, name, level, region, kind}``
        (admin; staff of the provider's region). Claims are settled for registered providers
        only, at their registered level and region."""
        region = body.get("region")
        if not isinstance(region, str):
            raise InputError("provider.region: missing (required)")
        may_write_region(p, region)
        return providers.register_provider(ctx, body, actor(p))

    @app.get("/providers", tags=["providers"])
    def list_providers(p: Auth, region: str | None = None) -> list[dict[str, Any]]:
        """The registered providers (of ``region``); staff see their own region's."""
        if p.role is Role.STAFF:
            region = region or p.region
        if region is None:
            if p.role not in (Role.ADMIN, Role.AUDITOR):
                raise deny("providers")
        else:
            may_read_region(p, region)
        return providers.list_providers(ctx, region)

    @app.get("/providers/{provider_id}", tags=["providers"])
    def read_provider(provider_id: str, p: Auth) -> dict[str, Any]:
        if p.role is Role.INSURED or (p.role is Role.PROVIDER and p.provider_id != provider_id):
            raise deny(f"provider {provider_id}")
        found = providers.get_provider(ctx, provider_id)
        if p.role is Role.STAFF:
            may_read_region(p, found["region"])
        return found

    # ------------------------------------------------------------------ contributions
    @app.post("/contributions/runs", tags=["contributions"])
    def run_contributions(body: JSONBody, p: Auth) -> dict[str, Any]:
        """The monthly contribution run of a region: ``{region, month, unpaid_employers}``."""
        region, month = body.get("region"), body.get("month")
        unpaid = body.get("unpaid_employers", [])
        if not isinstance(region, str):
            raise InputError("region: missing (required)")
        if not isinstance(month, str):
            raise InputError("month: expected YYYY-MM")
        if not isinstance(unpaid, list) or not all(isinstance(x, str) for x in unpaid):
            raise InputError("unpaid_employers: expected a list of employer ids")
        may_write_region(p, region)
        return contributions.contribution_run(ctx, region, month, unpaid, actor(p))

    # ------------------------------------------------------------------ claims
    def authorise_claim(p: Principal, req: settlement.SettleRequest) -> settlement.SettleRequest:
        return authz.authorise_claim(ctx, p, req)

    @app.post("/claims/settle", tags=["claims"])
    def settle_claim(body: JSONBody, p: Auth) -> JSONResponse:
        """Settle in real time; a resent (provider, claim number) returns the stored result."""
        req = authorise_claim(p, settlement.read_settle_request(body))
        out = settlement.settle_claim(ctx, req, actor(p))
        return JSONResponse(out.data, status_code=200 if out.replayed else 201)

    @app.post("/claims/pre-settle", tags=["claims"])
    def pre_settle_claim(body: JSONBody, p: Auth) -> dict[str, Any]:
        """预结算: what the claim would pay now; nothing is stored."""
        req = authorise_claim(p, settlement.read_settle_request(body))
        authz.may_pre_settle(ctx, p, req, req.id_number)
        return settlement.pre_settle(ctx, req, actor(p)).data

    def authorise_stored_claim(p: Principal, provider_id: str, claim_no: str, write: bool) -> None:
        authz.authorise_stored_claim(ctx, p, provider_id, claim_no, write)

    @app.get("/claims/{provider_id}/{claim_no}", tags=["claims"])
    def read_claim(provider_id: str, claim_no: str, p: Auth) -> dict[str, Any]:
        authorise_stored_claim(p, provider_id, claim_no, write=False)
        return settlement.get_settlement(ctx, provider_id, claim_no, actor(p))

    @app.post("/claims/{provider_id}/{claim_no}/reverse", tags=["claims"])
    def reverse_claim(
        provider_id: str,
        claim_no: str,
        p: Auth,
        body: Annotated[dict[str, Any] | None, Body()] = None,
    ) -> dict[str, Any]:
        """冲正 (``{"kind": "reversal"}``, the default) or 退费 (``{"kind": "refund"}``)."""
        kind = (body or {}).get("kind", "reversal")
        if not isinstance(kind, str):
            raise InputError("kind: expected reversal or refund")
        authorise_stored_claim(p, provider_id, claim_no, write=True)
        return settlement.reverse_claim(ctx, provider_id, claim_no, kind, actor(p))

    # ------------------------------------------------------------------ funds
    @app.get("/funds/{region}/trial-balance", tags=["funds"])
    def trial_balance(region: str, p: Auth) -> list[dict[str, Any]]:
        may_read_region(p, region)
        return ledger_svc.trial_balance(ctx, region)

    @app.get("/funds/{region}/{fund}/statements/{month}", tags=["funds"])
    def statement(region: str, fund: str, month: str, p: Auth) -> dict[str, Any]:
        may_read_region(p, region)
        return ledger_svc.statement(ctx, region, fund, month)

    @app.get("/clearing/{month}", tags=["funds"])
    def clearing(month: str, p: Auth) -> list[dict[str, Any]]:
        """Cross-region clearing; staff see the rows of their own region only."""
        if p.role not in (Role.ADMIN, Role.AUDITOR, Role.STAFF):
            raise deny("clearing statements")
        rows = ledger_svc.clearing_statement(ctx, month)
        if p.role is Role.STAFF:
            rows = [r for r in rows if p.region in (r["insured_region"], r["treatment_region"])]
        return rows

    @app.get("/ledger/check", tags=["funds"])
    def ledger_check(p: Auth) -> dict[str, Any]:
        if p.role not in (Role.ADMIN, Role.AUDITOR):
            raise deny("ledger checks")
        vs = ledger_svc.check_ledger(ctx)
        return {
            "violations": [
                {"check": v.check, "subject": v.subject, "message": v.message} for v in vs
            ]
        }

    # ------------------------------------------------------------------ FHIR R4B
    @app.post("/fhir/Claim", tags=["fhir"])
    def fhir_claim(body: JSONBody, p: Auth) -> JSONResponse:
        """Submit a FHIR Claim; the answer is a ClaimResponse with adjudication per part."""
        req = authorise_claim(p, settlement.read_settle_request(fhir.read_fhir_claim(body)))
        out = settlement.settle_claim(ctx, req, actor(p))
        return JSONResponse(
            fhir.claim_response(out.data, out.data["insured_region"]),
            status_code=200 if out.replayed else 201,
        )

    @app.get("/fhir/ExplanationOfBenefit/{provider_id}/{claim_no}", tags=["fhir"])
    def fhir_eob(provider_id: str, claim_no: str, p: Auth) -> dict[str, Any]:
        authorise_stored_claim(p, provider_id, claim_no, write=False)
        s = settlement.get_settlement(ctx, provider_id, claim_no, actor(p))
        return fhir.explanation_of_benefit(s, s["insured_region"])

    @app.get("/fhir/Coverage/{person_id}", tags=["fhir"])
    def fhir_coverage(person_id: str, p: Auth) -> dict[str, Any]:
        may_read_person(p, person_id)
        person = registration.get_person(ctx, person_id, actor(p))
        enrollments: list[dict[str, Any]] = person["enrollments"]  # type: ignore[assignment]
        if not enrollments:
            raise NotFound(f"person_id: {person_id} has no enrollment")
        return fhir.coverage(person, enrollments[-1], date.today())

    app.include_router(cases_api.router(ctx, principal))  # supervision cases (稽核案件)

    from yibao.web.app import create_web  # the console and the portal, on the same ctx

    app.mount("/ui", create_web(ctx))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=303)

    return app

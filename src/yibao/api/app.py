"""The FastAPI app factory: it wires the routers (:mod:`yibao.api.routers`, one per
resource, and :mod:`yibao.api.cases`) to the key check, the error body and the docs.

Every endpoint is authenticated and authorised by role and region (:mod:`yibao.api.authz`);
every read or write of personal data audited (in the service layer); identity numbers masked.

Errors: bad input 400 (the message names the field), unknown thing 404, a contradiction
with what is stored 409, no or bad key 401, not allowed 403. Nothing is written on error:
each use case is one transaction.
"""

import logging
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Engine

from yibao.api import cases as cases_api
from yibao.api.auth import KeyCache, Principal
from yibao.api.contract import (
    ERROR_RESPONSES,
    api_key_header,
    bearer,
    install_docs,
    install_errors,
    install_openapi,
)
from yibao.api.routers import claims, funds, persons, providers
from yibao.api.routers import fhir as fhir_routes
from yibao.service.context import Context

log = logging.getLogger("yibao.api")


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

    for module in (persons, providers, funds, claims, fhir_routes, cases_api):
        app.include_router(module.router(ctx, principal))

    from yibao.web.app import create_web  # the console and the portal, on the same ctx

    app.mount("/ui", create_web(ctx))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=303)

    return app

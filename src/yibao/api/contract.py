"""The integration contract of the API: one error body, the status codes the API really
answers, the API-key security schemes, and /docs and /redoc served offline.

Every error is ``{"code", "field", "message"}``: ``code`` names the kind (``bad_request``,
``unauthorized``, ``forbidden``, ``not_found``, ``conflict``), ``field`` the request field at
fault when the message names one (``claim.lines[1].code``), ``message`` the one-line reason.
Bad input is 400, never 422: FastAPI's own validation errors are answered the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from typing import Any, Final

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from yibao.api.authz import Denied
from yibao.errors import InputError
from yibao.policy.errors import PolicyError
from yibao.service.context import Conflict, NotFound

CODES: Final = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
}
_FIELD = re.compile(r"^([A-Za-z_][\w.\[\]]*): ")
ASSETS: Final = "/docs-assets"


class ErrorBody(BaseModel):
    """An error (错误): its kind, the field at fault and a one-line message."""

    code: str = Field(
        description="kind of error 错误类别: bad_request, unauthorized, forbidden, not_found, "
        "conflict",
        examples=["bad_request"],
    )
    field: str | None = Field(
        description="the request field at fault 出错字段 (a dotted path), if any",
        examples=["claim.lines[1].code"],
    )
    message: str = Field(
        description="what is wrong, in one line 错误说明",
        examples=["claim.lines[1].code: unknown catalogue code 'XD9999' (catalogue demo)"],
    )


def error_body(status: int, message: str) -> dict[str, Any]:
    """The error body of ``status`` with ``message``; the field is read off the message.

    >>> error_body(404, "person_id: unknown person 'P1'")["field"]
    'person_id'
    >>> error_body(403, "not allowed: person P1")["field"] is None
    True
    """
    m = _FIELD.match(message) if status in (400, 404, 409) else None
    return {
        "code": CODES.get(status, "error"),
        "field": m.group(1) if m else None,
        "message": message,
    }


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        400: "bad input; the message names the field (nothing was written)",
        401: "no API key, or an invalid one",
        403: "the key's role or scope does not allow this",
        404: "the person, provider, claim or case does not exist",
        409: "contradicts what is stored (a claim number reused, a claim already reversed)",
    }.items()
}


def _fhir_errors() -> dict[int | str, dict[str, Any]]:
    from yibao.api.schemas import OperationOutcome

    return {
        status: {"model": OperationOutcome, "description": f"{spec['description']} (FHIR)"}
        for status, spec in ERROR_RESPONSES.items()
    }


FHIR_ERRORS: Final = _fhir_errors()

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="an API key yb_<id>_<secret> as a bearer token",
)
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="the same API key"
)


def _respond(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The error body; under ``/fhir/`` the same as a FHIR OperationOutcome."""
    body = error_body(status, message)
    if request.url.path.startswith("/fhir/"):
        from yibao.api.fhir import operation_outcome

        outcome = operation_outcome(status, message, body["field"])
        return JSONResponse(
            outcome, status_code=status, headers=headers, media_type="application/fhir+json"
        )
    return JSONResponse(body, status_code=status, headers=headers)


_UNION_TAGS: Final = frozenset({"str", "int", "bool", "float", "list", "dict"})


def _loc_path(loc: tuple[Any, ...]) -> str:
    """A Pydantic error location as the field path of the error body: ``claim.lines[0].code``.

    >>> _loc_path(("body", "claim", "lines", 0, "amount", "str"))
    'claim.lines[0].amount'
    """
    skip = {"body", "path", "query", "header"}
    path = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif not (i == 0 and part in skip) and part not in _UNION_TAGS:
            path += f".{part}" if path else str(part)
    return path or "request"


def _validation_message(e: RequestValidationError) -> str:
    """The first validation error as one line ``field: what is wrong``."""
    errors = e.errors()
    if not errors:
        return "request: invalid"
    first = errors[0]
    path = _loc_path(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind == "missing":
        return f"{path}: missing (required)"
    if kind == "extra_forbidden":
        return f"{path}: unknown field"
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return f"{path}: expected a JSON object of fields"
    return f"{path}: {first.get('msg', 'invalid')}, got {first.get('input')!r}"


# the most specific class wins (Starlette looks handlers up along the exception's MRO)
STATUS_OF: Final[tuple[tuple[type[Exception], int], ...]] = (
    (NotFound, 404),
    (Denied, 403),
    (Conflict, 409),
    (InputError, 400),
    (PolicyError, 400),
)


def _answer(status: int) -> Callable[[Request, Exception], JSONResponse]:
    def handle(request: Request, e: Exception) -> JSONResponse:
        return _respond(request, status, str(e))

    return handle


def install_errors(app: FastAPI) -> None:
    """Answer every error with :class:`ErrorBody` and its status code."""
    for exc, status in STATUS_OF:
        app.add_exception_handler(exc, _answer(status))

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        return _respond(request, 400, _validation_message(e))

    @app.exception_handler(HTTPException)
    def _http(request: Request, e: HTTPException) -> JSONResponse:
        headers = dict(e.headers) if e.headers else None
        return _respond(request, e.status_code, str(e.detail), headers)


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from the assets shipped in ``yibao/api/static``."""
    static = resources.files("yibao.api").joinpath("static")
    app.mount(ASSETS, StaticFiles(directory=str(static)), name="docs-assets")

    url, title = "/openapi.json", f"{app.title} API"
    icon = f"{ASSETS}/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        js, css = f"{ASSETS}/swagger-ui-bundle.js", f"{ASSETS}/swagger-ui.css"
        return get_swagger_ui_html(
            openapi_url=url,
            title=title,
            swagger_js_url=js,
            swagger_css_url=css,
            swagger_favicon_url=icon,
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        js = f"{ASSETS}/redoc.standalone.js"
        return get_redoc_html(
            openapi_url=url,
            title=title,
            redoc_js_url=js,
            redoc_favicon_url=icon,
            with_google_fonts=False,
        )


def install_openapi(app: FastAPI) -> None:
    """The OpenAPI document without FastAPI's 422 (the API answers bad input with 400)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = original()
            for item in doc.get("paths", {}).values():
                for op in item.values():
                    op.get("responses", {}).pop("422", None)
            schemas = doc.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

"""The console's pages (``/ui``): each handler reads its input, asks the authorisation table
(:mod:`yibao.api.authz`), calls a use case of :mod:`yibao.service` and renders a template.

Sessions are a cookie (HttpOnly, SameSite=Strict) naming a stored session; every POST carries
the session's CSRF token (the login form a double-submit one) and is refused without it.
Forms are ``application/x-www-form-urlencoded`` and read here with the standard library.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from yibao.api import authz
from yibao.api.auth import Principal
from yibao.api.contract import STATUS_OF
from yibao.errors import InputError
from yibao.money import format_yuan
from yibao.policy.errors import PolicyError
from yibao.service import (
    admin_view,
    cases,
    fund_view,
    logins,
    person_record,
    policy_view,
    projection_view,
    providers,
    registration,
    settlement,
)
from yibao.service.context import Actor, Context
from yibao.supervision.rules import RULES
from yibao.web import explain
from yibao.web.i18n import LANGS, code_label, translator

HERE = Path(__file__).parent
COOKIE = "yb_session"
LOGIN_CSRF = "yb_login_csrf"
STAFF, SUPERVISOR, FUND, INSURED = "staff", "supervisor", "fund_manager", "insured"
ADMIN = "admin"
HOME = {
    STAFF: "/persons",
    SUPERVISOR: "/cases",
    FUND: "/funds",
    INSURED: "/me",
    ADMIN: "/admin/users",
}


class LoginRequired(Exception):
    """No live session: go to the login page."""


class BadCsrf(Exception):
    """A POST without the session's CSRF token."""


SECURE_MODES = ("auto", "always", "never")


def cookie_secure_mode() -> str:
    """``YIBAO_COOKIE_SECURE``: ``auto`` (the default: Secure when the request came over https,
    as the server sees it; behind a proxy run uvicorn with ``--proxy-headers``), ``always`` or
    ``never``."""
    mode = os.environ.get("YIBAO_COOKIE_SECURE", "auto").strip().lower() or "auto"
    if mode not in SECURE_MODES:
        raise InputError(f"YIBAO_COOKIE_SECURE: expected auto, always or never, got {mode!r}")
    return mode


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def create_web(ctx: Context) -> FastAPI:
    """The console as an app to mount at ``/ui`` under the API."""
    web = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    secure_mode = cookie_secure_mode()

    def secure(request: Request) -> bool:
        return secure_mode == "always" or (secure_mode == "auto" and request.url.scheme == "https")

    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["yuan"] = format_yuan
    templates.env.filters["money"] = explain.money
    templates.env.filters["yi"] = explain.yi
    templates.env.globals["visit_label"] = explain.visit_label

    def render(
        request: Request,
        name: str,
        session: logins.Session | None = None,
        status: int = 200,
        **data: Any,
    ) -> HTMLResponse:
        lang = _lang(request)
        base = request.scope.get("root_path", "")
        data.update(
            _=translator(lang),
            code=lambda group, value: code_label(group, value, lang),
            lang=lang,
            base=base,
            session=session,
            user=session.user if session else None,
            today=date.today().isoformat(),
        )
        response = templates.TemplateResponse(request, name, data, status_code=status)
        if request.query_params.get("lang") in LANGS:
            response.set_cookie(
                "lang", lang, samesite="strict", httponly=True, secure=secure(request)
            )
        return response

    def redirect(request: Request, path: str) -> Response:
        url = request.scope.get("root_path", "") + path
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    async def current(request: Request) -> logins.Session:
        cookie = request.cookies.get(COOKIE)
        s = await run_in_threadpool(logins.session, ctx, cookie) if cookie else None
        if s is None:
            raise LoginRequired()
        return s

    async def form(request: Request, s: logins.Session | None) -> dict[str, str]:
        """The urlencoded body, after checking its CSRF token against the session's."""
        body = (await request.body()).decode("utf-8", "replace")
        fields = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        want = s.csrf_token if s else request.cookies.get(LOGIN_CSRF, "")
        if not want or not hmac.compare_digest(fields.get("csrf", ""), want):
            raise BadCsrf()
        return fields

    def principal(s: logins.Session) -> Principal:
        u = s.user
        return authz.web_principal(u.username, u.role, u.region, u.person_id)

    def actor(s: logins.Session) -> Actor:
        p = principal(s)
        return Actor(p.key_id, p.role.value)

    async def call(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await run_in_threadpool(fn, *args, **kw)

    # ------------------------------------------------------------------ errors
    @web.exception_handler(LoginRequired)
    def _login(request: Request, _: LoginRequired) -> Response:
        return redirect(request, "/login")

    def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return render(request, "error.html", status=status, title=title, message=message)

    @web.exception_handler(BadCsrf)
    def _csrf(request: Request, _: BadCsrf) -> Response:
        return _error(request, 403, "forbidden", "CSRF token missing or wrong")

    def _answer(status: int) -> Callable[[Request, Exception], Response]:
        title = {403: "forbidden", 404: "not_found"}.get(status, "error")

        def handle(request: Request, e: Exception) -> Response:
            return _error(request, status, title, str(e))

        return handle

    for exc, status in STATUS_OF:  # the API's one mapping of errors to status codes
        web.add_exception_handler(exc, _answer(status))

    # ------------------------------------------------------------------ login
    @web.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", csrf=token, failed=None)
        response.set_cookie(
            LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure(request)
        )
        return response

    @web.post("/login", response_class=HTMLResponse)
    async def login_submit(request: Request) -> Response:
        f = await form(request, None)
        try:
            cookie, s = await call(logins.login, ctx, f.get("username", ""), f.get("password", ""))
        except logins.LoginRefused as e:
            token = secrets.token_urlsafe(24)
            response = render(request, "login.html", status=401, csrf=token, failed=str(e))
            response.set_cookie(
                LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure(request)
            )
            return response
        done = redirect(request, HOME[s.user.role])
        done.set_cookie(
            COOKIE,
            cookie,
            httponly=True,
            samesite="strict",
            secure=secure(request),
            max_age=int(logins.SESSION_TTL.total_seconds()),
        )
        done.delete_cookie(LOGIN_CSRF)
        return done

    @web.post("/logout")
    async def logout(request: Request) -> Response:
        s = await current(request)
        await form(request, s)
        await call(logins.logout, ctx, request.cookies.get(COOKIE, ""))
        response = redirect(request, "/login")
        response.delete_cookie(COOKIE)
        return response

    @web.get("/")
    async def home(request: Request) -> Response:
        s = await current(request)
        return redirect(request, HOME[s.user.role])

    # ------------------------------------------------------------------ agency staff
    @web.get("/persons", response_class=HTMLResponse)
    async def persons(request: Request, q: str = "") -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        found = await call(person_record.search_persons, ctx, s.user.region, q, actor(s))
        partial = request.headers.get("HX-Request") and not request.headers.get(
            "HX-History-Restore-Request"
        )
        name = "_results.html" if partial else "persons.html"
        return render(request, name, s, q=q, found=found)

    def _person_page(pid: str, s: logins.Session, year: int) -> dict[str, Any]:
        a = actor(s)
        today = date.today()
        if not 1900 <= year <= today.year:
            year = today.year
        day = today if year == today.year else date(year, 12, 31)
        return {
            "year": year,
            "this_year": today.year,
            "person": registration.get_person(ctx, pid, a),
            "standing": person_record.year_standing(ctx, pid, day, a),
            "transactions": person_record.account_transactions(ctx, pid, a)[-50:],
            "contributions": person_record.contributions_of(ctx, pid, date.today()),
            "filings": person_record.filings_of(ctx, pid),
            "settlements": settlement.settlements_of(ctx, pid, a)[-50:],
        }

    @web.get("/persons/{pid}", response_class=HTMLResponse)
    async def person(request: Request, pid: str, year: int = 0) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        await call(authz.may_read_person, ctx, principal(s), pid)
        data = await call(_person_page, pid, s, year)
        region = data["person"]["region"]
        provs = await call(providers.list_providers, ctx, region)
        me = actor(s).actor_id
        return render(request, "person.html", s, pid=pid, providers=provs, me=me, **data)

    def _claim_body(pid: str, f: dict[str, str]) -> dict[str, Any]:
        visit = f.get("visit", "")
        claim: dict[str, Any] = {
            "id": f.get("claim_no", ""),
            "provider": f.get("provider", ""),
            "visit": visit,
            "presplit": {
                k: f[k] or "0" for k in ("total", "full_selfpay", "over_limit", "preself") if k in f
            },
        }
        if visit == "inpatient":
            claim["admit_date"] = f.get("admit_date", "")
            claim["discharge_date"] = f.get("discharge_date", "")
        else:
            claim["date"] = f.get("discharge_date", "")
        if f.get("route") and f["route"] != "local":
            claim["route"] = f["route"]
        return {"person_id": pid, "claim": claim}

    @web.post("/persons/{pid}/pre-settle", response_class=HTMLResponse)
    async def pre_settle(request: Request, pid: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        f = await form(request, s)
        try:
            req = authz.authorise_claim(
                ctx, principal(s), settlement.read_settle_request(_claim_body(pid, f))
            )
            out = await call(settlement.pre_settle, ctx, req, actor(s))
        except (InputError, PolicyError) as e:
            return render(request, "_preview.html", s, error=str(e), parts=[])
        parts = explain.part_rows(out.data["parts"], _lang(request))
        return render(request, "_preview.html", s, error=None, parts=parts)

    @web.post("/persons/{pid}/settle")
    async def settle(request: Request, pid: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        f = await form(request, s)
        req = authz.authorise_claim(
            ctx, principal(s), settlement.read_settle_request(_claim_body(pid, f))
        )
        out = await call(settlement.settle_claim, ctx, req, actor(s))
        return redirect(
            request, f"/claims/{quote(out.data['provider_id'])}/{quote(out.data['claim_no'])}"
        )

    @web.post("/persons/{pid}/filings")
    async def add_filing(request: Request, pid: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        f = await form(request, s)
        await call(authz.may_write_person, ctx, principal(s), pid)
        body = {"treatment_region": f.get("treatment_region", ""), "from": f.get("from", "")}
        if f.get("to"):
            body["to"] = f["to"]
        await call(registration.add_filing, ctx, pid, body, actor(s), approved=False)
        return redirect(request, f"/persons/{quote(pid)}#filings")

    @web.post("/persons/{pid}/filings/{filing_id}/approve")
    async def approve_filing(request: Request, pid: str, filing_id: int) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        await form(request, s)
        await call(authz.may_write_person, ctx, principal(s), pid)
        await call(registration.approve_filing, ctx, pid, filing_id, actor(s))
        return redirect(request, f"/persons/{quote(pid)}#filings")

    @web.post("/persons/{pid}/filings/{filing_id}/end")
    async def end_filing(request: Request, pid: str, filing_id: int) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        f = await form(request, s)
        await call(authz.may_write_person, ctx, principal(s), pid)
        day = _day(f.get("to", ""), "to")
        await call(registration.end_filing, ctx, pid, filing_id, day, actor(s))
        return redirect(request, f"/persons/{quote(pid)}#filings")

    @web.get("/claims/{provider_id}/{claim_no}", response_class=HTMLResponse)
    async def claim(request: Request, provider_id: str, claim_no: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF, SUPERVISOR, INSURED))
        await call(authz.authorise_stored_claim, ctx, principal(s), provider_id, claim_no, False)
        data = await call(settlement.get_settlement, ctx, provider_id, claim_no, actor(s))
        lang = _lang(request)
        return render(
            request,
            "claim.html",
            s,
            c=data,
            parts=explain.part_rows(data["parts"], lang),
            steps=explain.explain(data["trace"], lang),
            plain=explain.plain_words(data["parts"], lang),
        )

    @web.post("/claims/{provider_id}/{claim_no}/reverse")
    async def reverse(request: Request, provider_id: str, claim_no: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (STAFF,))
        f = await form(request, s)
        reason = f.get("reason", "").strip()
        if not reason or len(reason) > 200:
            raise InputError("reason: give a reason of 1 to 200 characters")
        await call(authz.authorise_stored_claim, ctx, principal(s), provider_id, claim_no, True)
        await call(
            settlement.reverse_claim,
            ctx,
            provider_id,
            claim_no,
            "reversal",
            actor(s),
            None,
            reason,
        )
        return redirect(request, f"/claims/{quote(provider_id)}/{quote(claim_no)}")

    # ------------------------------------------------------------------ the insured
    @web.get("/me", response_class=HTMLResponse)
    async def me(request: Request, year: int = 0) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (INSURED,))
        pid = s.user.person_id or ""
        await call(authz.may_read_person, ctx, principal(s), pid)
        data = await call(_person_page, pid, s, year)
        lang = _lang(request)
        explained = [
            (c, explain.plain_words(c["parts"], lang)) for c in reversed(data["settlements"])
        ]
        return render(request, "me.html", s, explained=explained, **data)

    # ------------------------------------------------------------------ supervisors
    def _rules() -> dict[str, tuple[str, str, str]]:
        return {code: (r.name_zh, r.name_en, r.basis) for code, r in RULES.items()}

    @web.get("/cases", response_class=HTMLResponse)
    async def case_queue(request: Request, status: str = "") -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (SUPERVISOR,))
        region, provider_id = authz.case_scope(principal(s), None, None)
        found = await call(
            cases.list_cases, ctx, region=region, provider_id=provider_id, status=status or None
        )
        return render(request, "cases.html", s, cases=found, wanted=status, rules=_rules())

    @web.get("/cases/{case_id}", response_class=HTMLResponse)
    async def case(request: Request, case_id: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (SUPERVISOR,))
        region, provider_id = await call(cases.case_region, ctx, case_id)
        authz.may_read_case(principal(s), region, provider_id)
        found = await call(cases.get_case, ctx, case_id)
        return render(request, "case.html", s, c=found, rules=_rules())

    @web.post("/cases/{case_id}/{action}")
    async def decide(request: Request, case_id: str, action: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (SUPERVISOR,))
        f = await form(request, s)
        region, _ = await call(cases.case_region, ctx, case_id)
        authz.may_decide_case(principal(s), region)
        body = {"reviewer": s.user.username, "reason": f.get("reason", "")}
        await call(cases.transition, ctx, case_id, action, body, actor(s))
        return redirect(request, f"/cases/{quote(case_id)}")

    @web.get("/providers/{provider_id}", response_class=HTMLResponse)
    async def provider(request: Request, provider_id: str) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (SUPERVISOR,))
        found = await call(providers.get_provider, ctx, provider_id)
        authz.may_read_region(principal(s), found["region"])
        credit = await call(cases.provider_credit, ctx, provider_id)
        its = await call(cases.list_cases, ctx, provider_id=provider_id)
        return render(
            request, "provider.html", s, p=found, credit=credit, cases=its, rules=_rules()
        )

    # ------------------------------------------------------------------ fund managers
    @web.get("/funds", response_class=HTMLResponse)
    async def funds(request: Request, region: str = "") -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (FUND,))
        if region:
            authz.may_read_region(principal(s), region)
        data = await call(fund_view.dashboard, ctx, region)
        if data["region"] and not region:
            authz.may_read_region(principal(s), data["region"])
        return render(request, "funds.html", s, **data)

    @web.get("/funds/projection", response_class=HTMLResponse)
    async def projection(request: Request, scenario: str = "baseline") -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (FUND,))
        fan = await call(projection_view.fan, scenario)
        known = await call(projection_view.scenarios)
        return render(request, "projection.html", s, p=fan, scenarios=known)

    # ------------------------------------------------------------------ administrators
    @web.get("/admin/users", response_class=HTMLResponse)
    async def users(request: Request) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (ADMIN,))
        found = await call(admin_view.list_users, ctx)
        return render(request, "users.html", s, users=found, roles=logins.WEB_ROLES)

    @web.post("/admin/users")
    async def add_user(request: Request) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (ADMIN,))
        f = await form(request, s)
        await call(
            logins.create_user,
            ctx,
            f.get("username", "").strip(),
            f.get("password", ""),
            f.get("role", ""),
            display_name=f.get("display_name", "").strip(),
            region=f.get("region", "").strip() or None,
            person_id=f.get("person_id", "").strip() or None,
            actor=actor(s),
        )
        return redirect(request, "/admin/users")

    @web.get("/admin/audit", response_class=HTMLResponse)
    async def audit(
        request: Request, who: str = "", action: str = "", subject: str = ""
    ) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (ADMIN,))
        rows = await call(admin_view.audit_entries, ctx, actor(s), who, action, subject)
        return render(request, "audit.html", s, rows=rows, who=who, action=action, subject=subject)

    @web.get("/policy", response_class=HTMLResponse)
    async def policy(
        request: Request,
        region: str = "",
        on: str = "",
        region2: str = "",
        on2: str = "",
        prefix: str = "",
    ) -> Response:
        s = await current(request)
        authz.may_open_page(s.user.role, (FUND, STAFF, SUPERVISOR))
        regions = sorted(p.region for p in ctx.packs.packs.values() if p.region)
        region = region or s.user.region or (regions[0] if regions else "")
        day = _day(on, "on")
        rows = await call(policy_view.parameters_on, ctx, region, day, prefix)
        diff = None
        if region2 or on2:
            diff = await call(
                policy_view.parameter_diff,
                ctx,
                (region, day),
                (region2 or region, _day(on2, "on2")),
                prefix,
            )
        return render(
            request,
            "policy.html",
            s,
            regions=regions,
            region=region,
            on=day.isoformat(),
            region2=region2,
            on2=on2,
            prefix=prefix,
            rows=rows,
            diff=diff,
        )

    return web


def _day(text: str, where: str) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}: expected a date YYYY-MM-DD, got {text!r}") from None

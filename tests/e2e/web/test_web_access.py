"""The console's doors without a browser: login and lockout, CSRF, who may see which page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from web_helpers import Demo, csrf_of, login

from yibao.api.app import create_app
from yibao.errors import InputError
from yibao.service import cases, logins, person_record, settlement


@pytest.fixture
def client(demo: Demo) -> Iterator[TestClient]:
    with TestClient(create_app(demo.engine)) as c:
        yield c


def test_login_sets_an_httponly_strict_cookie_and_goes_home(client: TestClient) -> None:
    r = login(client, "staff")
    assert r.status_code == 303 and r.headers["location"] == "/ui/persons"
    cookie = r.headers["set-cookie"]
    assert "yb_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_page_without_login_goes_to_the_login_page(client: TestClient) -> None:
    r = client.get("/ui/persons", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"


def test_wrong_passwords_lock_the_login(client: TestClient, demo: Demo) -> None:
    logins.create_user(demo.ctx, "locktest", "right-password-1", "fund_manager")
    for _ in range(logins.LOCK_AFTER):
        assert login(client, "locktest", "wrong").status_code == 401
    r = login(client, "locktest", "right-password-1")  # locked: even the right one fails
    assert r.status_code == 401 and "locked" in r.text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, demo: Demo) -> None:
    assert login(client, "staff").status_code == 303
    pid = demo.login_of("insured").person_id
    body = {"treatment_region": "990200", "from": "2025-03-01"}
    r = client.post(f"/ui/persons/{pid}/filings", data=body, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(
        f"/ui/persons/{pid}/filings", data={**body, "csrf": "forged"}, follow_redirects=False
    )
    assert r.status_code == 403
    page = client.get(f"/ui/persons/{pid}")
    assert "990200" not in page.text.split('id="filings"')[1].split("</table>")[0]


def test_a_login_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    r = client.post("/ui/login", data={"username": "staff", "password": "x"})
    assert r.status_code == 403


def test_staff_of_another_region_cannot_open_the_person(client: TestClient, demo: Demo) -> None:
    assert login(client, "staff2").status_code == 303
    pid = demo.login_of("insured").person_id
    assert client.get(f"/ui/persons/{pid}").status_code == 404  # as an unknown person


def test_the_insured_see_their_own_settlements_only(client: TestClient, demo: Demo) -> None:
    mine = settlement.settlements_of(demo.ctx, demo.login_of("insured").person_id)[0]
    theirs = settlement.settlements_of(demo.ctx, demo.login_of("insured2").person_id)[0]
    assert login(client, "insured").status_code == 303
    assert client.get(f"/ui/claims/{mine['provider_id']}/{mine['claim_no']}").status_code == 200
    r = client.get(f"/ui/claims/{theirs['provider_id']}/{theirs['claim_no']}")
    assert r.status_code == 404  # outside their scope: as an unknown claim
    assert client.get(f"/ui/persons/{theirs['person_id']}").status_code == 403  # staff page
    # the API answers the same way for the same role
    from yibao.api.auth import create_key

    key = create_key(demo.engine, "insured", "me", person_id=mine["person_id"])
    api = client.get(
        f"/claims/{theirs['provider_id']}/{theirs['claim_no']}",
        headers={"X-API-Key": key},
    )
    assert api.status_code == 404


def test_a_fund_manager_reads_but_cannot_settle(client: TestClient, demo: Demo) -> None:
    assert login(client, "fund").status_code == 303
    assert client.get("/ui/funds").status_code == 200
    pid = demo.login_of("insured").person_id
    token = csrf_of(client.get("/ui/funds").text)
    r = client.post(f"/ui/persons/{pid}/settle", data={"csrf": token, "total": "1"})
    assert r.status_code == 403


def test_logout_ends_the_session(client: TestClient) -> None:
    assert login(client, "supervisor").status_code == 303
    page = client.get("/ui/cases")
    assert page.status_code == 200
    r = client.post("/ui/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/ui/cases", follow_redirects=False).status_code == 303


def test_english_is_available(client: TestClient) -> None:
    assert "登录" in client.get("/ui/login").text
    assert "Sign in" in client.get("/ui/login?lang=en").text
    assert "Sign in" in client.get("/ui/login").text  # remembered in the lang cookie


def test_staff_record_and_end_a_cross_region_filing(client: TestClient, demo: Demo) -> None:
    assert login(client, "staff").status_code == 303
    pid = demo.login_of("insured2").person_id
    page = client.get(f"/ui/persons/{pid}")
    body = {"treatment_region": "990300", "from": "2025-02-01", "csrf": csrf_of(page.text)}
    r = client.post(f"/ui/persons/{pid}/filings", data=body, follow_redirects=False)
    assert r.status_code == 303
    filings = person_record.filings_of(demo.ctx, pid)
    assert [(f["treatment_region"], f["to"]) for f in filings] == [("990300", None)]
    end = {"to": "2025-03-31", "csrf": body["csrf"]}
    fid = filings[0]["filing_id"]
    r = client.post(f"/ui/persons/{pid}/filings/{fid}/end", data=end, follow_redirects=False)
    assert r.status_code == 303
    assert str(person_record.filings_of(demo.ctx, pid)[0]["to"]) == "2025-03-31"
    r = client.post(f"/ui/persons/{pid}/filings/{fid}/end", data=end, follow_redirects=False)
    assert r.status_code == 409  # ended already: nothing changes


def test_a_supervisor_opens_the_claims_of_a_case(client: TestClient, demo: Demo) -> None:
    assert login(client, "supervisor").status_code == 303
    region = demo.login_of("supervisor").region
    # staff, and so supervisors, read the claims of persons insured in their region
    provider, claim_no = next(
        (c["provider_id"], x)
        for c in cases.list_cases(demo.ctx, region=region)
        for x in c["claim_ids"]
        if (settlement.settlement_owner(demo.ctx, c["provider_id"], x) or ("", ""))[1] == region
    )
    r = client.get(f"/ui/claims/{provider}/{claim_no}")
    assert r.status_code == 200 and "冲正" not in r.text  # reading, not reversing


def test_the_insured_read_a_past_year_against_its_limits(client: TestClient, demo: Demo) -> None:
    pid = demo.login_of("insured").person_id
    standing = person_record.year_standing(demo.ctx, pid, date(2025, 12, 31))
    assert standing is not None
    assert login(client, "insured").status_code == 303
    page = client.get("/ui/me?year=2025").text
    assert "本年度累计 2025" in page
    yuan, fen = divmod(standing["scope"], 100)
    scope = f"{yuan:,}.{fen:02d}"
    assert f"<dd>{standing['admissions']}</dd>" in page and scope in page


def test_the_session_cookie_is_secure_over_https_and_when_configured(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(demo.engine), base_url="https://testserver") as c:
        assert "Secure" in login(c, "staff").headers["set-cookie"]
    with TestClient(create_app(demo.engine)) as c:  # plain http, the default mode
        assert "Secure" not in login(c, "staff").headers["set-cookie"]
    monkeypatch.setenv("YIBAO_COOKIE_SECURE", "always")
    with TestClient(create_app(demo.engine)) as c:
        assert "Secure" in c.get("/ui/login").headers["set-cookie"]
    monkeypatch.setenv("YIBAO_COOKIE_SECURE", "sometimes")
    with pytest.raises(InputError, match="YIBAO_COOKIE_SECURE"):
        create_app(demo.engine)


def test_only_an_administrator_opens_the_admin_pages(client: TestClient) -> None:
    assert login(client, "staff").status_code == 303
    assert client.get("/ui/admin/users").status_code == 403
    assert client.get("/ui/admin/audit").status_code == 403
    client.cookies.clear()
    assert login(client, "admin").status_code == 303
    assert client.get("/ui/admin/audit").status_code == 200
    assert client.get("/ui/persons").status_code == 403
    assert client.get("/ui/funds").status_code == 403

"""Every page speaks the reader's language: no code (``employee_pooled``, ``resident``,
``under_review`` …) left in the text of a page, in Chinese or in English."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_helpers import Demo, login

from yibao.api.app import create_app
from yibao.service import cases, settlement
from yibao.web.i18n import CODES

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# codes the data holds, as the pages could leak them (the catalogue is not the source: the
# enums of the domain are)
RAW = {
    "employee",
    "resident",
    "active",
    "retired",
    "adult",
    "child",
    "elderly",
    "settled",
    "reversed",
    "open",
    "confirmed",
    "dismissed",
    "red",
    "orange",
    "normal",
    "ample",
    "excess",
    "settlement",
    "reversal",
    "contribution",
    "insured",
    "clearing",
}


def _text(page: str) -> str:
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    # scripts, identifiers shown as such (<code>) and the engine's own English sentences
    main = re.sub(r"<(script|style|code)[^>]*>.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<(\w+) [^>]*lang="en"[^>]*>.*?</\1>', " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def _pages(demo: Demo, role: str) -> list[str]:
    pid = demo.login_of("insured").person_id or ""
    if role == "staff":
        c = settlement.settlements_of(demo.ctx, pid)[0]
        return [f"/ui/persons/{pid}", f"/ui/claims/{c['provider_id']}/{c['claim_no']}"]
    if role == "supervisor":
        case = cases.list_cases(demo.ctx, region="990100")[0]
        return ["/ui/cases", f"/ui/cases/{case['case_id']}", f"/ui/providers/{case['provider_id']}"]
    if role == "fund":
        return [
            "/ui/funds?region=990100",
            "/ui/funds?region=990200",
            "/ui/funds?region=990300",
            "/ui/funds/projection",
        ]
    if role == "admin":
        return ["/ui/admin/users", "/ui/admin/audit"]
    return ["/ui/me"]


@pytest.fixture
def client(demo: Demo) -> Iterator[TestClient]:
    with TestClient(create_app(demo.engine)) as c:
        yield c


@pytest.mark.parametrize("role", ["staff", "supervisor", "fund", "insured", "admin"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_code_is_left_untranslated(client: TestClient, demo: Demo, role: str, lang: str) -> None:
    assert login(client, role).status_code == 303
    for url in _pages(demo, role):
        r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert r.status_code == 200, url
        text = _text(r.text)
        left = set(SNAKE.findall(text))
        if lang == "zh":
            left |= {w for w in re.findall(r"\b[a-z]+\b", text) if w in RAW}
        assert not left, f"{url} ({lang}): {sorted(left)}"


def test_every_fund_and_warning_has_words_in_both_languages() -> None:
    from yibao.actuarial.warning import Level
    from yibao.ledger.model import Fund

    assert {f.value for f in Fund} <= set(CODES["fund"])
    assert {lv.value for lv in Level} <= set(CODES["warning"])

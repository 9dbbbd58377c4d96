"""The console in a real browser (Debian's chromium via Playwright): the staff flow from
login to reversal, the insured person's portal on a phone, a supervisor's decision, the fund
dashboard's charts; axe-core on every main page; a screenshot of each for review."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from web_helpers import Demo, shot

from yibao.jobs.console_demo import DEMO_PASSWORD
from yibao.service import ledger, settlement

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def log_in(page: Any, demo: Demo, username: str) -> None:
    page.goto(f"{demo.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def accessible(page: Any, name: str) -> None:
    """No serious or critical axe-core violation on the page; a screenshot either way."""
    shot(page, name)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: " + "; ".join(bad)


def test_staff_settle_read_the_trace_and_reverse(page: Any, live: Demo) -> None:
    pid = live.login_of("insured").person_id
    model = settlement.settlements_of(live.ctx, pid)[0]  # a provider and day that settle
    page.goto(f"{live.url}/login")
    accessible(page, "login")
    log_in(page, live, "staff")
    page.get_by_label("姓名、参保编号").fill(pid)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=pid).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("参保人")
    accessible(page, "person")
    page.get_by_label("定点医药机构").select_option(model["provider_id"])
    page.get_by_label("单据号").fill("WEB-0001")
    page.get_by_label("就诊类型").select_option(model["visit"])
    page.get_by_label("入院日期").fill(model["settle_date"])
    page.get_by_label("出院日期").fill(model["settle_date"])
    page.get_by_label("医疗费总额").fill("860.00")
    page.get_by_label("全自费").fill("60.00")
    page.get_by_role("button", name="预结算").click()
    preview = page.locator("#preview table")
    preview.wait_for()
    assert "860.00" in preview.inner_text()
    assert settlement.settlement_owner(live.ctx, model["provider_id"], "WEB-0001") is None
    shot(page, "pre-settlement")
    page.get_by_role("button", name="结算", exact=True).click()
    page.wait_for_url(f"**/claims/{model['provider_id']}/WEB-0001")
    trace = page.locator("ol.trace")
    assert "费用分割" in trace.inner_text() and "个人现金支付" in trace.inner_text()
    assert page.locator("table.cites td").count() > 0  # parameters with their documents
    accessible(page, "claim-result")
    page.get_by_label("原因").fill("收费员录入错误")
    page.get_by_role("button", name="冲正").click()
    page.wait_for_load_state()
    assert "已冲正" in page.locator("#claim-status").inner_text()
    assert ledger.check_ledger(live.ctx) == []
    assert not page.errors, page.errors


def test_the_insured_on_a_phone(browser: Any, live: Demo) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        log_in(page, live, "insured")
        assert page.url.endswith("/me")
        assert "元" in page.locator("#my-balance").inner_text()
        words = page.locator("article.claim li")
        assert words.count() > 0  # each settlement in plain words
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the portal scrolls sideways on a phone ({width}px)"
        accessible(page, "insured-portal")
        page.locator("article.claim a").first.click()
        page.wait_for_load_state()
        assert page.locator("section.plain li").count() > 0
        accessible(page, "insured-claim")
        page.get_by_role("button", name="退出").click()
        page.wait_for_load_state()
        page.goto(f"{live.url}/me")
        assert page.url.endswith("/login")
    finally:
        context.close()


def test_supervisor_confirms_a_case_and_sees_the_clawback(page: Any, live: Demo) -> None:
    log_in(page, live, "supervisor")
    accessible(page, "case-queue")
    page.goto(f"{live.url}/cases?status=open")
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    page.locator("#reason-review").fill("调取病历核实")
    page.get_by_role("button", name="开始审核").click()
    page.wait_for_load_state()
    assert page.locator("#case-status").get_attribute("data-status") == "under_review"
    page.locator("#reason-confirm").fill("病历显示分解住院，追回")
    page.get_by_role("button", name="确认违规").click()
    page.wait_for_load_state()
    assert page.locator("#case-status").get_attribute("data-status") == "confirmed"
    assert page.locator("#clawback").inner_text().strip()
    accessible(page, "case-confirmed")
    page.locator("dd a").first.click()  # the provider: its credit after the confirmation
    page.wait_for_load_state()
    assert page.locator("#credit").inner_text().strip()
    accessible(page, "provider")


def test_the_fund_dashboard_draws_its_charts(page: Any, live: Demo) -> None:
    log_in(page, live, "fund")
    page.locator('.chart[data-drawn="1"] svg').first.wait_for()
    assert page.locator(".tile").count() > 0
    assert not page.errors, page.errors
    accessible(page, "fund-dashboard")
    tiles = page.locator(".tile h2").all_inner_texts()
    assert "职工医保统筹基金" in tiles and not any("_" in x for x in tiles)
    assert page.locator("#by-level tbody tr").count() > 1  # payments by hospital level
    page.get_by_role("link", name="基金精算预测").click()
    page.locator('.fan[data-drawn="1"] svg').first.wait_for()
    assert page.locator(".fan").count() == 2  # employee and resident funds
    assert page.locator(".fan-table tbody tr").count() > 2
    assert not page.errors, page.errors
    accessible(page, "projection")
    page.goto(f"{live.url}/funds/projection?scenario=unified&lang=en")
    page.locator('.fan[data-drawn="1"] svg').first.wait_for()
    assert page.locator("h1").inner_text() == "Fund projection"
    accessible(page, "projection-en")
    page.goto(f"{live.url}/funds?lang=en")
    page.locator('.chart[data-drawn="1"] svg').first.wait_for()
    assert "Employee pooled fund" in page.locator(".tiles").inner_text()
    accessible(page, "fund-dashboard-en")
    page.goto(f"{live.url}/funds?lang=zh")
    page.goto(f"{live.url}/policy?region=990100&region2=990200")
    assert page.locator("#diff-h").count() == 1
    assert page.locator("section[aria-labelledby=diff-h] tbody tr").count() > 0
    accessible(page, "policy-browser")


def test_a_filing_is_recorded_by_one_officer_and_approved_by_another(page: Any, live: Demo) -> None:
    pid = live.login_of("insured2").person_id
    log_in(page, live, "staff")
    page.goto(f"{live.url}/persons/{pid}")
    page.get_by_label("就医地").fill("990300")
    page.locator("#f-from").fill("2025-08-01")
    page.get_by_role("button", name="登记备案").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-filing]").filter(has_text="990300").first
    assert row.locator(".filing-status").get_attribute("data-status") == "recorded"
    assert row.get_by_role("button", name="审核通过").count() == 0  # not by who recorded it
    with live.engine.connect() as conn:
        from yibao.store import repo

        assert not repo.filing_on(conn, pid, "990300", date(2025, 9, 1))  # not yet filed care
    accessible(page, "filing-recorded")
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    log_in(page, live, "reviewer")
    page.goto(f"{live.url}/persons/{pid}?lang=en")
    row = page.locator("tr[data-filing]").filter(has_text="990300").first
    row.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-filing]").filter(has_text="990300").first
    assert row.locator(".filing-status").get_attribute("data-status") == "approved"
    with live.engine.connect() as conn:
        assert repo.filing_on(conn, pid, "990300", date(2025, 9, 1))
    accessible(page, "filing-approved-en")
    row.locator("input[type=date]").fill("2025-12-31")
    row.get_by_role("button", name="End filing").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-filing]").filter(has_text="990300").first
    assert "2025-12-31" in row.inner_text()
    assert not page.errors, page.errors


def test_an_administrator_adds_a_user_and_reads_who_opened_a_person(page: Any, live: Demo) -> None:
    pid = live.login_of("insured").person_id
    log_in(page, live, "staff")
    page.goto(f"{live.url}/persons/{pid}")  # a personal-data read, to be found in the log
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    log_in(page, live, "admin")
    assert page.url.endswith("/admin/users")
    assert page.locator("#users td[data-role=admin]").count() == 1
    accessible(page, "admin-users")
    page.get_by_label("用户名").fill("newstaff")
    page.get_by_label("密码").fill("a-long-password-1")
    page.get_by_label("角色").select_option("staff")
    page.get_by_label("统筹区").fill("990200")
    page.get_by_role("button", name="新增用户").click()
    page.wait_for_load_state()
    assert "newstaff" in page.locator("#users").inner_text()
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("对象").fill(pid)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    log = page.locator("#audit tbody").inner_text()
    assert "web:staff" in log and "person.read" in log
    accessible(page, "admin-audit")
    page.goto(f"{live.url}/admin/audit?lang=en&action=web_user")
    assert "web:admin" in page.locator("#audit tbody").inner_text()
    accessible(page, "admin-audit-en")
    assert not page.errors, page.errors

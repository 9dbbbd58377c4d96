"""Shared by the console tests: the demo under test, logging in without a browser, screenshots."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from yibao.jobs.console_demo import DEMO_PASSWORD, ConsoleDemo
from yibao.service.context import Context

SHOTS = Path(os.environ.get("YIBAO_TEST_OUT", "test-out")) / "web"


@dataclass
class Demo:
    engine: Any
    ctx: Context
    seeded: ConsoleDemo
    url: str = ""

    def login_of(self, username: str) -> Any:
        return next(x for x in self.seeded.logins if x.username == username)


def shot(page: Any, name: str) -> None:
    """A full-page screenshot for review (not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    token = csrf_of(client.get("/ui/login").text)
    return client.post(
        "/ui/login",
        data={"username": username, "password": password, "csrf": token},
        follow_redirects=False,
    )

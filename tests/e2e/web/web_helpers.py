"""Logging in to the console with a plain HTTP client (no browser)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from yibao.jobs.console_demo import DEMO_PASSWORD


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
